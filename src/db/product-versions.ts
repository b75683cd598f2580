/**
 * Product versions (table product_versions): the vendor publishes and changes them (management
 * API); the License API answers the enabled ones (versions, installation_file, and the newest in
 * license objects), newest release first.
 */
import { ProductVersionResource, type CreateProductVersionBody, type UpdateProductVersionBody } from "../models/product-version";
import { firstRowWith } from "./batch";
import { productVersionRise } from "./products";
import { insertStatement, resourceRows, setClause, type RowOf } from "./row-codec";

export type ProductVersionRow = RowOf<ProductVersionResource>;

const versions = resourceRows(ProductVersionResource);

// The product's version rises with every change of its versions (productVersionRise, last in each
// batch): the license snapshots carry the newest versions (src/db/counter-snapshot.ts), and counter
// objects read a newer product version as a reason to read their snapshot again (docs/architecture.md).

/**
 * Inserts a version, with `also` (its activity entry) right after it in the same transaction; null
 * when the product already has this version for this environment and channel.
 */
export async function insertProductVersion(
  db: D1Database,
  productId: number,
  version: CreateProductVersionBody,
  also: D1PreparedStatement[] = [],
): Promise<ProductVersionResource | null> {
  const row = await firstRowWith<ProductVersionRow>(
    db,
    insertStatement(
      db,
      "product_versions",
      { product_id: productId, ...version },
      `ON CONFLICT (product_id, version, environment, channel) DO NOTHING RETURNING ${versions.columns}`,
    ),
    [...also, productVersionRise(db, productId)],
  );
  return row ? versions.decode(row) : null;
}

/** One version of the product; null when it has no such version. */
export async function findProductVersion(db: D1Database, productId: number, versionId: number): Promise<ProductVersionResource | null> {
  const row = await db
    .prepare(`SELECT ${versions.columns} FROM product_versions WHERE id = ? AND product_id = ?`)
    .bind(versionId, productId)
    .first<ProductVersionRow>();
  return row ? versions.decode(row) : null;
}

/** Every version of a product, enabled or not, newest release first (a product has tens, not thousands). */
export async function productVersions(db: D1Database, productId: number): Promise<ProductVersionResource[]> {
  const { results } = await db
    .prepare(`SELECT ${versions.columns} FROM product_versions WHERE product_id = ? ORDER BY release_date DESC, id DESC`)
    .bind(productId)
    .all<ProductVersionRow>();
  return results.map(versions.decode);
}

/** Changes a version, with `also` (its activity entry) right after it in the same transaction; null when the product has no such version. */
export async function updateProductVersion(
  db: D1Database,
  productId: number,
  versionId: number,
  changes: UpdateProductVersionBody,
  also: D1PreparedStatement[] = [],
): Promise<ProductVersionResource | null> {
  const set = setClause(changes);
  const row = await firstRowWith<ProductVersionRow>(
    db,
    db
      .prepare(`UPDATE product_versions SET ${set.sql} WHERE id = ? AND product_id = ? RETURNING ${versions.columns}`)
      .bind(...set.values, versionId, productId),
    [...also, productVersionRise(db, productId)],
  );
  return row ? versions.decode(row) : null;
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

/**
 * The newest enabled version for each environment and channel of the product `productId` (an SQL
 * expression), for the license snapshot (src/db/counter-snapshot.ts): the newest for any client
 * build is among them, and there are as many as the product has environments and channels.
 */
export function newestVersionsSql(productId: string): string {
  return `SELECT ${versions.columns} FROM product_versions v
   WHERE v.product_id = ${productId} AND v.enabled = 1
     AND v.id = (SELECT w.id FROM product_versions w
                 WHERE w.product_id = v.product_id AND w.enabled = 1 AND w.environment = v.environment AND w.channel = v.channel
                 ORDER BY w.release_date DESC, w.id DESC LIMIT 1)
   ORDER BY v.id`;
}

/** The newest of these version rows that matches the client's build (each of environment and channel, when given); null: none. */
export function newestOf(rows: readonly ProductVersionRow[], filter: VersionFilter): ProductVersionResource | null {
  const matching = rows
    .map(versions.decode)
    .filter(
      (version) =>
        (filter.environment === undefined || version.environment === filter.environment) &&
        (filter.channel === undefined || version.channel === filter.channel) &&
        (filter.version === undefined || version.version === filter.version),
    );
  matching.sort((a, b) => (a.release_date === b.release_date ? b.id - a.id : a.release_date < b.release_date ? 1 : -1));
  return matching[0] ?? null;
}
