/**
 * Licenses (table licenses, with their product): the license in full as the License API answers it
 * (activation, check, user_licenses: LicenseDetails, read as part of the license's snapshot,
 * ./counter-snapshot.ts), and as the management API lists, finds, changes, enables and disables it.
 * Issuing and importing licenses write through ./license-writes.ts.
 */
import { LicenseResource, type LicenseDetailResource, type ListLicensesQuery } from "../models/license";
import { customFieldValuesOf, licenseCustomFieldsStatement, setCustomFieldValue } from "./custom-fields";
import { containsPattern, customerMatches, customerResource, licenseCustomerStatement, type CustomerRow } from "./customers";
import type { AuthorizationMethod, LicenseFeature } from "./license-context";
import { licenseUserResource, licenseUsersStatement, type LicenseUserRow } from "./license-users";
import { readPage, type KeysetPage } from "./keyset-page";
import { bit, decodeRow, setClause, type RowOf } from "./row-codec";
import { createdDeliveries } from "./webhooks";

// ---------------------------------------------------------------- the License API's license object

export interface LicenseDetails {
  product: {
    id: number;
    shortCode: string;
    name: string;
    authorizationMethod: AuthorizationMethod;
    companyId: number;
    metadataJson: string;
    allowTrial: boolean;
    trialDays: number;
  };
  maxActivations: number;
  allowUnlimitedActivations: boolean;
  timesActivated: number;
  createdAt: string;
  /** As stored now (a trial's first activation sets it). */
  validityPeriod: string | null;
  metadataJson: string;
  orderStoreId: string | null;
  /** User-based licenses: at most this many users; 0 means no limit. */
  maxLicenseUsers: number;
  isTrial: boolean;
  trialDays: number;
  /** Entitlement dates and policies (docs/protocol.md "Entitlement dates and policies"). */
  startDate: string | null;
  maintenancePeriod: string | null;
  preventVm: boolean;
  allowGracePeriod: boolean;
  /** Hours. */
  gracePeriod: number;
  allowOfflineActivation: boolean;
  maxTransfers: number;
  transferCount: number;
  customer: CustomerRow | null;
  /** Every custom field of the product, with the license's own value or the product default. */
  customFields: LicenseDetailResource["custom_fields"];
  /** Every feature on the license (activation and consumption), with license values applied. */
  features: Array<LicenseFeature & { id: number }>;
}

// ---------------------------------------------------------------- the management API's licenses

/** A license as stored, with its product's short code and its users' names (JSON text). */
export type LicenseRow = RowOf<LicenseResource>;

/** The fields of a license that are not columns of licenses `l`. */
const JOINED: Partial<Record<keyof LicenseResource, string>> = {
  product_short_code: "p.short_code AS product_short_code",
  users: "(SELECT json_group_array(username) FROM (SELECT username FROM license_users WHERE license_id = l.id ORDER BY id)) AS users",
};

const LICENSE_SELECT = `
SELECT ${(Object.keys(LicenseResource.shape) as Array<keyof LicenseResource>).map((field) => JOINED[field] ?? `l.${field}`).join(", ")}
FROM licenses l JOIN products p ON p.id = l.product_id`;

const licenseResource = (row: LicenseRow) => decodeRow(LicenseResource, row);

export async function findLicense(db: D1Database, licenseId: number): Promise<LicenseResource | null> {
  const row = await db.prepare(`${LICENSE_SELECT} WHERE l.id = ?`).bind(licenseId).first<LicenseRow>();
  return row && licenseResource(row);
}

// Every filter is optional: `?n IS NULL OR ...` keeps one statement for all combinations. `q` needs a
// scan (LIKE '%...%' uses no index): the page reads licenses in id order from the cursor until it has
// limit + 1 matches.
const LIST_SQL = `${LICENSE_SELECT}
WHERE l.id > ?1
  AND (?2 IS NULL OR l.product_id = ?2)
  AND (?3 IS NULL OR l.license_key = ?3)
  AND (?4 IS NULL OR l.id IN (SELECT license_id FROM license_users WHERE username = ?4))
  AND (?5 IS NULL OR l.enabled = ?5)
  AND (?6 IS NULL OR l.customer_id = ?6)
  AND (?7 = 'any' OR (?7 = 'true') = (l.archived_at IS NOT NULL))
  AND (?8 IS NULL OR l.license_key LIKE ?8 ESCAPE '\\'
       OR EXISTS (SELECT 1 FROM license_users lu WHERE lu.license_id = l.id AND lu.username LIKE ?8 ESCAPE '\\')
       OR EXISTS (SELECT 1 FROM customers c WHERE c.id = l.customer_id AND (${customerMatches("?8")})))
ORDER BY l.id LIMIT ?9`;

