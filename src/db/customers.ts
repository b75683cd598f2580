/**
 * Customers (table license_customers, one customer per license; column names are the SDK's field
 * names): the customer of a license, written by issuing, changing and importing licenses, and
 * customer_license_users, which finds a customer by email and lists the users of their licenses.
 */
import { CUSTOMER_TEXT_FIELDS, CustomerResource, type CustomerInput } from "../models/customer";
import { NEWEST_LICENSE_FIRST } from "./license-context";
import { LICENSE_USER_COLUMNS, toLicenseUser, type LicenseUser, type LicenseUserRow } from "./license-users";
import { decodeRow, encodeRow, type RowOf } from "./row-codec";

/** A customer as stored: every field text, metadata a JSON object's text. */
export type CustomerRow = RowOf<CustomerResource>;

const CUSTOMER_FIELDS = [...CUSTOMER_TEXT_FIELDS, "metadata"] as const;

/** The columns of license_customers, in table alias `c`, that make a CustomerRow. */
export const CUSTOMER_COLUMNS = CUSTOMER_FIELDS.map((column) => `c.${column}`).join(", ");

export const customerResource = (row: CustomerRow): CustomerResource => decodeRow(CustomerResource, row);

/** The customer of one license, as a row (none: no customer). */
export function licenseCustomerStatement(db: D1Database, licenseId: number): D1PreparedStatement {
  return db.prepare(`SELECT ${CUSTOMER_COLUMNS} FROM license_customers c WHERE c.license_id = ?`).bind(licenseId);
}

/** A customer row to insert: the customer of `license_id` (null: the license the same batch inserts). */
export const customerInsertRow = (licenseId: number | null, customer: CustomerInput) => ({
  license_id: licenseId,
  ...encodeRow(customer),
});

/** Writes (or replaces) a license's customer. */
export function customerUpsert(db: D1Database, licenseId: number, customer: CustomerInput): D1PreparedStatement {
  const row = encodeRow(customer);
  return db
    .prepare(
      `INSERT INTO license_customers (license_id, ${CUSTOMER_FIELDS.join(", ")}) VALUES (?, ${CUSTOMER_FIELDS.map(() => "?").join(", ")})
       ON CONFLICT (license_id) DO UPDATE SET ${CUSTOMER_FIELDS.map((column) => `${column} = excluded.${column}`).join(", ")}`,
    )
    .bind(licenseId, ...CUSTOMER_FIELDS.map((column) => row[column]));
}

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
  customer: CustomerRow | null;
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
    customer: (customer!.results as CustomerRow[])[0] ?? null,
    users: (users!.results as UserRow[]).map((row) => ({
      user: toLicenseUser(row),
      orderStoreId: row.order_store_id,
      maxActivations: row.max_activations,
      allowUnlimitedActivations: row.allow_unlimited_activations === 1,
      timesActivated: row.times_activated,
    })),
  };
}
