/**
 * Customers (table customers; licenses.customer_id names a license's customer): a customer of a
 * company, found by id or, within its company, by e-mail (case-insensitive: the column is NOCASE and
 * a unique index allows one customer per company and e-mail). The License API answers a license's
 * customer in license objects and finds a customer's licenses by e-mail (customer_license_users);
 * the management API lists, searches, creates and changes customers, and issuing, changing and
 * importing licenses link them (src/management/customer-links.ts).
 */
import { CUSTOMER_TEXT_FIELDS, CustomerDetailResource, CustomerResource, type ListCustomersQuery } from "../models/customer";
import { NEWEST_LICENSE_FIRST } from "./license-context";
import { LICENSE_USER_COLUMNS, toLicenseUser, type LicenseUser, type LicenseUserRow } from "./license-users";
import { readPage, type KeysetPage } from "./keyset-page";
import { decodeRow, encodeRow, setClause, type RowOf } from "./row-codec";

/** A customer as stored: every field text, metadata a JSON object's text. */
export type CustomerRow = RowOf<CustomerResource>;
type CustomerDetailRow = RowOf<CustomerDetailResource>;

/** The columns of customers, in table alias `c`, that make a CustomerRow. */
export const CUSTOMER_COLUMNS = Object.keys(CustomerResource.shape)
  .map((column) => `c.${column}`)
  .join(", ");
/** The same, with how many licenses the customer holds. */
const DETAIL_COLUMNS = `${CUSTOMER_COLUMNS}, (SELECT COUNT(*) FROM licenses l WHERE l.customer_id = c.id) AS license_count`;

export const customerResource = (row: CustomerRow): CustomerResource => decodeRow(CustomerResource, row);
const customerDetail = (row: CustomerDetailRow): CustomerDetailResource => decodeRow(CustomerDetailResource, row);

/** The customer of one license, as a row (none: no customer). */
export function licenseCustomerStatement(db: D1Database, licenseId: number): D1PreparedStatement {
  return db.prepare(`SELECT ${CUSTOMER_COLUMNS} FROM licenses l JOIN customers c ON c.id = l.customer_id WHERE l.id = ?`).bind(licenseId);
}

/**
 * The customer's licenses that are not archived: the License API answers the customer in their
 * license objects, which their counter objects hold (an archived license's are told when it is restored).
 */
export async function customerLicenseIds(db: D1Database, customerId: number): Promise<number[]> {
  const { results } = await db
    .prepare("SELECT id FROM licenses WHERE customer_id = ? AND archived_at IS NULL ORDER BY id")
    .bind(customerId)
    .all<{ id: number }>();
  return results.map((row) => row.id);
}

export async function findCustomer(db: D1Database, customerId: number): Promise<CustomerDetailResource | null> {
  const row = await db.prepare(`SELECT ${DETAIL_COLUMNS} FROM customers c WHERE c.id = ?`).bind(customerId).first<CustomerDetailRow>();
  return row && customerDetail(row);
}

/** The company's customers with these e-mails (case-insensitive), each once. */
export async function findCustomersByEmail(db: D1Database, companyId: number, emails: readonly string[]): Promise<CustomerResource[]> {
  if (emails.length === 0) return [];
  const { results } = await db
    .prepare(
      `SELECT ${CUSTOMER_COLUMNS} FROM customers c WHERE c.company_id = ? AND c.email IN (SELECT value FROM json_each(?)) AND c.email != ''`,
    )
    .bind(companyId, JSON.stringify(emails))
    .all<CustomerRow>();
  return results.map(customerResource);
}

/** The id a customer inserted now would get: every new customer is written with an explicit id (see customerInsertStatement). */
export async function nextCustomerId(db: D1Database): Promise<number> {
  const row = await db.prepare("SELECT COALESCE(MAX(id), 0) + 1 AS id FROM customers").first<{ id: number }>();
  return row!.id;
}

/**
 * The INSERT of a new customer under an id given beforehand (nextCustomerId), so that the
 * licenses of the same batch can name it. A customer written meanwhile under that id or with that
 * e-mail makes the batch fail as a UNIQUE violation of customers (isCustomerConflict): nothing is
 * written, and the caller reads again.
 */
export function customerInsertStatement(
  db: D1Database,
  id: number,
  companyId: number,
  values: Omit<CustomerResource, "id" | "company_id" | "created_at">,
): D1PreparedStatement {
  const row = encodeRow({ id, company_id: companyId, ...values });
  const columns = Object.keys(row);
  return db
    .prepare(`INSERT INTO customers (${columns.join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`)
    .bind(...Object.values(row));
}

