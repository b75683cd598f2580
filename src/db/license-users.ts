/**
 * License users (table license_users): a license's users (activation with a password, the license
 * detail), the licenses a user signs in to (user_licenses) and the user's password
 * (change_password). A user is a username; each license keeps its own row and hash, so one person
 * on several licenses has several rows.
 */
import { LicenseUserResource, type ImportedLicenseUserInput, type LicenseUserInput } from "../models/license-user";
import type { ProductAccess } from "./api-keys";
import {
  LICENSE_COLUMNS,
  LICENSE_OF_LOOKUP,
  NEWEST_LICENSE_FIRST,
  toLicense,
  type License,
  type LicenseColumns,
  type LicenseLookup,
} from "./license-context";
import { bit, decodeRow } from "./row-codec";

/** A license user as the License API decides with it (its password hash included). */
export interface LicenseUser {
  id: number;
  licenseId: number;
  username: string;
  passwordHash: string | null;
  firstName: string;
  lastName: string;
  phoneNumber: string;
  isInitialPassword: boolean;
}

/** The columns of license_users, in table alias `lu`, that make a LicenseUser. */
export const LICENSE_USER_COLUMNS =
  "lu.id AS user_id, lu.license_id AS user_license_id, lu.username, lu.password_hash, lu.first_name, lu.last_name, lu.phone_number, lu.is_initial_password";

export interface LicenseUserRow {
  user_id: number;
  user_license_id: number;
  username: string;
  password_hash: string | null;
  first_name: string;
  last_name: string;
  phone_number: string;
  is_initial_password: number;
}

export function toLicenseUser(row: LicenseUserRow): LicenseUser {
  return {
    id: row.user_id,
    licenseId: row.user_license_id,
    username: row.username,
    passwordHash: row.password_hash,
    firstName: row.first_name,
    lastName: row.last_name,
    phoneNumber: row.phone_number,
    isInitialPassword: row.is_initial_password === 1,
  };
}

/** A license user as the management API shows it: never the password hash. */
export const licenseUserResource = (row: LicenseUserRow): LicenseUserResource => decodeRow(LicenseUserResource, row);

/** A license's users, in the order they were added. */
export function licenseUsersStatement(db: D1Database, licenseId: number): D1PreparedStatement {
  return db.prepare(`SELECT ${LICENSE_USER_COLUMNS} FROM license_users lu WHERE lu.license_id = ? ORDER BY lu.id`).bind(licenseId);
}

/**
 * The user of this name on the license a request's identity names, as a row (none: no such user),
 * for a read that also resolves the request (activate_license reads it with the license context).
 */
export function licenseUserStatementFor(db: D1Database, lookup: LicenseLookup & { username: string }): D1PreparedStatement {
  return db
    .prepare(`SELECT ${LICENSE_USER_COLUMNS} FROM license_users lu WHERE lu.username = ?3 AND lu.license_id = ${LICENSE_OF_LOOKUP}`)
    .bind(lookup.product, lookup.licenseKey ?? null, lookup.username, lookup.licenseId ?? null);
}

/** The license's user of this name; null matches no license (the query still runs: src/license-api/license-user-sign-in.ts). */
export async function findLicenseUser(db: D1Database, licenseId: number | null, username: string): Promise<LicenseUser | null> {
  const row = await db
    .prepare(`SELECT ${LICENSE_USER_COLUMNS} FROM license_users lu WHERE lu.license_id = ? AND lu.username = ?`)
    .bind(licenseId, username)
    .first<LicenseUserRow>();
  return row ? toLicenseUser(row) : null;
}

/** A license user row to insert (`license_id` null: the license the same batch inserts). */
export function licenseUserInsertRow(
  licenseId: number | null,
  user: LicenseUserInput | ImportedLicenseUserInput,
  passwordHash: string | null,
) {
  return {
    license_id: licenseId,
    username: user.username,
    password_hash: passwordHash,
    first_name: user.first_name,
    last_name: user.last_name,
    phone_number: user.phone_number,
    // A password the vendor sets is an initial one; an import says whether it still is.
    is_initial_password: bit("is_initial_password" in user ? user.is_initial_password : true),
  };
}

/** user_licenses answers at most this many licenses (each one costs a password check and its counters' reads). */
export const MAX_USER_LICENSES = 50;

export interface UserLicense {
  license: License;
  user: LicenseUser;
}

/** Products `p` an API key may use: its company's, and only those on its allow-list if it has one (?4, ?5). */
const ACCESSIBLE = "p.company_id = ?4 AND (?5 IS NULL OR p.id IN (SELECT value FROM json_each(?5)))";
const accessBinds = (access: ProductAccess) => [
  access.companyId,
  access.productIds === null ? null : JSON.stringify([...access.productIds]),
];

/**
 * The licenses a username is a user of, newest first (NEWEST_LICENSE_FIRST), optionally only
 * those of one product (by short code), and only of products the API key may use.
 */
export async function findUserLicenses(
  db: D1Database,
  username: string,
  productCode: string | undefined,
  access: ProductAccess,
): Promise<UserLicense[]> {
  const { results } = await db
    .prepare(
      `SELECT ${LICENSE_COLUMNS}, ${LICENSE_USER_COLUMNS}
       FROM license_users lu JOIN licenses l ON l.id = lu.license_id JOIN products p ON p.id = l.product_id
       WHERE lu.username = ?1 AND (?2 IS NULL OR p.short_code = ?2) AND ${ACCESSIBLE}
       ORDER BY ${NEWEST_LICENSE_FIRST} LIMIT ?3`,
    )
    .bind(username, productCode ?? null, MAX_USER_LICENSES, ...accessBinds(access))
    .all<LicenseColumns & LicenseUserRow & { license_id: number }>();
  return results.map((row) => ({ license: toLicense(row), user: toLicenseUser(row) }));
}

/** Every license user row with this username, on the products the API key may use, for a password change. */
export async function licenseUsersNamed(db: D1Database, username: string, access: ProductAccess): Promise<LicenseUser[]> {
  const { results } = await db
    .prepare(
      `SELECT ${LICENSE_USER_COLUMNS} FROM license_users lu JOIN licenses l ON l.id = lu.license_id JOIN products p ON p.id = l.product_id
       WHERE lu.username = ?1 AND ${ACCESSIBLE} ORDER BY lu.id`,
    )
    .bind(username, null, null, ...accessBinds(access))
    .all<LicenseUserRow>();
  return results.map(toLicenseUser);
}

/**
 * Replaces the password of each given user row, but only where the stored hash is still the one
 * the caller verified (a concurrent change wins; its row is left alone). One batch, one
 * transaction. Returns how many rows changed.
 */
export async function replacePasswords(db: D1Database, users: LicenseUser[], newHash: string): Promise<number> {
  const results = await db.batch(
    users.map((user) =>
      db
        .prepare("UPDATE license_users SET password_hash = ?, is_initial_password = 0 WHERE id = ? AND password_hash = ?")
        .bind(newHash, user.id, user.passwordHash),
    ),
  );
  return results.reduce((changed, result) => changed + result.meta.changes, 0);
}