/** Licenses in id order, filtered (src/models/license.ts ListLicensesQuery); archived ones only when asked for. */
export async function listLicenses(db: D1Database, query: ListLicensesQuery): Promise<KeysetPage<LicenseResource>> {
  const statement = db
    .prepare(LIST_SQL)
    .bind(
      query.cursor ?? 0,
      query.product_id ?? null,
      query.license_key ?? null,
      query.username ?? null,
      query.enabled === undefined ? null : bit(query.enabled),
      query.customer_id ?? null,
      query.archived,
      query.q === undefined ? null : containsPattern(query.q),
      query.limit + 1,
    );
  return readPage(statement, query.limit, licenseResource);
}

/** The product's other licenses that share a user with `licenseId` (whose default license for that user may change). */
export async function otherLicensesOfUsers(db: D1Database, productId: number, licenseId: number): Promise<number[]> {
  const { results } = await db
    .prepare(
      `SELECT DISTINCT l.id FROM licenses l JOIN license_users lu ON lu.license_id = l.id
       WHERE l.product_id = ?1 AND l.id != ?2 AND lu.username IN (SELECT username FROM license_users WHERE license_id = ?2)`,
    )
    .bind(productId, licenseId)
    .all<{ id: number }>();
  return results.map((row) => row.id);
}

/**
 * Changes a license: `columns` are columns of licenses (its terms, details, customer_id, floating
 * settings, the license counter's rules), with its custom field values (null goes back to the
 * product default), in one batch (one transaction) with `before` (its customer's writes) and
 * `after` (its activity entry). False when the license is missing or archived (callers check both
 * first; this keeps an archive that raced the change from being undone).
 */
export async function updateLicense(
  db: D1Database,
  licenseId: number,
  columns: object,
  customFields: Array<{ fieldId: number; value: string | null }>,
  before: D1PreparedStatement[] = [],
  after: D1PreparedStatement[] = [],
): Promise<boolean> {
  const set = setClause(columns);
  const results = await db.batch([
    ...before,
    // Touches the row even when only custom fields change, so that an archived (or missing) license is seen.
    db.prepare(`UPDATE licenses SET ${set.sql || "id = id"} WHERE id = ? AND archived_at IS NULL`).bind(...set.values, licenseId),
    ...customFields.map(({ fieldId, value }) => setCustomFieldValue(db, licenseId, fieldId, value)),
    ...after,
  ]);
  return results[before.length]!.meta.changes > 0;
}

/** What a license detail shows besides the license row and its features. */
export type LicenseExtras = Pick<LicenseDetailResource, "customer" | "custom_fields" | "license_users">;

/** A license's customer, custom field values and license users, for the license detail. */
export async function licenseExtras(db: D1Database, licenseId: number): Promise<LicenseExtras> {
  const [customer, customFields, users] = await db.batch([
    licenseCustomerStatement(db, licenseId),
    licenseCustomFieldsStatement(db, licenseId),
    licenseUsersStatement(db, licenseId),
  ]);
  const customerRow = (customer!.results as CustomerRow[])[0];
  return {
    customer: customerRow ? customerResource(customerRow) : null,
    custom_fields: customFieldValuesOf(customFields),
    license_users: (users!.results as LicenseUserRow[]).map(licenseUserResource),
  };
}

/**
 * A license's state changes: enable and disable (not while archived), archive (which disables it)
 * and restore (which leaves it disabled). Each UPDATE changes the row only when the state is not
 * so already, so that `after` (its activity entry, recorded onlyIfChanged) follows real changes.
 */
const STATE_CHANGES = {
  enable: "SET enabled = 1 WHERE id = ? AND archived_at IS NULL AND enabled = 0",
  disable: "SET enabled = 0 WHERE id = ? AND archived_at IS NULL AND enabled = 1",
  archive: "SET enabled = 0, archived_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ? AND archived_at IS NULL",
  restore: "SET archived_at = NULL WHERE id = ? AND archived_at IS NOT NULL",
} as const;
export type LicenseStateChange = keyof typeof STATE_CHANGES;

/**
 * Applies a state change in one transaction with `announce` (webhook event statements, run first:
 * src/db/webhooks.ts) and `after` (its activity entry). Whether it changed anything, and the new
 * webhook deliveries' ids.
 */
export async function changeLicenseState(
  db: D1Database,
  licenseId: number,
  change: LicenseStateChange,
  announce: readonly D1PreparedStatement[] = [],
  after: D1PreparedStatement[] = [],
): Promise<{ changed: boolean; deliveries: number[] }> {
  const results = await db.batch([...announce, db.prepare(`UPDATE licenses ${STATE_CHANGES[change]}`).bind(licenseId), ...after]);
  return {
    changed: results[announce.length]!.meta.changes > 0,
    deliveries: announce.length > 0 ? createdDeliveries(results, announce.length - 1) : [],
  };
}
