/**
 * What a counter object decides with and answers (src/counter/snapshot.ts), read from D1 in one
 * batch: the license with its product and details, its users, its active or blacklisted devices,
 * its features, its customer and its custom fields: everything the license object of
 * check_license is made of (toLicenseDetails). Every object of a license reads the same rows (a
 * feature counter then picks its own feature), so rows read for one object, or by the Worker on its
 * way to it, can seed any other object of the license.
 *
 * The object stores the rows as D1 answered them, not the snapshot made of them: a change to how
 * rows become a snapshot (toCounterSnapshot) applies to stored rows at once, and the statements'
 * text is fingerprinted (SNAPSHOT_SHAPE), so rows that older statements read (before a field was
 * added) are never used. Adding a field to the snapshot is a change to a statement (here, or the
 * one it shares: the custom fields') and to toCounterSnapshot or toLicenseDetails here; stored
 * snapshots follow by themselves. No password hash is ever part of it.
 */
import { foldAscii, type CounterSnapshot, type CounterTarget, type SnapshotRead } from "../counter/snapshot";
import {
  FEATURE_VALUES,
  LICENSE_EXPIRY_COLUMNS,
  LICENSE_FLOATING_COLUMNS,
  LICENSE_OF_LOOKUP,
  NEWEST_LICENSE_FIRST,
  licenseExpiryOf,
  licenseFloatingOf,
  toLicenseFeature,
  type AuthorizationMethod,
  type LicenseExpiryColumns,
  type LicenseFeatureColumns,
  type LicenseFloatingColumns,
  type LicenseLookup,
  type LicenseType,
} from "./license-context";
import type { CustomFieldValueResource } from "../models/product-custom-field";
import { licenseCustomFieldsSql } from "./custom-fields";
import { CUSTOMER_COLUMNS, type CustomerRow } from "./customers";
import type { LicenseUser } from "./license-users";
import type { LicenseDetails } from "./licenses";
import type { ProductVersionResource } from "../models/product-version";
import { newestOf, newestVersionsSql, type ProductVersionRow, type VersionFilter } from "./product-versions";
import { licenseRuleColumns, rulesFromColumns, type RuleColumns } from "./rule-columns";

interface SnapshotLicenseRow extends RuleColumns<"l_">, LicenseFloatingColumns, LicenseExpiryColumns {
  product_id: number;
  short_code: string;
  authorization_method: AuthorizationMethod;
  company_id: number;
  defaults_version: number;
  license_id: number;
  license_key: string | null;
  enabled: number;
  active: number;
  validity_period: string | null;
  license_type: LicenseType;
  l_total_consumptions: number;
  write_version: number;
  product_name: string;
  product_metadata: string;
  max_activations: number;
  allow_unlimited_activations: number;
  created_at: string;
  metadata: string;
  order_store_id: string | null;
  max_license_users: number;
  is_trial: number;
  trial_days: number;
  allow_trial: number;
  product_trial_days: number;
  start_date: string | null;
  maintenance_period: string | null;
  prevent_vm: number;
  allow_grace_period: number;
  grace_period: number;
  allow_offline_activation: number;
  max_transfers: number;
  transfer_count: number;
}

interface UserRow {
  id: number;
  username: string;
  is_default: number;
  first_name: string;
  last_name: string;
  phone_number: string;
  is_initial_password: number;
}

interface DeviceRow {
  id: number;
  hardware_id: string;
  active: number;
  blacklisted: number;
}

// Each statement reads the license `target` names: by id (the object's own read), or by the
// request's identity, resolved as the Worker's context lookup resolves it (src/db/license-context.ts).
const THE_LICENSE = "(SELECT id FROM target)";

