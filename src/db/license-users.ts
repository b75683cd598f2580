/**
 * License users across licenses (table license_users): the licenses a user signs in to
 * (user_licenses) and the user's password (change_password). A user is a username; each license
 * keeps its own row and hash, so one person on several licenses has several rows.
 */
import type { ProductAccess } from "./api-keys";
import { LICENSE_COLUMNS, NEWEST_LICENSE_FIRST, toLicense, type License, type LicenseColumns } from "./license-context";
import { LICENSE_USER_COLUMNS, toLicenseUser, type LicenseUser, type LicenseUserRow } from "./licenses";

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
