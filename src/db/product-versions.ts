/**
 * Product versions (table product_versions): the vendor publishes and changes them (management
 * API); the License API answers the enabled ones (versions, installation_file, and the newest in
 * license objects), newest release first.
 */
import { ProductVersionResource, type CreateProductVersionBody, type UpdateProductVersionBody } from "../models/product-version";
import { insertStatement, resourceRows, setClause, type RowOf } from "./row-codec";

export type ProductVersionRow = RowOf<ProductVersionResource>;

const versions = resourceRows(ProductVersionResource);

/** Inserts a version; null when the product already has this version for this environment and channel. */
export async function insertProductVersion(
  db: D1Database,
  productId: number,
  version: CreateProductVersionBody,
): Promise<ProductVersionResource | null> {
  const row = await insertStatement(
    db,
    "product_versions",
    { product_id: productId, ...version },
    `ON CONFLICT (product_id, version, environment, channel) DO NOTHING RETURNING ${versions.columns}`,
  ).first<ProductVersionRow>();
  return row && versions.decode(row);
}

/** Every version of a product, enabled or not, newest release first (a product has tens, not thousands). */
export async function productVersions(db: D1Database, productId: number): Promise<ProductVersionResource[]> {
  const { results } = await db
    .prepare(`SELECT ${versions.columns} FROM product_versions WHERE product_id = ? ORDER BY release_date DESC, id DESC`)
    .bind(productId)
    .all<ProductVersionRow>();
  return results.map(versions.decode);
}

/** Changes a version; null when the product has no such version. */
export async function updateProductVersion(
  db: D1Database,
  productId: number,
  versionId: number,
  changes: UpdateProductVersionBody,
): Promise<ProductVersionResource | null> {
  const set = setClause(changes);
  const row = await db
    .prepare(`UPDATE product_versions SET ${set.sql} WHERE id = ? AND product_id = ? RETURNING ${versions.columns}`)
    .bind(...set.values, versionId, productId)
    .first<ProductVersionRow>();
  return row && versions.decode(row);
}

/** Which versions a client asks about: its environment and channel (each, when sent; absent matches any), and one version. */
export interface VersionFilter {
  environment?: string | undefined;
  channel?: string | undefined;
  version?: string | undefined;
}

/** The enabled versions of a product that match, newest release first; at most `limit`. */
export async function releasedVersions(
  db: D1Database,
  productId: number,
  filter: VersionFilter,
  limit = 500,
): Promise<ProductVersionResource[]> {
  const { results } = await db
    .prepare(
      `SELECT ${versions.columns} FROM product_versions
       WHERE product_id = ?1 AND enabled = 1 AND (?2 IS NULL OR environment = ?2) AND (?3 IS NULL OR channel = ?3)
         AND (?4 IS NULL OR version = ?4)
       ORDER BY release_date DESC, id DESC LIMIT ?5`,
    )
    .bind(productId, filter.environment ?? null, filter.channel ?? null, filter.version ?? null, limit)
    .all<ProductVersionRow>();
  return results.map(versions.decode);
}
