/**
 * License features (table license_features) for the management API: each is a product feature on
 * one license, whose NULL columns inherit the product feature's values (its overrides are the
 * columns that are not NULL). The License API reads them through ./license-context.ts; the counter
 * objects hold the rules they decide with (src/counter/snapshot.ts) and reload them when
 * invalidated (src/counter/counter-stubs.ts invalidateLicenseCounters).
 *
 * A feature removed from a license keeps its row, marked `removed_at`: its id names its counter
 * object and its consumption history refers to it. Every read here (and the License API's) skips
 * removed rows; adding the feature to the license again brings the row, and its counter, back.
 */
import { FeatureOverridesResource, OVERRIDABLE_FIELDS, type FeatureOverridesInput, type OverridableField } from "../models/license-feature";
import { FEATURE_VALUES, toLicenseFeature, type LicenseFeature, type LicenseFeatureColumns } from "./license-context";
import { productVersionRise } from "./products";
import { decodeRow, encodeRow, encodeValue, pick, setClause, type RowOf } from "./row-codec";

/** A license feature as stored: its effective values (the License API's LicenseFeature), what the license overrides, and its ids. */
export interface StoredLicenseFeature {
  licenseId: number;
  productFeatureId: number;
  feature: LicenseFeature & { id: number };
  overrides: FeatureOverridesResource;
}

/** The overridable columns, each as `o_<column>` so that they never meet the effective values of the same name. */
type OverrideColumns = { [K in OverridableField as `o_${K}`]: RowOf<FeatureOverridesResource>[K] };

interface StoredFeatureRow extends LicenseFeatureColumns, OverrideColumns {
  id: number;
  license_id: number;
  product_feature_id: number;
}

const STORED_FEATURE_SELECT = `
SELECT lf.id, lf.license_id, lf.product_feature_id, pf.code, pf.name, pf.feature_type, lf.expiry_date, ${FEATURE_VALUES},
       ${OVERRIDABLE_FIELDS.map((column) => `lf.${column} AS o_${column}`).join(", ")}
FROM license_features lf JOIN product_features pf ON pf.id = lf.product_feature_id`;

export async function licenseFeatures(db: D1Database, licenseId: number): Promise<StoredLicenseFeature[]> {
  const { results } = await db
    .prepare(`${STORED_FEATURE_SELECT} WHERE lf.license_id = ? AND lf.removed_at IS NULL ORDER BY lf.id`)
    .bind(licenseId)
    .all<StoredFeatureRow>();
  return results.map(toStoredFeature);
}

export async function findLicenseFeature(db: D1Database, licenseId: number, code: string): Promise<StoredLicenseFeature | null> {
  const row = await db
    .prepare(`${STORED_FEATURE_SELECT} WHERE lf.license_id = ? AND pf.code = ? AND lf.removed_at IS NULL`)
    .bind(licenseId, code)
    .first<StoredFeatureRow>();
  return row && toStoredFeature(row);
}

/**
 * Changes a license feature's own values (null: inherit the product default again). The License
 * API reads them with its next request; the counter objects hold the rules they decide with, so
 * the caller invalidates them before it answers. False when the license has no such feature.
 */
export async function updateLicenseFeature(
  db: D1Database,
  licenseId: number,
  code: string,
  changes: FeatureOverridesInput,
  after: D1PreparedStatement[] = [],
): Promise<boolean> {
  const set = setClause(changes);
  const [result] = await db.batch([
    db
      .prepare(
        `UPDATE license_features SET ${set.sql}
         WHERE license_id = ? AND removed_at IS NULL
           AND product_feature_id = (SELECT pf.id FROM product_features pf JOIN licenses l ON l.product_id = pf.product_id WHERE l.id = ? AND pf.code = ?)`,
      )
      .bind(...set.values, licenseId, licenseId, code),
    ...after,
  ]);
  return result!.meta.changes > 0;
}

/** The columns a feature is added with: every overridable value and the expiry date, NULL (inherit, no expiry) where not sent. */
const ADDED_COLUMNS = [...OVERRIDABLE_FIELDS, "expiry_date"] as const;
const addedValues = (overrides: FeatureOverridesInput) => ADDED_COLUMNS.map((column) => encodeValue(overrides[column] ?? null));

