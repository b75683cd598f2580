/**
 * Products (table products): product_details for the License API, and the vendor's products for
 * the management API. Product custom fields are in ./custom-fields.ts, features in ./product-features.ts.
 */
import { ProductResource, type AuthorizationMethod, type CreateProductBody, type UpdateProductBody } from "../models/product";
import { firstRowWith } from "./batch";
import { readAll } from "./json-rows";
import { readPage, type KeysetPage } from "./keyset-page";
import { insertStatement, resourceRows, setClause, type RowOf } from "./row-codec";

/** A product as the License API answers it (product_details). */
export interface ProductDetails {
  id: number;
  shortCode: string;
  name: string;
  authorizationMethod: AuthorizationMethod;
  companyId: number;
  metadataJson: string;
  allowTrial: boolean;
  trialDays: number;
  customFields: Array<{ id: number; name: string; defaultValue: string }>;
}

interface ProductDetailsRow {
  id: number;
  short_code: string;
  name: string;
  authorization_method: AuthorizationMethod;
  company_id: number;
  metadata: string;
  allow_trial: number;
  trial_days: number;
}

/** The product with this short code and its custom fields; null when there is none. */
export async function findProductDetails(db: D1Database, shortCode: string): Promise<ProductDetails | null> {
  const [product, fields] = await db.batch([
    db
      .prepare(
        "SELECT id, short_code, name, authorization_method, company_id, metadata, allow_trial, trial_days FROM products WHERE short_code = ?",
      )
      .bind(shortCode),
    db
      .prepare(
        `SELECT f.id, f.name, f.default_value FROM product_custom_fields f JOIN products p ON p.id = f.product_id
         WHERE p.short_code = ? ORDER BY f.id`,
      )
      .bind(shortCode),
  ]);
  const row = (product!.results as ProductDetailsRow[])[0];
  if (!row) return null;
  return {
    id: row.id,
    shortCode: row.short_code,
    name: row.name,
    authorizationMethod: row.authorization_method,
    companyId: row.company_id,
    metadataJson: row.metadata,
    allowTrial: row.allow_trial === 1,
    trialDays: row.trial_days,
    customFields: (fields!.results as Array<{ id: number; name: string; default_value: string }>).map((field) => ({
      id: field.id,
      name: field.name,
      defaultValue: field.default_value,
    })),
  };
}

/** A product as stored. */
export type ProductRow = RowOf<ProductResource>;

const products = resourceRows(ProductResource);

/** Inserts a product, with `also` in the same transaction; null when the short code is taken. */
export async function insertProduct(
  db: D1Database,
  product: CreateProductBody,
  also: D1PreparedStatement[] = [],
): Promise<ProductResource | null> {
  const row = await firstRowWith<ProductRow>(
    db,
    insertStatement(db, "products", product, `ON CONFLICT (short_code) DO NOTHING RETURNING ${products.columns}`),
    also,
  );
  return row && products.decode(row);
}

export async function findProduct(db: D1Database, productId: number): Promise<ProductResource | null> {
  const row = await db.prepare(`SELECT ${products.columns} FROM products WHERE id = ?`).bind(productId).first<ProductRow>();
  return row && products.decode(row);
}

/**
 * Raises the product's version: the counter objects of its licenses read their license again when
 * the Worker next brings them the new version (src/license-api/edge-state.ts), within 60 s.
 */
export const productVersionRise = (db: D1Database, productId: number): D1PreparedStatement =>
  db.prepare("UPDATE products SET defaults_version = defaults_version + 1 WHERE id = ?").bind(productId);

/**
 * Changes a product's name or metadata, with `also` in the same transaction; null when there is no
 * such product. Both are in every license object of the product, which its licenses' counter
 * objects answer: the product's version rises with the change (src/license-api/edge-state.ts
 * carries it to them).
 */
export async function updateProduct(
  db: D1Database,
  productId: number,
  changes: UpdateProductBody,
  also: D1PreparedStatement[] = [],
): Promise<ProductResource | null> {
  const set = setClause(changes);
  const row = await firstRowWith<ProductRow>(
    db,
    db
      .prepare(`UPDATE products SET ${set.sql}, defaults_version = defaults_version + 1 WHERE id = ? RETURNING ${products.columns}`)
      .bind(...set.values, productId),
    also,
  );
  return row && products.decode(row);
}

