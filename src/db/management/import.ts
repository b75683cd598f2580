/**
 * D1 reads and writes of the bulk imports (docs/migration.md). Rows travel as JSON parameters read
 * with json_each (D1 binds at most 100 values per statement, and one JSON value carries any number
 * of rows), split so that no parameter comes near D1's 1,000,000-byte limit on one value. The
 * writes of one import call are returned as statements for ONE db.batch: one D1 transaction, so a
 * call is imported whole or not at all.
 */
import type { ConsumptionPeriod } from "../../counter/consumption-rules";
import type { AuthorizationMethod, LicenseType } from "../license-context";
import type { Customer } from "../licenses";
import { CUSTOMER_FIELDS } from "./licenses";

/** A JSON parameter stays below this many bytes (D1 refuses a string over 1,000,000 bytes). */
const MAX_PARAMETER_BYTES = 500_000;
const encoder = new TextEncoder();

/** `items` as JSON arrays of at most MAX_PARAMETER_BYTES each (one item alone may be larger: rows are capped at 64 KiB). */
export function jsonChunks(items: readonly unknown[]): string[] {
  const chunks: string[] = [];
  let current: string[] = [];
  let size = 2;
  for (const item of items) {
    const text = JSON.stringify(item);
    const bytes = encoder.encode(text).byteLength + 1;
    if (current.length > 0 && size + bytes > MAX_PARAMETER_BYTES) {
      chunks.push(`[${current.join(",")}]`);
      current = [];
      size = 2;
    }
    current.push(text);
    size += bytes;
  }
  if (current.length > 0) chunks.push(`[${current.join(",")}]`);
  return chunks;
}

/** One statement per chunk of `items` (none for no items). */
function perChunk(db: D1Database, sql: string, items: readonly unknown[]): D1PreparedStatement[] {
  return jsonChunks(items).map((chunk) => db.prepare(sql).bind(chunk));
}

/** Runs a read over `items` chunk by chunk, in one batch, and concatenates the results. */
async function readAll<T>(db: D1Database, sql: string, items: readonly unknown[]): Promise<T[]> {
  const statements = perChunk(db, sql, items);
  if (statements.length === 0) return [];
  const results = await db.batch<T>(statements);
  return results.flatMap((result) => result.results);
}

// ---------------------------------------------------------------- API keys

export interface StoredApiKey {
  id: number;
  api_key: string;
  shared_key: string;
}

export function findApiKeys(db: D1Database, apiKeys: readonly string[]): Promise<StoredApiKey[]> {
  return readAll<StoredApiKey>(
    db,
    "SELECT k.id, k.api_key, k.shared_key FROM json_each(?1) r JOIN api_keys k ON k.api_key = r.value",
    apiKeys,
  );
}

/** The company of each product id that exists. */
export function productCompanies(db: D1Database, productIds: readonly number[]): Promise<Array<{ id: number; company_id: number }>> {
  return readAll(db, "SELECT p.id, p.company_id FROM json_each(?1) r JOIN products p ON p.id = r.value", productIds);
}

export interface NewApiKeyRow {
  api_key: string;
  shared_key: string;
  read_only: number;
  company_id: number;
  product_ids: number[];
}

export function insertApiKeysStatements(db: D1Database, keys: readonly NewApiKeyRow[]): D1PreparedStatement[] {
  return [
    ...perChunk(
      db,
      `INSERT INTO api_keys (api_key, shared_key, read_only, company_id)
       SELECT json_extract(value, '$.api_key'), json_extract(value, '$.shared_key'), json_extract(value, '$.read_only'), json_extract(value, '$.company_id')
       FROM json_each(?1)`,
      keys,
    ),
    ...perChunk(
      db,
      `INSERT INTO api_key_products (api_key_id, product_id)
       SELECT k.id, p.value FROM json_each(?1) r JOIN api_keys k ON k.api_key = json_extract(r.value, '$.api_key'),
              json_each(json_extract(r.value, '$.product_ids')) p`,
      keys,
    ),
  ];
}

// ---------------------------------------------------------------- licenses

export interface ImportProduct {
  id: number;
  short_code: string;
  authorization_method: AuthorizationMethod;
  /** With their floating defaults, which a license's own floating values must go together with. */
  features: Array<{ id: number; code: string; is_floating_cloud: boolean; floating_users: number }>;
  customFields: Array<{ id: number; name: string }>;
}

