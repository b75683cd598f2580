/**
 * Licenses (table licenses, with their product): the license in full as the License API answers it
 * (activation, check, user_licenses: LicenseDetails, read as part of the license's snapshot,
 * ./counter-snapshot.ts), and as the management API lists, finds, changes, enables and disables it.
 * Issuing and importing licenses write through ./license-writes.ts.
 */
import { LicenseResource, type LicenseDetailResource, type ListLicensesQuery, type UpdateLicenseBody } from "../models/license";
import type { CustomerInput } from "../models/customer";
import { customFieldValuesOf, licenseCustomFieldsStatement, setCustomFieldValue } from "./custom-fields";
import { customerResource, customerUpsert, licenseCustomerStatement, type CustomerRow } from "./customers";
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

/** Licenses in id order, filtered by product, key, user (case-insensitive) and enabled state. */
export async function listLicenses(db: D1Database, query: ListLicensesQuery): Promise<KeysetPage<LicenseResource>> {
  const statement = db
    .prepare(
      `${LICENSE_SELECT}
       WHERE l.id > ?1
         AND (?2 IS NULL OR l.product_id = ?2)
         AND (?3 IS NULL OR l.license_key = ?3)
         AND (?4 IS NULL OR l.id IN (SELECT license_id FROM license_users WHERE username = ?4))
         AND (?5 IS NULL OR l.enabled = ?5)
       ORDER BY l.id LIMIT ?6`,
    )
    .bind(
      query.cursor ?? 0,
      query.product_id ?? null,
      query.license_key ?? null,
      query.username ?? null,
      query.enabled === undefined ? null : bit(query.enabled),
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

/** A license's details as PATCH changes them: the columns of licenses it sets. */
export type LicenseDetailChanges = Omit<UpdateLicenseBody, "customer" | "custom_fields">;

/**
 * Changes a license's details, customer (null removes it) and custom field values (null goes back
 * to the product default) in one batch (one transaction). False when there is no such license.
 */
export async function updateLicenseDetails(
  db: D1Database,
  licenseId: number,
  details: LicenseDetailChanges,
  customer: CustomerInput | null | undefined,
  customFields: Array<{ fieldId: number; value: string | null }>,
): Promise<boolean> {
  const set = setClause(details);
  const statements = [
    // Touches the row even when only the customer or custom fields change, so "no such license" is seen.
    db.prepare(`UPDATE licenses SET ${set.sql || "id = id"} WHERE id = ?`).bind(...set.values, licenseId),
    ...(customer === null ? [db.prepare("DELETE FROM license_customers WHERE license_id = ?").bind(licenseId)] : []),
    ...(customer ? [customerUpsert(db, licenseId, customer)] : []),
    ...customFields.map(({ fieldId, value }) => setCustomFieldValue(db, licenseId, fieldId, value)),
  ];
  const [updated] = await db.batch(statements);
  return updated!.meta.changes > 0;
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

/** Enables or disables a license; false when there is no such license. */
export async function setLicenseEnabled(
  db: D1Database,
  licenseId: number,
  enabled: boolean,
  /** Webhook event statements run first, in the same transaction (src/db/webhooks.ts). */
  announce: readonly D1PreparedStatement[] = [],
): Promise<{ changed: boolean; deliveries: number[] }> {
  const results = await db.batch([...announce, db.prepare("UPDATE licenses SET enabled = ? WHERE id = ?").bind(bit(enabled), licenseId)]);
  return {
    changed: results.at(-1)!.meta.changes > 0,
    deliveries: announce.length > 0 ? createdDeliveries(results, announce.length - 1) : [],
  };
}