/** A batch failed because another write took a customer's id or (company, e-mail) first. */
export const isCustomerConflict = (error: unknown) => error instanceof Error && /UNIQUE constraint failed: customers\./.test(error.message);

/** The UPDATE of a customer's fields, answering it. */
export function customerUpdateStatement(db: D1Database, customerId: number, changes: object): D1PreparedStatement {
  const set = setClause(changes);
  return db
    .prepare(`UPDATE customers SET ${set.sql} WHERE id = ? RETURNING ${Object.keys(CustomerResource.shape).join(", ")}`)
    .bind(...set.values, customerId);
}

/**
 * `text` as a LIKE pattern that matches it anywhere, with LIKE's own wildcards (%, _) and the
 * escape character taken literally. SQLite's LIKE ignores case for ASCII letters only.
 */
export const containsPattern = (text: string) => `%${text.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;

/** Whether customer `c` matches the containsPattern parameter `param` by e-mail, first or last name, full name or company name. */
export const customerMatches = (param: string) =>
  ["c.email", "c.first_name", "c.last_name", "(c.first_name || ' ' || c.last_name)", "c.company_name"]
    .map((column) => `${column} LIKE ${param} ESCAPE '\\'`)
    .join(" OR ");

// Every filter is optional: `?n IS NULL OR ...` keeps one statement for all combinations. `q` needs a
// scan (LIKE '%...%' uses no index): the page reads customers in id order from the cursor until it
// has limit + 1 matches.
const LIST_SQL = `
SELECT ${DETAIL_COLUMNS}
FROM customers c
WHERE c.id > ?1
  AND (?2 IS NULL OR c.company_id = ?2)
  AND (?3 IS NULL OR c.email = ?3)
  AND (?4 IS NULL OR ${customerMatches("?4")}
       OR EXISTS (SELECT 1 FROM licenses l WHERE l.customer_id = c.id AND l.license_key LIKE ?4 ESCAPE '\\'))
ORDER BY c.id
LIMIT ?5`;

export function listCustomers(db: D1Database, query: ListCustomersQuery): Promise<KeysetPage<CustomerDetailResource>> {
  return readPage(
    db
      .prepare(LIST_SQL)
      .bind(
        query.cursor ?? 0,
        query.company_id ?? null,
        query.email ?? null,
        query.q === undefined ? null : containsPattern(query.q),
        query.limit + 1,
      ),
    query.limit,
    customerDetail,
  );
}

// ---------------------------------------------------------------- customer_license_users (License API)

/** The text fields and metadata of a customer as stored: what the License API answers of it. */
export type CustomerValuesRow = Pick<CustomerRow, (typeof CUSTOMER_TEXT_FIELDS)[number] | "metadata">;

/** A user of one of the customer's licenses, with that license's activation figures. */
export interface CustomerLicenseUser {
  user: LicenseUser;
  orderStoreId: string | null;
  maxActivations: number;
  allowUnlimitedActivations: boolean;
  timesActivated: number;
}

export interface CustomerLicenses {
  /** The company's customer with this e-mail; null when there is none. */
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

/** The customer with `email` among the customers of the product's company, and the users of their licenses of the product. */
export async function findCustomerLicenses(db: D1Database, email: string, productId: number): Promise<CustomerLicenses> {
  const [customer, users] = await db.batch([
    db
      .prepare(
        `SELECT ${CUSTOMER_COLUMNS} FROM customers c JOIN products p ON p.company_id = c.company_id
         WHERE p.id = ? AND c.email = ? AND c.email != ''`,
      )
      .bind(productId, email),
    db
      .prepare(
        `SELECT ${LICENSE_USER_COLUMNS}, l.order_store_id, l.max_activations, l.allow_unlimited_activations,
                (SELECT COUNT(*) FROM devices d WHERE d.license_id = l.id AND d.active = 1) AS times_activated
         FROM customers c JOIN licenses l ON l.customer_id = c.id JOIN products p ON p.id = l.product_id AND p.company_id = c.company_id
         JOIN license_users lu ON lu.license_id = l.id
         WHERE c.email = ? AND c.email != '' AND l.product_id = ? ORDER BY ${NEWEST_LICENSE_FIRST}, lu.id`,
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
