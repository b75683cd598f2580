/**
 * Customers as the License API sees them (table license_customers, one customer per license):
 * customer_license_users finds a customer by email and lists the users of their licenses.
 */
import { NEWEST_LICENSE_FIRST } from "./license-context";
import { CUSTOMER_COLUMNS, LICENSE_USER_COLUMNS, toLicenseUser, type Customer, type LicenseUser, type LicenseUserRow } from "./licenses";

/** A user of one of the customer's licenses, with that license's activation figures. */
export interface CustomerLicenseUser {
  user: LicenseUser;
  orderStoreId: string | null;
  maxActivations: number;
  allowUnlimitedActivations: boolean;
  timesActivated: number;
}

export interface CustomerLicenses {
  /** The customer as the newest license sold to this email stores it; null when no license has the email. */
  customer: Customer | null;
  /** The users of the customer's licenses of the product, newest license first. */
  users: CustomerLicenseUser[];
}

interface UserRow extends LicenseUserRow {
  order_store_id: string | null;
  max_activations: number;
  allow_unlimited_activations: number;
  times_activated: number;
}

export async function findCustomerLicenses(db: D1Database, email: string, productId: number): Promise<CustomerLicenses> {
  const [customer, users] = await db.batch([
    db
      .prepare(
        `SELECT ${CUSTOMER_COLUMNS} FROM license_customers c JOIN licenses l ON l.id = c.license_id
         WHERE c.email = ? ORDER BY ${NEWEST_LICENSE_FIRST} LIMIT 1`,
      )
      .bind(email),
    db
      .prepare(
        `SELECT ${LICENSE_USER_COLUMNS}, l.order_store_id, l.max_activations, l.allow_unlimited_activations,
                (SELECT COUNT(*) FROM devices d WHERE d.license_id = l.id AND d.active = 1) AS times_activated
         FROM license_customers c JOIN licenses l ON l.id = c.license_id JOIN license_users lu ON lu.license_id = l.id
         WHERE c.email = ? AND l.product_id = ? ORDER BY ${NEWEST_LICENSE_FIRST}, lu.id`,
      )
      .bind(email, productId),
  ]);
  return {
    customer: (customer!.results as Customer[])[0] ?? null,
    users: (users!.results as UserRow[]).map((row) => ({
      user: toLicenseUser(row),
      orderStoreId: row.order_store_id,
      maxActivations: row.max_activations,
      allowUnlimitedActivations: row.allow_unlimited_activations === 1,
      timesActivated: row.times_activated,
    })),
  };
}