/** What keeps a product from being deleted: its licenses (archived ones too) and the License API keys limited to it. */
export async function productDependents(db: D1Database, productId: number): Promise<{ licenses: number; apiKeys: number }> {
  const row = await db
    .prepare(
      `SELECT (SELECT COUNT(*) FROM licenses WHERE product_id = ?1) AS licenses,
              (SELECT COUNT(*) FROM api_key_products WHERE product_id = ?1) AS api_keys`,
    )
    .bind(productId)
    .first<{ licenses: number; api_keys: number }>();
  return { licenses: row?.licenses ?? 0, apiKeys: row?.api_keys ?? 0 };
}

/**
 * Deletes a product with its features and custom fields, in one transaction with `also`, unless
 * it has licenses or a License API key is limited to it (then nothing changes: every statement
 * checks, so a license issued meanwhile keeps it). False when nothing was deleted.
 */
export async function deleteProduct(db: D1Database, productId: number, also: D1PreparedStatement[] = []): Promise<boolean> {
  const unused =
    "NOT EXISTS (SELECT 1 FROM licenses WHERE product_id = ?1) AND NOT EXISTS (SELECT 1 FROM api_key_products WHERE product_id = ?1)";
  const results = await db.batch([
    db.prepare(`DELETE FROM product_custom_fields WHERE product_id = ?1 AND ${unused}`).bind(productId),
    db.prepare(`DELETE FROM product_features WHERE product_id = ?1 AND ${unused}`).bind(productId),
    db.prepare(`DELETE FROM products WHERE id = ?1 AND ${unused}`).bind(productId),
    ...also,
  ]);
  return results[2]!.meta.changes > 0;
}

export async function listProducts(db: D1Database, cursor: number, limit: number): Promise<KeysetPage<ProductResource>> {
  return readPage(
    db.prepare(`SELECT ${products.columns} FROM products WHERE id > ? ORDER BY id LIMIT ?`).bind(cursor, limit + 1),
    limit,
    products.decode,
  );
}

/** The company of each product id that exists (imports: in one batch, however many ids). */
export function productCompanies(db: D1Database, productIds: readonly number[]): Promise<Array<{ id: number; company_id: number }>> {
  return readAll(db, "SELECT p.id, p.company_id FROM json_each(?1) r JOIN products p ON p.id = r.value", productIds);
}

/**
 * The ids in `productIds` that are not products of `companyId` (nonexistent or another company's).
 * Products never change company, and a product a key is limited to is never deleted, so what this
 * finds still holds at insert.
 */
export async function productsOutsideCompany(db: D1Database, companyId: number, productIds: number[]): Promise<number[]> {
  const { results } = await db
    .prepare(
      `SELECT p.value AS id FROM json_each(?) p
       WHERE NOT EXISTS (SELECT 1 FROM products WHERE products.id = p.value AND products.company_id = ?)
       ORDER BY p.value`,
    )
    .bind(JSON.stringify(productIds), companyId)
    .all<{ id: number }>();
  return results.map((row) => row.id);
}

/** A product as a license import checks its rows against it: its features' floating defaults and its custom fields. */
export interface ImportProduct {
  id: number;
  short_code: string;
  authorization_method: AuthorizationMethod;
  /** The company whose customers the product's licenses are sold to. */
  company_id: number;
  /** With their floating defaults, which a license's own floating values must go together with. */
  features: Array<{ id: number; code: string; is_floating_cloud: boolean; floating_users: number }>;
  customFields: Array<{ id: number; name: string }>;
}

/** The products named by short code, with their features and custom fields. */
export async function productsByShortCode(db: D1Database, shortCodes: readonly string[]): Promise<Map<string, ImportProduct>> {
  const codes = JSON.stringify(shortCodes);
  const [products, features, fields] = await db.batch([
    db
      .prepare(
        "SELECT p.id, p.short_code, p.authorization_method, p.company_id FROM json_each(?1) r JOIN products p ON p.short_code = r.value",
      )
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
  for (const product of products!.results as Array<{
    id: number;
    short_code: string;
    authorization_method: AuthorizationMethod;
    company_id: number;
  }>) {
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
