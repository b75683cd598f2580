/** Products, their features and custom fields (tables products, product_features, product_custom_fields), for the management API. */
import type { ConsumptionPeriod } from "../../counter/consumption-rules";
import type { AuthorizationMethod } from "../license-context";
import { keysetPage, type KeysetPage } from "./keyset-page";
import { bit, setClause } from "./sql-values";

export interface ProductRecord {
  id: number;
  short_code: string;
  name: string;
  authorization_method: AuthorizationMethod;
  company_id: number;
  created_at: string;
  metadata: Record<string, unknown>;
}

interface ProductRow extends Omit<ProductRecord, "metadata"> {
  metadata: string;
}

export interface ProductCustomFieldRecord {
  id: number;
  product_id: number;
  name: string;
  data_type: "number" | "text" | "date/time" | null;
  default_value: string;
}

/** A product feature with the defaults its licenses inherit. */
export interface ProductFeatureValues {
  name: string;
  max_consumption: number;
  allow_unlimited_consumptions: boolean;
  allow_overages: boolean;
  max_overages: number;
  allow_negative_consumptions: boolean;
  reset_consumption: boolean;
  consumption_period: ConsumptionPeriod | null;
  metadata: Record<string, unknown>;
  is_floating_cloud: boolean;
  floating_users: number;
  floating_timeout: number;
}

export interface NewProductFeature extends ProductFeatureValues {
  code: string;
  feature_type: "consumption" | "activation";
}

export interface ProductFeatureRecord extends NewProductFeature {
  id: number;
  product_id: number;
}

interface ProductFeatureRow {
  id: number;
  product_id: number;
  code: string;
  name: string;
  feature_type: "consumption" | "activation";
  max_consumption: number;
  allow_unlimited_consumptions: number;
  allow_overages: number;
  max_overages: number;
  allow_negative_consumptions: number;
  reset_consumption: number;
  consumption_period: ConsumptionPeriod | null;
  metadata: string;
  is_floating_cloud: number;
  floating_users: number;
  floating_timeout: number;
}

const PRODUCT_COLUMNS = "id, short_code, name, authorization_method, company_id, created_at, metadata";

const toProduct = (row: ProductRow): ProductRecord => ({ ...row, metadata: JSON.parse(row.metadata) as Record<string, unknown> });

/** Inserts a product; null when the short code is taken. */
export async function insertProduct(db: D1Database, product: Omit<ProductRecord, "id" | "created_at">): Promise<ProductRecord | null> {
  const row = await db
    .prepare(
      `INSERT INTO products (short_code, name, authorization_method, company_id, metadata) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (short_code) DO NOTHING RETURNING ${PRODUCT_COLUMNS}`,
    )
    .bind(product.short_code, product.name, product.authorization_method, product.company_id, JSON.stringify(product.metadata))
    .first<ProductRow>();
  return row && toProduct(row);
}

export async function findProduct(db: D1Database, productId: number): Promise<ProductRecord | null> {
  const row = await db.prepare(`SELECT ${PRODUCT_COLUMNS} FROM products WHERE id = ?`).bind(productId).first<ProductRow>();
  return row && toProduct(row);
}

/**
 * Changes a product's name or metadata; null when there is no such product. Both are in every
 * license object of the product, which its licenses' counter objects answer: the product's version
 * rises with the change (src/license-api/edge-state.ts carries it to them).
 */
export async function updateProduct(
  db: D1Database,
  productId: number,
  changes: { name?: string | undefined; metadata?: Record<string, unknown> | undefined },
): Promise<ProductRecord | null> {
  const set = setClause(changes);
  const row = await db
    .prepare(`UPDATE products SET ${set.sql}, defaults_version = defaults_version + 1 WHERE id = ? RETURNING ${PRODUCT_COLUMNS}`)
    .bind(...set.values, productId)
    .first<ProductRow>();
  return row && toProduct(row);
}

export async function listProducts(db: D1Database, cursor: number, limit: number): Promise<KeysetPage<ProductRecord>> {
  const { results } = await db
    .prepare(`SELECT ${PRODUCT_COLUMNS} FROM products WHERE id > ? ORDER BY id LIMIT ?`)
    .bind(cursor, limit + 1)
    .all<ProductRow>();
  const page = keysetPage(results, limit);
  return { items: page.items.map(toProduct), nextCursor: page.nextCursor };
}

/**
 * Adds a custom field to a product; null when the product already has one with that name. Every
 * license object of the product lists it: the product's version rises in the same transaction.
 */
export async function insertProductCustomField(
  db: D1Database,
  productId: number,
  field: Omit<ProductCustomFieldRecord, "id" | "product_id">,
): Promise<ProductCustomFieldRecord | null> {
  const [inserted] = await db.batch<ProductCustomFieldRecord>([
    db
      .prepare(
        `INSERT INTO product_custom_fields (product_id, name, data_type, default_value) VALUES (?, ?, ?, ?)
         ON CONFLICT (product_id, name) DO NOTHING RETURNING id, product_id, name, data_type, default_value`,
      )
      .bind(productId, field.name, field.data_type, field.default_value),
    db.prepare("UPDATE products SET defaults_version = defaults_version + 1 WHERE id = ?").bind(productId),
  ]);
  return inserted!.results[0] ?? null;
}

/** All custom fields of a product, in id order (a product has a handful). */
export async function productCustomFields(db: D1Database, productId: number): Promise<ProductCustomFieldRecord[]> {
  const { results } = await db
    .prepare("SELECT id, product_id, name, data_type, default_value FROM product_custom_fields WHERE product_id = ? ORDER BY id")
    .bind(productId)
    .all<ProductCustomFieldRecord>();
  return results;
}

