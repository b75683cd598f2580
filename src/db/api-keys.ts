/**
 * License API keys (tables api_keys, api_key_products): the key every License API request names,
 * with what its permission checks need, and the keys the vendor creates, lists, restricts, revokes
 * and imports through the management API.
 */
import { ApiKeyResource } from "../models/api-key";
import type { ImportApiKeyRow } from "../models/import-rows";
import { insertRows, perChunk, readAll } from "./json-rows";
import { readPage, type KeysetPage } from "./keyset-page";
import { decodeRow, encodeRow, type RowOf } from "./row-codec";

/** Which products a key may use (src/license-api/resolve-license.ts); the counter objects get it with each request. */
export interface ProductAccess {
  /** The company whose products the key reaches; other companies' products do not exist for it. */
  companyId: number;
  /** The products of its company it may use, or null: every one. */
  productIds: ReadonlySet<number> | null;
}

/** A License API key with everything its permission checks need. */
export interface ApiKey extends ProductAccess {
  id: number;
  apiKey: string;
  sharedKey: string;
  revoked: boolean;
  readOnly: boolean;
}

interface ApiKeyLookupRow {
  id: number;
  api_key: string;
  shared_key: string;
  revoked: number;
  read_only: number;
  company_id: number;
  /** JSON array of product ids, "[]" when the key has no allow-list. */
  product_ids: string;
}

// The allow-list comes in the same row (one statement, so the key still costs no extra round trip).
const API_KEY_SQL = `
SELECT k.id, k.api_key, k.shared_key, k.revoked, k.read_only, k.company_id,
       (SELECT json_group_array(kp.product_id) FROM api_key_products kp WHERE kp.api_key_id = k.id) AS product_ids
FROM api_keys k
WHERE k.api_key = ?`;

export function apiKeyStatement(db: D1Database, apiKey: string): D1PreparedStatement {
  return db.prepare(API_KEY_SQL).bind(apiKey);
}

/** The API key from apiKeyStatement's row (null or undefined: unknown key). */
export function toApiKey(result: unknown): ApiKey | null {
  const row = result as ApiKeyLookupRow | null | undefined;
  if (!row) return null;
  const productIds = JSON.parse(row.product_ids) as number[];
  return {
    id: row.id,
    apiKey: row.api_key,
    sharedKey: row.shared_key,
    revoked: row.revoked === 1,
    readOnly: row.read_only === 1,
    companyId: row.company_id,
    productIds: productIds.length === 0 ? null : new Set(productIds),
  };
}

// ---------------------------------------------------------------- the management API's keys

/**
 * A key as stored, with its allow-list (null: every product of its company). The License API
 * reads keys through apiKeyStatement and remembers them, in its isolates and their locations, for
 * at most 60 s (src/license-api/edge-state.ts), so a revocation or a read-only mark applies
 * everywhere within 60 s.
 */
export type ApiKeyRow = RowOf<ApiKeyResource>;

const API_KEY_COLUMNS = `id, api_key, company_id, read_only, revoked, created_at,
  (SELECT CASE WHEN COUNT(*) = 0 THEN NULL ELSE json_group_array(product_id) END
   FROM (SELECT product_id FROM api_key_products WHERE api_key_id = api_keys.id ORDER BY product_id)) AS product_ids`;

const apiKeyResource = (row: ApiKeyRow) => decodeRow(ApiKeyResource, row);

/** A key to insert, as an import row has it (the one the management API makes, too), its allow-list empty when it has none. */
export type ApiKeyInsertRow = Required<ImportApiKeyRow>;

/** Inserts keys and their allow-lists (creating one key, or importing many). */
export function insertApiKeysStatements(db: D1Database, keys: readonly ApiKeyInsertRow[]): D1PreparedStatement[] {
  return [
    ...insertRows(
      db,
      "api_keys",
      keys.map(({ product_ids: _allowList, ...key }) => encodeRow(key)),
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

/** Creates a key with its allow-list, in one transaction with `also`; the shared key is answered by the caller, once. */
export async function insertApiKey(db: D1Database, key: ApiKeyInsertRow, also: D1PreparedStatement[] = []): Promise<ApiKeyResource> {
  const results = await db.batch([
    ...insertApiKeysStatements(db, [key]),
    ...also,
    db.prepare(`SELECT ${API_KEY_COLUMNS} FROM api_keys WHERE api_key = ?`).bind(key.api_key),
  ]);
  return apiKeyResource(results.at(-1)!.results[0] as ApiKeyRow);
}

export async function findApiKeyById(db: D1Database, apiKeyId: number): Promise<ApiKeyResource | null> {
  const row = await db.prepare(`SELECT ${API_KEY_COLUMNS} FROM api_keys WHERE id = ?`).bind(apiKeyId).first<ApiKeyRow>();
  return row && apiKeyResource(row);
}

export async function listApiKeys(db: D1Database, cursor: number, limit: number): Promise<KeysetPage<ApiKeyResource>> {
  return readPage(
    db.prepare(`SELECT ${API_KEY_COLUMNS} FROM api_keys WHERE id > ? ORDER BY id LIMIT ?`).bind(cursor, limit + 1),
    limit,
    apiKeyResource,
  );
}

/**
 * Restricts a key for good: `read_only` (GET endpoints only) or `revoked` (nothing). Neither is
 * ever undone. `also` (its activity entry) commits with it and follows the UPDATE, which changes a
 * row only when the key was not restricted so already. Null when there is no such key.
 */
export async function restrictApiKey(
  db: D1Database,
  apiKeyId: number,
  restriction: "read_only" | "revoked",
  also: D1PreparedStatement[] = [],
): Promise<ApiKeyResource | null> {
  const [updated] = await db.batch<ApiKeyRow>([
    db.prepare(`UPDATE api_keys SET ${restriction} = 1 WHERE id = ? AND ${restriction} = 0 RETURNING ${API_KEY_COLUMNS}`).bind(apiKeyId),
    ...also,
  ]);
  const row = updated!.results[0];
  return row ? apiKeyResource(row) : findApiKeyById(db, apiKeyId);
}

/** The keys here among `apiKeys`, with their shared keys (an import compares them with its rows'). */
export function findApiKeys(
  db: D1Database,
  apiKeys: readonly string[],
): Promise<Array<{ id: number; api_key: string; shared_key: string }>> {
  return readAll(db, "SELECT k.id, k.api_key, k.shared_key FROM json_each(?1) r JOIN api_keys k ON k.api_key = r.value", apiKeys);
}