const STATEMENTS = [
  // The license and its product.
  `SELECT p.id AS product_id, p.short_code, p.authorization_method, p.company_id, p.defaults_version,
          l.id AS license_id, l.license_key, l.enabled, l.active, l.validity_period, l.license_type,
          ${licenseRuleColumns("l", "l_")}, l.total_consumptions AS l_total_consumptions, ${LICENSE_FLOATING_COLUMNS},
          l.write_version, p.name AS product_name, p.metadata AS product_metadata, l.max_activations, l.allow_unlimited_activations,
          l.created_at, l.metadata, l.order_store_id, l.max_license_users, l.is_trial, l.trial_days, ${LICENSE_EXPIRY_COLUMNS},
          p.allow_trial, p.trial_days AS product_trial_days, l.start_date, l.maintenance_period, l.prevent_vm, l.allow_grace_period,
          l.grace_period, l.allow_offline_activation, l.max_transfers, l.transfer_count
   FROM licenses l JOIN products p ON p.id = l.product_id
   WHERE l.id = ${THE_LICENSE}`,
  // For each user of the license: is this license the one that user gets without a license_id?
  // The order the D1 lookup uses (NEWEST_LICENSE_FIRST), over the user's licenses of the product.
  `SELECT lu.id, lu.username, lu.first_name, lu.last_name, lu.phone_number, lu.is_initial_password,
          (SELECT l.id FROM licenses l JOIN license_users other ON other.license_id = l.id
           WHERE other.username = lu.username AND l.product_id = mine.product_id
           ORDER BY ${NEWEST_LICENSE_FIRST} LIMIT 1) = mine.id AS is_default
   FROM license_users lu JOIN licenses mine ON mine.id = lu.license_id
   WHERE lu.license_id = ${THE_LICENSE} ORDER BY lu.id`,
  `SELECT id, hardware_id, active, blacklisted FROM devices
   WHERE license_id = ${THE_LICENSE} AND (active = 1 OR blacklisted = 1) ORDER BY id`,
  // Every feature on the license (not those removed from it), so that any of its objects can take these rows.
  `SELECT lf.id, pf.code, pf.name, pf.feature_type, lf.expiry_date, ${FEATURE_VALUES}
   FROM license_features lf JOIN product_features pf ON pf.id = lf.product_feature_id
   WHERE lf.license_id = ${THE_LICENSE} AND lf.removed_at IS NULL ORDER BY lf.id`,
  `SELECT ${CUSTOMER_COLUMNS} FROM licenses l JOIN customers c ON c.id = l.customer_id WHERE l.id = ${THE_LICENSE}`,
  licenseCustomFieldsSql(THE_LICENSE),
  // The newest enabled version of the product for each environment and channel (installation_file).
  newestVersionsSql(`(SELECT product_id FROM licenses WHERE id = ${THE_LICENSE})`),
] as const;

/** How many statements a snapshot read is. */
export const SNAPSHOT_STATEMENTS = STATEMENTS.length;

/**
 * The fingerprint of the statements' text (FNV-1a, 32 bits): stored rows and seeds carry it, and
 * rows with another fingerprint were read by other code and are not used.
 */
export const SNAPSHOT_SHAPE = fingerprint(STATEMENTS.join("\n;\n"));

const BY_ID = "WITH target(id) AS (SELECT ?1) ";
// The license a request's identity names, as licenseContextStatement finds it (parameters ?1..?4).
const BY_LOOKUP = `WITH target(id) AS (SELECT ${LICENSE_OF_LOOKUP}) `;

/** The statements that read the snapshot of license `licenseId`. */
export function snapshotStatements(db: D1Database, licenseId: number): D1PreparedStatement[] {
  return STATEMENTS.map((sql) => db.prepare(BY_ID + sql).bind(licenseId));
}

/**
 * The same statements for the license a request names (no rows when it names none), for a read
 * that also resolves the request: the Worker's first read of a license seeds its counter object.
 */
export function snapshotStatementsFor(db: D1Database, lookup: LicenseLookup): D1PreparedStatement[] {
  return STATEMENTS.map((sql) =>
    db.prepare(BY_LOOKUP + sql).bind(lookup.product, lookup.licenseKey ?? null, lookup.username ?? null, lookup.licenseId ?? null),
  );
}

/** The read, from what the statements answered (in order) and when the read started. */
export function snapshotReadOf(results: ReadonlyArray<D1Result>, readAt: number): SnapshotRead {
  return { shape: SNAPSHOT_SHAPE, rows: results.map((result) => result.results), readAt };
}

/** Reads license `licenseId`'s snapshot in one batch. */
export async function readCounterSnapshot(db: D1Database, licenseId: number): Promise<SnapshotRead> {
  const readAt = Date.now();
  return snapshotReadOf(await db.batch(snapshotStatements(db, licenseId)), readAt);
}

/** The license's write version and its product's version in a read (null: the read found no license). */
export function versionsOf(read: SnapshotRead): { writeVersion: number; productVersion: number } | null {
  const row = read.rows[0]?.[0] as SnapshotLicenseRow | undefined;
  return row ? { writeVersion: row.write_version, productVersion: row.defaults_version } : null;
}

/**
 * The snapshot a counter decides with, made from a read: null when the read found no license, or
 * no such feature for a feature counter.
 */