/** The products named by short code, with their features and custom fields. */
export async function productsByShortCode(db: D1Database, shortCodes: readonly string[]): Promise<Map<string, ImportProduct>> {
  const codes = JSON.stringify(shortCodes);
  const [products, features, fields] = await db.batch([
    db
      .prepare("SELECT p.id, p.short_code, p.authorization_method FROM json_each(?1) r JOIN products p ON p.short_code = r.value")
      .bind(codes),
    db
      .prepare(
        `SELECT pf.id, pf.code, pf.product_id, pf.is_floating_cloud, pf.floating_users
         FROM json_each(?1) r JOIN products p ON p.short_code = r.value JOIN product_features pf ON pf.product_id = p.id ORDER BY pf.id`,
      )
      .bind(codes),
    db
      .prepare(
        "SELECT f.id, f.name, f.product_id FROM json_each(?1) r JOIN products p ON p.short_code = r.value JOIN product_custom_fields f ON f.product_id = p.id",
      )
      .bind(codes),
  ]);
  const byCode = new Map<string, ImportProduct>();
  for (const product of products!.results as Array<{ id: number; short_code: string; authorization_method: AuthorizationMethod }>) {
    const ofProduct = <T extends { product_id: number }>(rows: T[]) => rows.filter((row) => row.product_id === product.id);
    byCode.set(product.short_code, {
      ...product,
      features: ofProduct(
        features!.results as Array<{ id: number; code: string; product_id: number; is_floating_cloud: number; floating_users: number }>,
      ).map((feature) => ({ ...feature, is_floating_cloud: feature.is_floating_cloud === 1 })),
      customFields: ofProduct(fields!.results as Array<{ id: number; name: string; product_id: number }>),
    });
  }
  return byCode;
}

export interface StoredLicenseIdentity {
  id: number;
  product_id: number;
  license_key: string | null;
}

/** Licenses here that have one of `ids`, or one of the (product, key) pairs. */
export async function findLicenseIdentities(
  db: D1Database,
  ids: readonly number[],
  keys: ReadonlyArray<readonly [productId: number, licenseKey: string]>,
): Promise<StoredLicenseIdentity[]> {
  const [byId, byKey] = await Promise.all([
    readAll<StoredLicenseIdentity>(
      db,
      "SELECT l.id, l.product_id, l.license_key FROM json_each(?1) r JOIN licenses l ON l.id = r.value",
      ids,
    ),
    readAll<StoredLicenseIdentity>(
      db,
      `SELECT l.id, l.product_id, l.license_key FROM json_each(?1) r
       JOIN licenses l ON l.product_id = json_extract(r.value, '$[0]') AND l.license_key = json_extract(r.value, '$[1]')`,
      keys,
    ),
  ]);
  return [...byId, ...byKey];
}

/** The users of these licenses that have no password yet. */
export function usersWithoutPassword(
  db: D1Database,
  licenseIds: readonly number[],
): Promise<Array<{ license_id: number; username: string }>> {
  return readAll(
    db,
    "SELECT lu.license_id, lu.username FROM json_each(?1) r JOIN license_users lu ON lu.license_id = r.value WHERE lu.password_hash IS NULL",
    licenseIds,
  );
}

/** A license row as written (booleans 0/1, metadata as JSON text). */
export interface NewLicenseRow {
  id: number;
  product_id: number;
  license_key: string | null;
  enabled: number;
  license_type: LicenseType;
  validity_period: string | null;
  max_activations: number;
  allow_unlimited_activations: number;
  max_consumptions: number;
  allow_unlimited_consumptions: number;
  allow_overages: number;
  max_overages: number;
  allow_negative_consumptions: number;
  reset_consumption: number;
  consumption_period: ConsumptionPeriod | null;
  metadata: string;
  order_store_id: string | null;
  max_license_users: number;
  is_trial: number;
  trial_days: number;
  created_at: string | null;
  is_floating_cloud: number;
  floating_users: number;
  floating_timeout: number;
  can_borrow: number;
  max_borrow_time: number;
}

export interface NewLicenseUserRow {
  license_id: number;
  username: string;
  password_hash: string | null;
  first_name: string;
  last_name: string;
  phone_number: string;
  is_initial_password: number;
}

export interface NewLicenseFeatureRow {
  license_id: number;
  product_feature_id: number;
  max_consumption: number | null;
  allow_unlimited_consumptions: number | null;
  allow_overages: number | null;
  max_overages: number | null;
  allow_negative_consumptions: number | null;
  reset_consumption: number | null;
  consumption_period: ConsumptionPeriod | null;
  expiry_date: string | null;
  metadata: string | null;
  is_floating_cloud: number | null;
  floating_users: number | null;
  floating_timeout: number | null;
}

