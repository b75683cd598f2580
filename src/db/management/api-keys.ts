/**
 * License API keys, for the management API (tables api_keys, api_key_products). The License API
 * looks its key up in D1 on every request (src/db/api-keys.ts, no cache), so revoking or making a
 * key read-only applies to the very next request. The shared key is returned by insertApiKey only.
 */
import { keysetPage, type KeysetPage } from "./keyset-page";

/** A License API key as the management API shows it: never its shared key. */
export interface ApiKeyRecord {
  id: number;
  api_key: string;
  company_id: number;
  /** The products of its company it may use, or null: every one. */
  product_ids: number[] | null;
  read_only: boolean;
  revoked: boolean;
  created_at: string;
}

interface ApiKeyRow extends Omit<ApiKeyRecord, "product_ids" | "read_only" | "revoked"> {
  /** JSON array, "[]" without an allow-list. */
  product_ids: string;
  read_only: number;
  revoked: number;
}

const API_KEY_COLUMNS = `id, api_key, company_id, read_only, revoked, created_at,
  (SELECT json_group_array(product_id) FROM (SELECT product_id FROM api_key_products WHERE api_key_id = api_keys.id ORDER BY product_id))
    AS product_ids`;

export interface NewApiKey {
  apiKey: string;
  sharedKey: string;
  readOnly: boolean;
  companyId: number;
  /** An allow-list (products of companyId, checked by the caller with productsOutsideCompany), or null. */
  productIds: number[] | null;
}

/** Inserts the key and its allow-list in one transaction. */
export async function insertApiKey(db: D1Database, key: NewApiKey): Promise<ApiKeyRecord> {
  const results = await db.batch([
    db
      .prepare("INSERT INTO api_keys (api_key, shared_key, read_only, company_id) VALUES (?, ?, ?, ?)")
      .bind(key.apiKey, key.sharedKey, key.readOnly ? 1 : 0, key.companyId),
    db
      .prepare(
        `INSERT INTO api_key_products (api_key_id, product_id)
         SELECT k.id, p.value FROM api_keys k, json_each(?) p WHERE k.api_key = ?`,
      )
      .bind(JSON.stringify(key.productIds ?? []), key.apiKey),
    db.prepare(`SELECT ${API_KEY_COLUMNS} FROM api_keys WHERE api_key = ?`).bind(key.apiKey),
  ]);
  return toApiKey(results[2]!.results[0] as ApiKeyRow);
}

/**
 * The ids in `productIds` that are not products of `companyId` (nonexistent or another company's).
 * Products never change company and are never deleted, so what this finds still holds at insert.
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

export async function listApiKeys(db: D1Database, cursor: number, limit: number): Promise<KeysetPage<ApiKeyRecord>> {
  const { results } = await db
    .prepare(`SELECT ${API_KEY_COLUMNS} FROM api_keys WHERE id > ? ORDER BY id LIMIT ?`)
    .bind(cursor, limit + 1)
    .all<ApiKeyRow>();
  const page = keysetPage(results, limit);
  return { items: page.items.map(toApiKey), nextCursor: page.nextCursor };
}

/** Makes a key read-only (GET endpoints only); null when there is no such key. */
export async function markApiKeyReadOnly(db: D1Database, apiKeyId: number): Promise<ApiKeyRecord | null> {
  const row = await db
    .prepare(`UPDATE api_keys SET read_only = 1 WHERE id = ? RETURNING ${API_KEY_COLUMNS}`)
    .bind(apiKeyId)
    .first<ApiKeyRow>();
  return row && toApiKey(row);
}

/** Revokes a key for good; null when there is no such key. */
export async function revokeApiKey(db: D1Database, apiKeyId: number): Promise<ApiKeyRecord | null> {
  const row = await db
    .prepare(`UPDATE api_keys SET revoked = 1 WHERE id = ? RETURNING ${API_KEY_COLUMNS}`)
    .bind(apiKeyId)
    .first<ApiKeyRow>();
  return row && toApiKey(row);
}

function toApiKey(row: ApiKeyRow): ApiKeyRecord {
  const productIds = JSON.parse(row.product_ids) as number[];
  return {
    id: row.id,
    api_key: row.api_key,
    company_id: row.company_id,
    product_ids: productIds.length === 0 ? null : productIds,
    read_only: row.read_only === 1,
    revoked: row.revoked === 1,
    created_at: row.created_at,
  };
}
