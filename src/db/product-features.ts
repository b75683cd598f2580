/**
 * Product features (table product_features): the defaults every license of the product inherits
 * unless a license feature overrides them (./license-features.ts). A change of defaults bumps the
 * product's defaults_version, which tells the counter objects to reload them.
 */
import { ProductFeatureResource, type CreateProductFeatureBody, type UpdateProductFeatureBody } from "../models/product-feature";
import { firstRowWith } from "./batch";
import { readPage, type KeysetPage } from "./keyset-page";
import { insertStatement, resourceRows, setClause, type RowOf } from "./row-codec";

/** A product feature as stored. */
export type ProductFeatureRow = RowOf<ProductFeatureResource>;

const features = resourceRows(ProductFeatureResource);

/** Inserts a product feature, with `also` in the same transaction; null when the product already has a feature with that code. */
export async function insertProductFeature(
  db: D1Database,
  productId: number,
  feature: CreateProductFeatureBody,
  also: D1PreparedStatement[] = [],
): Promise<ProductFeatureResource | null> {
  const row = await firstRowWith<ProductFeatureRow>(
    db,
    insertStatement(
      db,
      "product_features",
      { product_id: productId, ...feature },
      `ON CONFLICT (product_id, code) DO NOTHING RETURNING ${features.columns}`,
    ),
    also,
  );
  return row && features.decode(row);
}

export async function findProductFeature(db: D1Database, productId: number, code: string): Promise<ProductFeatureResource | null> {
  const row = await db
    .prepare(`SELECT ${features.columns} FROM product_features WHERE product_id = ? AND code = ?`)
    .bind(productId, code)
    .first<ProductFeatureRow>();
  return row && features.decode(row);
}

export async function findProductFeatureById(db: D1Database, productFeatureId: number): Promise<ProductFeatureResource | null> {
  const row = await db
    .prepare(`SELECT ${features.columns} FROM product_features WHERE id = ?`)
    .bind(productFeatureId)
    .first<ProductFeatureRow>();
  return row && features.decode(row);
}

/** All features of a product, in id order (a product has a handful; issuing a license needs them all). */
export async function productFeatures(db: D1Database, productId: number): Promise<ProductFeatureResource[]> {
  const { results } = await db
    .prepare(`SELECT ${features.columns} FROM product_features WHERE product_id = ? ORDER BY id`)
    .bind(productId)
    .all<ProductFeatureRow>();
  return results.map(features.decode);
}

export async function listProductFeatures(
  db: D1Database,
  productId: number,
  cursor: number,
  limit: number,
): Promise<KeysetPage<ProductFeatureResource>> {
  return readPage(
    db
      .prepare(`SELECT ${features.columns} FROM product_features WHERE product_id = ? AND id > ? ORDER BY id LIMIT ?`)
      .bind(productId, cursor, limit + 1),
    limit,
    features.decode,
  );
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
      `SELECT COUNT(*) AS n FROM license_features
       WHERE product_feature_id = ? AND removed_at IS NULL AND floating_users IS NULL AND COALESCE(is_floating_cloud, ?) = 1`,
    )
    .bind(productFeatureId, productFloats ? 1 : 0)
    .first<{ n: number }>();
  return row?.n ?? 0;
}

/**
 * New defaults for a product feature. Every license that does not override a value uses the new
 * one within 60 s everywhere (docs/architecture.md "What each layer remembers"), at once in this isolate.
 */
export async function updateProductFeature(
  db: D1Database,
  productId: number,
  code: string,
  changes: UpdateProductFeatureBody,
  also: D1PreparedStatement[] = [],
): Promise<ProductFeatureResource | null> {
  const set = setClause(changes);
  // One transaction: the new defaults and a new defaults_version, which tells the counter objects
  // (through the Workers, within 60 s) to load them.
  const [updated] = await db.batch<ProductFeatureRow>([
    db
      .prepare(`UPDATE product_features SET ${set.sql} WHERE product_id = ? AND code = ? RETURNING ${features.columns}`)
      .bind(...set.values, productId, code),
    db
      .prepare(
        "UPDATE products SET defaults_version = defaults_version + 1 WHERE id = ?1 AND EXISTS (SELECT 1 FROM product_features WHERE product_id = ?1 AND code = ?2)",
      )
      .bind(productId, code),
    ...also,
  ]);
  const row = updated!.results[0];
  return row ? features.decode(row) : null;
}

/** How many licenses carry the feature, or carried it (a feature removed from a license stays in its history). */
export async function licensesWithFeature(db: D1Database, productFeatureId: number): Promise<number> {
  const row = await db
    .prepare("SELECT COUNT(*) AS n FROM license_features WHERE product_feature_id = ?")
    .bind(productFeatureId)
    .first<{ n: number }>();
  return row?.n ?? 0;
}

/**
 * Deletes a product feature no license ever carried, in one transaction with `also` (the check is
 * in the statement, so a license issued meanwhile keeps it). False when nothing was deleted.
 */
export async function deleteProductFeature(db: D1Database, productFeatureId: number, also: D1PreparedStatement[] = []): Promise<boolean> {
  const [deleted] = await db.batch([
    db
      .prepare("DELETE FROM product_features WHERE id = ?1 AND NOT EXISTS (SELECT 1 FROM license_features WHERE product_feature_id = ?1)")
      .bind(productFeatureId),
    ...also,
  ]);
  return deleted!.meta.changes > 0;
}