/** Inserts a product feature; null when the product already has a feature with that code. */
export async function insertProductFeature(
  db: D1Database,
  productId: number,
  feature: NewProductFeature,
): Promise<ProductFeatureRecord | null> {
  const row = await db
    .prepare(
      `INSERT INTO product_features (product_id, code, name, feature_type, max_consumption, allow_unlimited_consumptions, allow_overages,
         max_overages, allow_negative_consumptions, reset_consumption, consumption_period, metadata, is_floating_cloud, floating_users, floating_timeout)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (product_id, code) DO NOTHING RETURNING *`,
    )
    .bind(
      productId,
      feature.code,
      feature.name,
      feature.feature_type,
      feature.max_consumption,
      bit(feature.allow_unlimited_consumptions),
      bit(feature.allow_overages),
      feature.max_overages,
      bit(feature.allow_negative_consumptions),
      bit(feature.reset_consumption),
      feature.consumption_period,
      JSON.stringify(feature.metadata),
      bit(feature.is_floating_cloud),
      feature.floating_users,
      feature.floating_timeout,
    )
    .first<ProductFeatureRow>();
  return row && toProductFeature(row);
}

export async function findProductFeature(db: D1Database, productId: number, code: string): Promise<ProductFeatureRecord | null> {
  const row = await db
    .prepare("SELECT * FROM product_features WHERE product_id = ? AND code = ?")
    .bind(productId, code)
    .first<ProductFeatureRow>();
  return row && toProductFeature(row);
}

export async function findProductFeatureById(db: D1Database, productFeatureId: number): Promise<ProductFeatureRecord | null> {
  const row = await db.prepare("SELECT * FROM product_features WHERE id = ?").bind(productFeatureId).first<ProductFeatureRow>();
  return row && toProductFeature(row);
}

/**
 * How many license features float on this product feature's `floating_users` (they override
 * nothing but is_floating_cloud, or inherit it too while the product feature would float): a
 * product PATCH must not leave them a pool of 0 slots.
 */
export async function licenseFeaturesInheritingFloatingUsers(
  db: D1Database,
  productFeatureId: number,
  productFloats: boolean,
): Promise<number> {
  const row = await db
    .prepare(
      "SELECT COUNT(*) AS n FROM license_features WHERE product_feature_id = ? AND floating_users IS NULL AND COALESCE(is_floating_cloud, ?) = 1",
    )
    .bind(productFeatureId, productFloats ? 1 : 0)
    .first<{ n: number }>();
  return row?.n ?? 0;
}

/** All features of a product, in id order (a product has a handful; issuing a license needs them all). */
export async function productFeatures(db: D1Database, productId: number): Promise<ProductFeatureRecord[]> {
  const { results } = await db
    .prepare("SELECT * FROM product_features WHERE product_id = ? ORDER BY id")
    .bind(productId)
    .all<ProductFeatureRow>();
  return results.map(toProductFeature);
}

export async function listProductFeatures(
  db: D1Database,
  productId: number,
  cursor: number,
  limit: number,
): Promise<KeysetPage<ProductFeatureRecord>> {
  const { results } = await db
    .prepare("SELECT * FROM product_features WHERE product_id = ? AND id > ? ORDER BY id LIMIT ?")
    .bind(productId, cursor, limit + 1)
    .all<ProductFeatureRow>();
  const page = keysetPage(results, limit);
  return { items: page.items.map(toProductFeature), nextCursor: page.nextCursor };
}

/**
 * New defaults for a product feature. Every license that does not override a value uses the new
 * one within 60 s everywhere (docs/architecture.md "What each layer remembers"), at once in this isolate.
 */
export async function updateProductFeature(
  db: D1Database,
  productId: number,
  code: string,
  changes: Partial<ProductFeatureValues>,
): Promise<ProductFeatureRecord | null> {
  const set = setClause(changes);
  // One transaction: the new defaults and a new defaults_version, which tells the counter objects
  // (through the Workers, within 60 s) to load them.
  const [updated] = await db.batch<ProductFeatureRow>([
    db.prepare(`UPDATE product_features SET ${set.sql} WHERE product_id = ? AND code = ? RETURNING *`).bind(...set.values, productId, code),
    db
      .prepare(
        "UPDATE products SET defaults_version = defaults_version + 1 WHERE id = ?1 AND EXISTS (SELECT 1 FROM product_features WHERE product_id = ?1 AND code = ?2)",
      )
      .bind(productId, code),
  ]);
  const row = updated!.results[0];
  return row ? toProductFeature(row) : null;
}

function toProductFeature(row: ProductFeatureRow): ProductFeatureRecord {
  return {
    id: row.id,
    product_id: row.product_id,
    code: row.code,
    name: row.name,
    feature_type: row.feature_type,
    max_consumption: row.max_consumption,
    allow_unlimited_consumptions: row.allow_unlimited_consumptions === 1,
    allow_overages: row.allow_overages === 1,
    max_overages: row.max_overages,
    allow_negative_consumptions: row.allow_negative_consumptions === 1,
    reset_consumption: row.reset_consumption === 1,
    consumption_period: row.consumption_period,
    metadata: JSON.parse(row.metadata) as Record<string, unknown>,
    is_floating_cloud: row.is_floating_cloud === 1,
    floating_users: row.floating_users,
    floating_timeout: row.floating_timeout,
  };
}
