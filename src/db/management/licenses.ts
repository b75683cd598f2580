/**
 * Issuing, finding and changing licenses and their features, for the management API (tables
 * licenses, license_users, license_features, license_customers, license_custom_fields). The
 * License API reads these rows on every request, so each write here is seen by the very next
 * License API request.
 */
import type { ConsumptionPeriod, ConsumptionRules } from "../../counter/consumption-rules";
import { FEATURE_VALUES, toLicenseFeature, type LicenseFeature, type LicenseFeatureColumns } from "../license-context";
import type { Customer } from "../licenses";
import { licenseRuleColumns, rulesFromColumns, type RuleColumns } from "../rule-columns";
import { keysetPage, type KeysetPage } from "./keyset-page";
import { bit, setClause } from "./sql-values";

/** A license as the management API lists it. */
export interface LicenseRecord {
  id: number;
  product_id: number;
  product_short_code: string;
  license_key: string | null;
  users: string[];
  enabled: boolean;
  active: boolean;
  license_type: string;
  validity_period: string | null;
  max_activations: number;
  allow_unlimited_activations: boolean;
  created_at: string;
  metadata: Record<string, unknown>;
  order_store_id: string | null;
  max_license_users: number;
  is_trial: boolean;
  trial_days: number;
  is_floating_cloud: boolean;
  floating_users: number;
  floating_timeout: number;
  can_borrow: boolean;
  max_borrow_time: number;
}

/** A license's floating settings (columns of licenses). */
export interface LicenseFloatingValues {
  is_floating_cloud: boolean;
  floating_users: number;
  floating_timeout: number;
  can_borrow: boolean;
  max_borrow_time: number;
}

/** A license's details the SDK shows, as the management API sets them (columns of licenses). */
export interface LicenseDetailValues extends Partial<LicenseFloatingValues> {
  metadata?: Record<string, unknown> | undefined;
  order_store_id?: string | null | undefined;
  max_license_users?: number | undefined;
  is_trial?: boolean | undefined;
  trial_days?: number | undefined;
}

/** A customer as stored (license_customers), every field a string; metadata a JSON object. */
export type CustomerValues = Omit<Customer, "metadata"> & { metadata: Record<string, unknown> };

/** A customer's text fields, in table order (metadata, JSON, follows them). */
export const CUSTOMER_FIELDS = [
  "email",
  "first_name",
  "last_name",
  "company_name",
  "phone",
  "reference",
  "address",
  "city",
  "postcode",
  "state",
  "country",
] as const satisfies ReadonlyArray<keyof CustomerValues>;

/** What a license detail shows besides the license row: customer, custom field values, license users. */
export interface LicenseExtras {
  customer: CustomerValues | null;
  custom_fields: Array<{ name: string; data_type: "number" | "text" | "date/time" | null; value: string }>;
  license_users: Array<{ username: string; first_name: string; last_name: string; phone_number: string; is_initial_password: boolean }>;
}

/** A license feature's own values; null (or absent) inherits the product feature's. */
export interface LicenseFeatureValues {
  max_consumption?: number | null | undefined;
  allow_unlimited_consumptions?: boolean | null | undefined;
  allow_overages?: boolean | null | undefined;
  max_overages?: number | null | undefined;
  allow_negative_consumptions?: boolean | null | undefined;
  reset_consumption?: boolean | null | undefined;
  consumption_period?: ConsumptionPeriod | null | undefined;
  expiry_date?: string | null | undefined;
  metadata?: Record<string, unknown> | null | undefined;
  is_floating_cloud?: boolean | null | undefined;
  floating_users?: number | null | undefined;
  floating_timeout?: number | null | undefined;
}

/** A consumption license's own rules (columns of licenses). */
export interface LicenseConsumptionValues {
  max_consumptions: number;
  allow_unlimited_consumptions: boolean;
  allow_overages: boolean;
  max_overages: number;
  allow_negative_consumptions: boolean;
  reset_consumption: boolean;
  consumption_period: ConsumptionPeriod | null;
}

export interface LicenseFilters {
  cursor?: number | undefined;
  limit: number;
  product_id?: number | undefined;
  license_key?: string | undefined;
  username?: string | undefined;
  enabled?: boolean | undefined;
}