/** A customer row to insert: the stored customer of `license_id`. */
export type NewCustomerRow = Customer & { license_id: number };

export interface LicenseWrites {
  licenses: NewLicenseRow[];
  users: NewLicenseUserRow[];
  features: NewLicenseFeatureRow[];
  customers: NewCustomerRow[];
  customFields: Array<{ license_id: number; field_id: number; value: string }>;
  /** Passwords for users of existing licenses who have none yet (the one thing a re-import sets). */
  passwords: Array<{ license_id: number; username: string; password_hash: string; is_initial_password: number }>;
}

/** `columns` read from each json_each row by the same name. */
const extract = (columns: readonly string[]) => columns.map((column) => `json_extract(value, '$.${column}')`).join(", ");

const LICENSE_COLUMNS = [
  "id",
  "product_id",
  "license_key",
  "enabled",
  "license_type",
  "validity_period",
  "max_activations",
  "allow_unlimited_activations",
  "max_consumptions",
  "allow_unlimited_consumptions",
  "allow_overages",
  "max_overages",
  "allow_negative_consumptions",
  "reset_consumption",
  "consumption_period",
  "metadata",
  "order_store_id",
  "max_license_users",
  "is_trial",
  "trial_days",
  "is_floating_cloud",
  "floating_users",
  "floating_timeout",
  "can_borrow",
  "max_borrow_time",
] as const satisfies ReadonlyArray<keyof NewLicenseRow>;
const USER_COLUMNS = [
  "license_id",
  "username",
  "password_hash",
  "first_name",
  "last_name",
  "phone_number",
  "is_initial_password",
] as const satisfies ReadonlyArray<keyof NewLicenseUserRow>;
const FEATURE_COLUMNS = [
  "license_id",
  "product_feature_id",
  "max_consumption",
  "allow_unlimited_consumptions",
  "allow_overages",
  "max_overages",
  "allow_negative_consumptions",
  "reset_consumption",
  "consumption_period",
  "expiry_date",
  "metadata",
  "is_floating_cloud",
  "floating_users",
  "floating_timeout",
] as const satisfies ReadonlyArray<keyof NewLicenseFeatureRow>;
const CUSTOMER_COLUMNS = ["license_id", ...CUSTOMER_FIELDS, "metadata"] as const satisfies ReadonlyArray<keyof NewCustomerRow>;

/**
 * The writes of a license import. The licenses are plain INSERTs (no ON CONFLICT): the caller
 * checked none exists, so a UNIQUE failure means a concurrent write and rolls the whole call back.
 */
export function licenseImportStatements(db: D1Database, writes: LicenseWrites): D1PreparedStatement[] {
  return [
    ...perChunk(
      db,
      `INSERT INTO licenses (${LICENSE_COLUMNS.join(", ")}, created_at)
       SELECT ${extract(LICENSE_COLUMNS)}, COALESCE(json_extract(value, '$.created_at'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
       FROM json_each(?1)`,
      writes.licenses,
    ),
    ...perChunk(
      db,
      `INSERT INTO license_users (${USER_COLUMNS.join(", ")}) SELECT ${extract(USER_COLUMNS)} FROM json_each(?1)`,
      writes.users,
    ),
    ...perChunk(
      db,
      `INSERT INTO license_features (${FEATURE_COLUMNS.join(", ")}) SELECT ${extract(FEATURE_COLUMNS)} FROM json_each(?1)`,
      writes.features,
    ),
    ...perChunk(
      db,
      `INSERT INTO license_customers (${CUSTOMER_COLUMNS.join(", ")}) SELECT ${extract(CUSTOMER_COLUMNS)} FROM json_each(?1)`,
      writes.customers,
    ),
    ...perChunk(
      db,
      `INSERT INTO license_custom_fields (license_id, product_custom_field_id, value)
       SELECT json_extract(value, '$.license_id'), json_extract(value, '$.field_id'), json_extract(value, '$.value') FROM json_each(?1)`,
      writes.customFields,
    ),
    // Only where no password is stored: never replaces one (a user may have changed it here since).
    ...perChunk(
      db,
      `UPDATE license_users SET password_hash = given.password_hash, is_initial_password = given.is_initial_password
       FROM (SELECT json_extract(value, '$.license_id') AS license_id, json_extract(value, '$.username') AS username,
                    json_extract(value, '$.password_hash') AS password_hash, json_extract(value, '$.is_initial_password') AS is_initial_password
             FROM json_each(?1)) AS given
       WHERE license_users.license_id = given.license_id AND license_users.username = given.username AND license_users.password_hash IS NULL`,
      writes.passwords,
    ),
  ];
}