export function toCounterSnapshot(read: SnapshotRead, target: CounterTarget): CounterSnapshot | null {
  const [licenseRows = [], userRows = [], deviceRows = [], featureRows = []] = read.rows;
  const row = licenseRows[0] as SnapshotLicenseRow | undefined;
  if (!row || row.license_id !== target.licenseId) return null;
  const featureRow =
    target.licenseFeatureId === null
      ? undefined
      : (featureRows as Array<LicenseFeatureColumns & { id: number }>).find((feature) => feature.id === target.licenseFeatureId);
  if (target.licenseFeatureId !== null && !featureRow) return null;
  return {
    product: {
      id: row.product_id,
      shortCode: row.short_code,
      authorizationMethod: row.authorization_method,
      companyId: row.company_id,
      defaultsVersion: row.defaults_version,
    },
    license: {
      id: row.license_id,
      licenseKey: row.license_key,
      enabled: row.enabled === 1,
      active: row.active === 1,
      validityPeriod: row.validity_period,
      ...licenseExpiryOf(row),
      licenseType: row.license_type,
      mirroredTotal: row.l_total_consumptions,
      rules: rulesFromColumns(row, "l_"),
      floating: licenseFloatingOf(row),
    },
    users: (userRows as UserRow[]).map((user) => ({
      username: user.username,
      isDefault: user.is_default === 1,
    })),
    devices: new Map(
      (deviceRows as DeviceRow[]).map((device) => [
        device.hardware_id,
        { id: device.id, hardwareId: device.hardware_id, active: device.active === 1, blacklisted: device.blacklisted === 1 },
      ]),
    ),
    feature: featureRow ? { ...toLicenseFeature(featureRow), id: featureRow.id } : null,
  };
}

/** The license in full, as check_license and activate_license answer it (null: the read found no license). */
export function toLicenseDetails(read: SnapshotRead): LicenseDetails | null {
  const [licenseRows = [], , deviceRows = [], featureRows = [], customerRows = [], customFieldRows = []] = read.rows;
  const row = licenseRows[0] as SnapshotLicenseRow | undefined;
  if (!row) return null;
  return {
    product: {
      id: row.product_id,
      shortCode: row.short_code,
      name: row.product_name,
      authorizationMethod: row.authorization_method,
      companyId: row.company_id,
      metadataJson: row.product_metadata,
      allowTrial: row.allow_trial === 1,
      trialDays: row.product_trial_days,
    },
    maxActivations: row.max_activations,
    allowUnlimitedActivations: row.allow_unlimited_activations === 1,
    timesActivated: (deviceRows as DeviceRow[]).filter((device) => device.active === 1).length,
    createdAt: row.created_at,
    validityPeriod: row.validity_period,
    metadataJson: row.metadata,
    orderStoreId: row.order_store_id,
    maxLicenseUsers: row.max_license_users,
    isTrial: row.is_trial === 1,
    trialDays: row.trial_days,
    startDate: row.start_date,
    maintenancePeriod: row.maintenance_period,
    preventVm: row.prevent_vm === 1,
    allowGracePeriod: row.allow_grace_period === 1,
    gracePeriod: row.grace_period,
    allowOfflineActivation: row.allow_offline_activation === 1,
    maxTransfers: row.max_transfers,
    transferCount: row.transfer_count,
    customer: (customerRows as CustomerRow[])[0] ?? null,
    customFields: customFieldRows as CustomFieldValueResource[],
    features: (featureRows as Array<LicenseFeatureColumns & { id: number }>).map((feature) => ({
      ...toLicenseFeature(feature),
      id: feature.id,
    })),
  };
}

/** The newest enabled version of the license's product for the client's build (null: none), from a read. */
export function installationFileOf(read: SnapshotRead, build: VersionFilter): ProductVersionResource | null {
  return newestOf((read.rows[6] ?? []) as ProductVersionRow[], build);
}

/** The license user named `username` (as the D1 lookup matches it: ASCII case folded), without a password hash; null: none. */
export function licenseUserOf(read: SnapshotRead, username: string): LicenseUser | null {
  const [licenseRows = [], userRows = []] = read.rows;
  const license = licenseRows[0] as SnapshotLicenseRow | undefined;
  const wanted = foldAscii(username);
  const row = (userRows as UserRow[]).find((user) => foldAscii(user.username) === wanted);
  if (!license || !row) return null;
  return {
    id: row.id,
    licenseId: license.license_id,
    username: row.username,
    passwordHash: null,
    firstName: row.first_name,
    lastName: row.last_name,
    phoneNumber: row.phone_number,
    isInitialPassword: row.is_initial_password === 1,
  };
}

function fingerprint(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, "0");
}