export interface NewLicense {
  productId: number;
  licenseKey: string | null;
  users: Array<{ username: string; passwordHash: string | null; first_name: string; last_name: string; phone_number: string }>;
  enabled: boolean;
  licenseType: string;
  validityPeriod: string | null;
  maxActivations: number;
  allowUnlimitedActivations: boolean;
  /** One entry per product feature: every product feature is put on the license. */
  features: Array<{ productFeatureId: number; overrides: LicenseFeatureValues }>;
  /** License-level consumption rules (consumption licenses); null leaves the columns' defaults. */
  consumption: LicenseConsumptionValues | null;
  details: Required<Omit<LicenseDetailValues, keyof LicenseFloatingValues>>;
  floating: LicenseFloatingValues;
  customer: CustomerValues | null;
  /** Values of product custom fields (by field id); the others keep the product default. */
  customFields: Array<{ fieldId: number; value: string }>;
}

interface LicenseRow {
  id: number;
  product_id: number;
  product_short_code: string;
  license_key: string | null;
  users: string;
  enabled: number;
  active: number;
  license_type: string;
  validity_period: string | null;
  max_activations: number;
  allow_unlimited_activations: number;
  created_at: string;
  metadata: string;
  order_store_id: string | null;
  max_license_users: number;
  is_trial: number;
  trial_days: number;
  is_floating_cloud: number;
  floating_users: number;
  floating_timeout: number;
  can_borrow: number;
  max_borrow_time: number;
}

const LICENSE_SELECT = `
SELECT l.id, l.product_id, p.short_code AS product_short_code, l.license_key,
       (SELECT json_group_array(username) FROM (SELECT username FROM license_users WHERE license_id = l.id ORDER BY id)) AS users,
       l.enabled, l.active, l.license_type, l.validity_period, l.max_activations, l.allow_unlimited_activations, l.created_at,
       l.metadata, l.order_store_id, l.max_license_users, l.is_trial, l.trial_days,
       l.is_floating_cloud, l.floating_users, l.floating_timeout, l.can_borrow, l.max_borrow_time
FROM licenses l JOIN products p ON p.id = l.product_id`;

/**
 * Inserts the license, its users and its features in one D1 batch, which D1 runs as one
 * transaction: a failure (a taken key, a duplicate user) leaves nothing behind. Later statements
 * find the new license as MAX(licenses.id): SQLite gives a new row the largest rowid, and no
 * other write can interleave inside the transaction. Throws D1's UNIQUE error on a conflict.
 */