/**
 * Licenses of the same product that share a user with one of `licenseIds` (not those licenses
 * themselves): which license such a user gets without a license_id may have changed.
 */
export async function otherLicensesOfTheirUsers(db: D1Database, licenseIds: readonly number[]): Promise<number[]> {
  const rows = await readAll<{ id: number }>(
    db,
    `SELECT DISTINCT other.license_id AS id
     FROM json_each(?1) r
     JOIN licenses mine ON mine.id = r.value
     JOIN license_users mu ON mu.license_id = mine.id
     JOIN license_users other ON other.username = mu.username AND other.license_id != mine.id
     JOIN licenses l ON l.id = other.license_id AND l.product_id = mine.product_id`,
    licenseIds,
  );
  const imported = new Set(licenseIds);
  return [...new Set(rows.map((row) => row.id))].filter((id) => !imported.has(id));
}

// ---------------------------------------------------------------- devices

export async function existingLicenseIds(db: D1Database, ids: readonly number[]): Promise<Set<number>> {
  const rows = await readAll<{ id: number }>(db, "SELECT l.id FROM json_each(?1) r JOIN licenses l ON l.id = r.value", ids);
  return new Set(rows.map((row) => row.id));
}

export interface StoredDeviceIdentity {
  id: number;
  license_id: number;
  hardware_id: string;
}

export function findDevices(
  db: D1Database,
  pairs: ReadonlyArray<readonly [licenseId: number, hardwareId: string]>,
): Promise<StoredDeviceIdentity[]> {
  return readAll(
    db,
    `SELECT d.id, d.license_id, d.hardware_id FROM json_each(?1) r
     JOIN devices d ON d.license_id = json_extract(r.value, '$[0]') AND d.hardware_id = json_extract(r.value, '$[1]')`,
    pairs,
  );
}

export interface NewDeviceRow {
  license_id: number;
  hardware_id: string;
  active: number;
  blacklisted: number;
  created_at: string | null;
}

/**
 * The device writes, and the licenses they make active ("active" means activated at least once:
 * a license with an active imported device is one). ON CONFLICT DO NOTHING: a device a client
 * activated meanwhile stays as it is.
 */
export function deviceImportStatements(db: D1Database, devices: readonly NewDeviceRow[]): D1PreparedStatement[] {
  return [
    ...perChunk(
      db,
      `INSERT INTO devices (license_id, hardware_id, active, blacklisted, created_at)
       SELECT json_extract(value, '$.license_id'), json_extract(value, '$.hardware_id'), json_extract(value, '$.active'),
              json_extract(value, '$.blacklisted'), COALESCE(json_extract(value, '$.created_at'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
       FROM json_each(?1) WHERE true
       ON CONFLICT (license_id, hardware_id) DO NOTHING`,
      devices,
    ),
    ...perChunk(
      db,
      `UPDATE licenses SET active = 1
       WHERE active = 0 AND id IN (SELECT json_extract(value, '$.license_id') FROM json_each(?1) WHERE json_extract(value, '$.active') = 1)`,
      devices,
    ),
  ];
}

// ---------------------------------------------------------------- totals

export interface TotalTarget {
  license_id: number;
  license_type: LicenseType;
  /** The license's features: code → license feature id and type. */
  features: Map<string, { id: number; featureType: "activation" | "consumption" }>;
}

export async function totalTargets(db: D1Database, licenseIds: readonly number[]): Promise<Map<number, TotalTarget>> {
  const ids = JSON.stringify(licenseIds);
  const [licenses, features] = await db.batch([
    db.prepare("SELECT l.id, l.license_type FROM json_each(?1) r JOIN licenses l ON l.id = r.value").bind(ids),
    db
      .prepare(
        `SELECT lf.id, lf.license_id, pf.code, pf.feature_type FROM json_each(?1) r
         JOIN license_features lf ON lf.license_id = r.value JOIN product_features pf ON pf.id = lf.product_feature_id`,
      )
      .bind(ids),
  ]);
  const targets = new Map<number, TotalTarget>();
  for (const license of licenses!.results as Array<{ id: number; license_type: LicenseType }>) {
    targets.set(license.id, { license_id: license.id, license_type: license.license_type, features: new Map() });
  }
  for (const feature of features!.results as Array<{
    id: number;
    license_id: number;
    code: string;
    feature_type: "activation" | "consumption";
  }>) {
    targets.get(feature.license_id)?.features.set(feature.code, { id: feature.id, featureType: feature.feature_type });
  }
  return targets;
}