/**
 * Adds a product feature to a license with its own values, in one transaction with `after`: a new
 * row, or the row of a feature removed before, brought back with these values (and its counter).
 * False when the license has the feature already.
 */
export async function addLicenseFeature(
  db: D1Database,
  licenseId: number,
  productFeatureId: number,
  overrides: FeatureOverridesInput,
  after: D1PreparedStatement[] = [],
): Promise<boolean> {
  const [result] = await db.batch([
    db
      .prepare(
        `INSERT INTO license_features (license_id, product_feature_id, ${ADDED_COLUMNS.join(", ")})
         VALUES (?, ?, ${ADDED_COLUMNS.map(() => "?").join(", ")})
         ON CONFLICT (license_id, product_feature_id) DO UPDATE SET removed_at = NULL,
           ${ADDED_COLUMNS.map((column) => `${column} = excluded.${column}`).join(", ")}
         WHERE license_features.removed_at IS NOT NULL`,
      )
      .bind(licenseId, productFeatureId, ...addedValues(overrides)),
    ...after,
  ]);
  return result!.meta.changes > 0;
}

/**
 * Adds a product feature to every license of its product that never had it (not archived ones;
 * not those it was removed from, which a vendor removed on purpose), in one transaction with
 * `after` (which may count the licenses: it runs right after the insert) and the rise of the
 * product's version, which tells the licenses' counter objects to read their license again
 * (src/license-api/edge-state.ts). The number of licenses that got it.
 */
export async function addFeatureToProductLicenses(
  db: D1Database,
  productId: number,
  productFeatureId: number,
  overrides: FeatureOverridesInput,
  after: D1PreparedStatement[] = [],
): Promise<number> {
  const [result] = await db.batch([
    db
      .prepare(
        `INSERT INTO license_features (license_id, product_feature_id, ${ADDED_COLUMNS.join(", ")})
         SELECT l.id, ?, ${ADDED_COLUMNS.map(() => "?").join(", ")} FROM licenses l
         WHERE l.product_id = ? AND l.archived_at IS NULL
         ON CONFLICT (license_id, product_feature_id) DO NOTHING`,
      )
      .bind(productFeatureId, ...addedValues(overrides), productId),
    ...after,
    productVersionRise(db, productId),
  ]);
  return result!.meta.changes;
}

/** Removes a feature from a license (the row stays, marked removed), in one transaction with `after`; false when it was not on it. */
export async function removeLicenseFeature(
  db: D1Database,
  licenseId: number,
  licenseFeatureId: number,
  after: D1PreparedStatement[] = [],
): Promise<boolean> {
  const [result] = await db.batch([
    db
      .prepare(
        "UPDATE license_features SET removed_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ? AND license_id = ? AND removed_at IS NULL",
      )
      .bind(licenseFeatureId, licenseId),
    ...after,
  ]);
  return result!.meta.changes > 0;
}

/** A license feature to insert with its own values (absent: inherit); `license_id` null: the license the same batch inserts. */
export function licenseFeatureInsertRow(licenseId: number | null, productFeatureId: number, overrides: FeatureOverridesInput) {
  return {
    license_id: licenseId,
    product_feature_id: productFeatureId,
    ...encodeRow(pick(overrides, [...OVERRIDABLE_FIELDS, "expiry_date"])),
  };
}

/** The counters of licenses, for a totals import: each license's type, and its features by code. */
export interface TotalTarget {
  license_id: number;
  license_type: string;
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
         JOIN license_features lf ON lf.license_id = r.value AND lf.removed_at IS NULL JOIN product_features pf ON pf.id = lf.product_feature_id`,
      )
      .bind(ids),
  ]);
  const targets = new Map<number, TotalTarget>();
  for (const license of licenses!.results as Array<{ id: number; license_type: string }>) {
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

function toStoredFeature(row: StoredFeatureRow): StoredLicenseFeature {
  const overrides = Object.fromEntries(OVERRIDABLE_FIELDS.map((column) => [column, row[`o_${column}`]])) as RowOf<FeatureOverridesResource>;
  return {
    licenseId: row.license_id,
    productFeatureId: row.product_feature_id,
    feature: { ...toLicenseFeature(row), id: row.id },
    overrides: decodeRow(FeatureOverridesResource, overrides),
  };
}