export async function insertLicense(db: D1Database, license: NewLicense): Promise<number> {
  const newLicenseId = "(SELECT MAX(id) FROM licenses)";
  const consumption = license.consumption ?? NO_LICENSE_CONSUMPTION;
  const statements = [
    db
      .prepare(
        `INSERT INTO licenses (product_id, license_key, enabled, active, license_type, validity_period, max_activations, allow_unlimited_activations,
           max_consumptions, allow_unlimited_consumptions, allow_overages, max_overages, allow_negative_consumptions, reset_consumption, consumption_period,
           metadata, order_store_id, max_license_users, is_trial, trial_days,
           is_floating_cloud, floating_users, floating_timeout, can_borrow, max_borrow_time)
         VALUES (?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .bind(
        license.productId,
        license.licenseKey,
        bit(license.enabled),
        license.licenseType,
        license.validityPeriod,
        license.maxActivations,
        bit(license.allowUnlimitedActivations),
        consumption.max_consumptions,
        bit(consumption.allow_unlimited_consumptions),
        bit(consumption.allow_overages),
        consumption.max_overages,
        bit(consumption.allow_negative_consumptions),
        bit(consumption.reset_consumption),
        consumption.consumption_period,
        JSON.stringify(license.details.metadata),
        license.details.order_store_id,
        license.details.max_license_users,
        bit(license.details.is_trial),
        license.details.trial_days,
        bit(license.floating.is_floating_cloud),
        license.floating.floating_users,
        license.floating.floating_timeout,
        bit(license.floating.can_borrow),
        license.floating.max_borrow_time,
      ),
    ...license.users.map((user) =>
      db
        .prepare(
          `INSERT INTO license_users (license_id, username, password_hash, first_name, last_name, phone_number) VALUES (${newLicenseId}, ?, ?, ?, ?, ?)`,
        )
        .bind(user.username, user.passwordHash, user.first_name, user.last_name, user.phone_number),
    ),
    ...(license.customer ? [customerUpsert(db, newLicenseId, license.customer)] : []),
    ...license.customFields.map(({ fieldId, value }) =>
      db
        .prepare(`INSERT INTO license_custom_fields (license_id, product_custom_field_id, value) VALUES (${newLicenseId}, ?, ?)`)
        .bind(fieldId, value),
    ),
    ...license.features.map(({ productFeatureId, overrides }) =>
      db
        .prepare(
          `INSERT INTO license_features (license_id, product_feature_id, max_consumption, allow_unlimited_consumptions, allow_overages, max_overages,
             allow_negative_consumptions, reset_consumption, consumption_period, expiry_date, metadata, is_floating_cloud, floating_users, floating_timeout)
           VALUES (${newLicenseId}, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .bind(
          productFeatureId,
          overrides.max_consumption ?? null,
          optionalBit(overrides.allow_unlimited_consumptions),
          optionalBit(overrides.allow_overages),
          overrides.max_overages ?? null,
          optionalBit(overrides.allow_negative_consumptions),
          optionalBit(overrides.reset_consumption),
          overrides.consumption_period ?? null,
          overrides.expiry_date ?? null,
          overrides.metadata ? JSON.stringify(overrides.metadata) : null,
          optionalBit(overrides.is_floating_cloud),
          overrides.floating_users ?? null,
          overrides.floating_timeout ?? null,
        ),
    ),
    db.prepare(`SELECT ${newLicenseId} AS id`),
  ];
  const results = await db.batch<{ id: number }>(statements);
  return results.at(-1)!.results[0]!.id;
}

const NO_LICENSE_CONSUMPTION: LicenseConsumptionValues = {
  max_consumptions: 0,
  allow_unlimited_consumptions: false,
  allow_overages: false,
  max_overages: 0,
  allow_negative_consumptions: false,
  reset_consumption: false,
  consumption_period: null,
};

export async function findLicense(db: D1Database, licenseId: number): Promise<LicenseRecord | null> {
  const row = await db.prepare(`${LICENSE_SELECT} WHERE l.id = ?`).bind(licenseId).first<LicenseRow>();
  return row && toLicense(row);
}

/** Licenses in id order, filtered by product, key, user (case-insensitive) and enabled state. */
export async function listLicenses(db: D1Database, query: LicenseFilters): Promise<KeysetPage<LicenseRecord>> {
  const { results } = await db
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
    )
    .all<LicenseRow>();
  const page = keysetPage(results, query.limit);
  return { items: page.items.map(toLicense), nextCursor: page.nextCursor };
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

/** Writes (or replaces) a license's customer; `licenseId` is a number or an SQL expression for it. */
function customerUpsert(db: D1Database, licenseId: number | string, customer: CustomerValues): D1PreparedStatement {
  const columns = [...CUSTOMER_FIELDS, "metadata"].join(", ");
  const id = typeof licenseId === "number" ? "?" : licenseId;
  const values = [...CUSTOMER_FIELDS.map((field) => customer[field]), JSON.stringify(customer.metadata)];
  return db
    .prepare(
      `INSERT INTO license_customers (license_id, ${columns}) VALUES (${id}, ${values.map(() => "?").join(", ")})
       ON CONFLICT (license_id) DO UPDATE SET ${[...CUSTOMER_FIELDS, "metadata"].map((column) => `${column} = excluded.${column}`).join(", ")}`,
    )
    .bind(...(typeof licenseId === "number" ? [licenseId] : []), ...values);
}

/**
 * Changes a license's details, customer (null removes it) and custom field values (null goes back
 * to the product default) in one batch (one transaction). False when there is no such license.
 */
export async function updateLicenseDetails(
  db: D1Database,
  licenseId: number,
  details: LicenseDetailValues,
  customer: CustomerValues | null | undefined,
  customFields: Array<{ fieldId: number; value: string | null }>,
): Promise<boolean> {
  const set = setClause(details);
  const statements = [
    // Touches the row even when only the customer or custom fields change, so "no such license" is seen.
    db.prepare(`UPDATE licenses SET ${set.sql || "id = id"} WHERE id = ?`).bind(...set.values, licenseId),
    ...(customer === null ? [db.prepare("DELETE FROM license_customers WHERE license_id = ?").bind(licenseId)] : []),
    ...(customer ? [customerUpsert(db, licenseId, customer)] : []),
    ...customFields.map(({ fieldId, value }) =>
      value === null
        ? db.prepare("DELETE FROM license_custom_fields WHERE license_id = ? AND product_custom_field_id = ?").bind(licenseId, fieldId)
        : db
            .prepare(
              `INSERT INTO license_custom_fields (license_id, product_custom_field_id, value) VALUES (?, ?, ?)
               ON CONFLICT (license_id, product_custom_field_id) DO UPDATE SET value = excluded.value`,
            )
            .bind(licenseId, fieldId, value),
    ),
  ];
  const [updated] = await db.batch(statements);
  return updated!.meta.changes > 0;
}

/** A license's customer, custom field values and license users, for the license detail. */
export async function licenseExtras(db: D1Database, licenseId: number): Promise<LicenseExtras> {
  const [customer, customFields, users] = await db.batch([
    db.prepare(`SELECT ${[...CUSTOMER_FIELDS, "metadata"].join(", ")} FROM license_customers WHERE license_id = ?`).bind(licenseId),
    db
      .prepare(
        `SELECT f.name, f.data_type, COALESCE(v.value, f.default_value) AS value
         FROM licenses l JOIN product_custom_fields f ON f.product_id = l.product_id
         LEFT JOIN license_custom_fields v ON v.license_id = l.id AND v.product_custom_field_id = f.id
         WHERE l.id = ? ORDER BY f.id`,
      )
      .bind(licenseId),
    db
      .prepare(
        "SELECT username, first_name, last_name, phone_number, is_initial_password FROM license_users WHERE license_id = ? ORDER BY id",
      )
      .bind(licenseId),
  ]);
  const customerRow = (customer!.results as Customer[])[0];
  return {
    customer: customerRow ? { ...customerRow, metadata: JSON.parse(customerRow.metadata) as Record<string, unknown> } : null,
    custom_fields: customFields!.results as LicenseExtras["custom_fields"],
    license_users: (
      users!.results as Array<{
        username: string;
        first_name: string;
        last_name: string;
        phone_number: string;
        is_initial_password: number;
      }>
    ).map((user) => ({ ...user, is_initial_password: user.is_initial_password === 1 })),
  };
}

/** Enables or disables a license; false when there is no such license. */
export async function setLicenseEnabled(db: D1Database, licenseId: number, enabled: boolean): Promise<boolean> {
  const result = await db.prepare("UPDATE licenses SET enabled = ? WHERE id = ?").bind(bit(enabled), licenseId).run();
  return result.meta.changes > 0;
}

/** A consumption license's own counter as stored: its rules and the D1 mirror of its total. */
export interface StoredLicenseCounter {
  licenseId: number;
  rules: ConsumptionRules;
  mirroredTotal: number;
}

interface LicenseCounterRow extends RuleColumns {
  total_consumptions: number;
}

/** The license-level counter of a consumption license; null for other licenses (and unknown ones). */
export async function findLicenseCounter(db: D1Database, licenseId: number): Promise<StoredLicenseCounter | null> {
  const row = await db
    .prepare(`SELECT ${licenseRuleColumns("l")}, l.total_consumptions FROM licenses l WHERE l.id = ? AND l.license_type = 'consumption'`)
    .bind(licenseId)
    .first<LicenseCounterRow>();
  if (!row) return null;
  return {
    licenseId,
    mirroredTotal: row.total_consumptions,
    rules: rulesFromColumns(row),
  };
}

/** Changes a consumption license's own rules; the next add_consumption reads them. False unless it is one. */
export async function updateLicenseConsumption(
  db: D1Database,
  licenseId: number,
  changes: Partial<LicenseConsumptionValues>,
): Promise<boolean> {
  const set = setClause(changes);
  const result = await db
    .prepare(`UPDATE licenses SET ${set.sql} WHERE id = ? AND license_type = 'consumption'`)
    .bind(...set.values, licenseId)
    .run();
  return result.meta.changes > 0;
}

/** A license feature as stored: effective values (LicenseFeature) plus what the license overrides. */
export interface StoredLicenseFeature {
  licenseId: number;
  productFeatureId: number;
  feature: LicenseFeature & { id: number };
  overrides: {
    max_consumption: number | null;
    allow_unlimited_consumptions: boolean | null;
    allow_overages: boolean | null;
    max_overages: number | null;
    allow_negative_consumptions: boolean | null;
    reset_consumption: boolean | null;
    consumption_period: ConsumptionPeriod | null;
    metadata: Record<string, unknown> | null;
    is_floating_cloud: boolean | null;
    floating_users: number | null;
    floating_timeout: number | null;
  };
}

interface StoredFeatureRow extends LicenseFeatureColumns {
  id: number;
  license_id: number;
  product_feature_id: number;
  o_max_consumption: number | null;
  o_allow_unlimited_consumptions: number | null;
  o_allow_overages: number | null;
  o_max_overages: number | null;
  o_allow_negative_consumptions: number | null;
  o_reset_consumption: number | null;
  o_consumption_period: ConsumptionPeriod | null;
  o_metadata: string | null;
  o_is_floating_cloud: number | null;
  o_floating_users: number | null;
  o_floating_timeout: number | null;
}

const STORED_FEATURE_SELECT = `
SELECT lf.id, lf.license_id, lf.product_feature_id, pf.code, pf.name, pf.feature_type, lf.expiry_date, ${FEATURE_VALUES},
       lf.max_consumption AS o_max_consumption, lf.allow_unlimited_consumptions AS o_allow_unlimited_consumptions,
       lf.allow_overages AS o_allow_overages, lf.max_overages AS o_max_overages,
       lf.allow_negative_consumptions AS o_allow_negative_consumptions, lf.reset_consumption AS o_reset_consumption,
       lf.consumption_period AS o_consumption_period, lf.metadata AS o_metadata,
       lf.is_floating_cloud AS o_is_floating_cloud, lf.floating_users AS o_floating_users, lf.floating_timeout AS o_floating_timeout
FROM license_features lf JOIN product_features pf ON pf.id = lf.product_feature_id`;

export async function licenseFeatures(db: D1Database, licenseId: number): Promise<StoredLicenseFeature[]> {
  const { results } = await db
    .prepare(`${STORED_FEATURE_SELECT} WHERE lf.license_id = ? ORDER BY lf.id`)
    .bind(licenseId)
    .all<StoredFeatureRow>();
  return results.map(toStoredFeature);
}

export async function findLicenseFeature(db: D1Database, licenseId: number, code: string): Promise<StoredLicenseFeature | null> {
  const row = await db
    .prepare(`${STORED_FEATURE_SELECT} WHERE lf.license_id = ? AND pf.code = ?`)
    .bind(licenseId, code)
    .first<StoredFeatureRow>();
  return row && toStoredFeature(row);
}

/**
 * Changes a license feature's own values (null: inherit the product default again). The next
 * License API request reads them; the counter object is told nothing because it caches no rules.
 * False when the license has no such feature.
 */
export async function updateLicenseFeature(
  db: D1Database,
  licenseId: number,
  code: string,
  changes: LicenseFeatureValues,
): Promise<boolean> {
  const set = setClause(changes);
  const result = await db
    .prepare(
      `UPDATE license_features SET ${set.sql} WHERE license_id = ? AND product_feature_id = (SELECT pf.id FROM product_features pf JOIN licenses l ON l.product_id = pf.product_id WHERE l.id = ? AND pf.code = ?)`,
    )
    .bind(...set.values, licenseId, licenseId, code)
    .run();
  return result.meta.changes > 0;
}

function toLicense(row: LicenseRow): LicenseRecord {
  return {
    id: row.id,
    product_id: row.product_id,
    product_short_code: row.product_short_code,
    license_key: row.license_key,
    users: JSON.parse(row.users) as string[],
    enabled: row.enabled === 1,
    active: row.active === 1,
    license_type: row.license_type,
    validity_period: row.validity_period,
    max_activations: row.max_activations,
    allow_unlimited_activations: row.allow_unlimited_activations === 1,
    created_at: row.created_at,
    metadata: JSON.parse(row.metadata) as Record<string, unknown>,
    order_store_id: row.order_store_id,
    max_license_users: row.max_license_users,
    is_trial: row.is_trial === 1,
    trial_days: row.trial_days,
    is_floating_cloud: row.is_floating_cloud === 1,
    floating_users: row.floating_users,
    floating_timeout: row.floating_timeout,
    can_borrow: row.can_borrow === 1,
    max_borrow_time: row.max_borrow_time,
  };
}

function toStoredFeature(row: StoredFeatureRow): StoredLicenseFeature {
  return {
    licenseId: row.license_id,
    productFeatureId: row.product_feature_id,
    feature: { ...toLicenseFeature(row), id: row.id },
    overrides: {
      max_consumption: row.o_max_consumption,
      allow_unlimited_consumptions: nullableBool(row.o_allow_unlimited_consumptions),
      allow_overages: nullableBool(row.o_allow_overages),
      max_overages: row.o_max_overages,
      allow_negative_consumptions: nullableBool(row.o_allow_negative_consumptions),
      reset_consumption: nullableBool(row.o_reset_consumption),
      consumption_period: row.o_consumption_period,
      metadata: row.o_metadata === null ? null : (JSON.parse(row.o_metadata) as Record<string, unknown>),
      is_floating_cloud: nullableBool(row.o_is_floating_cloud),
      floating_users: row.o_floating_users,
      floating_timeout: row.o_floating_timeout,
    },
  };
}

const optionalBit = (value: boolean | null | undefined) => (value === undefined || value === null ? null : bit(value));
const nullableBool = (value: number | null) => (value === null ? null : value === 1);
