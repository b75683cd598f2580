/**
 * License API keys, for the management API (table api_keys). The License API looks its key up in
 * D1 on every request (src/db/api-keys.ts, no cache), so revoking or making a key read-only
 * applies to the very next request. The shared key is returned by insertApiKey only.
 */
import { keysetPage, type KeysetPage } from "./keyset-page";

/** A License API key as the management API shows it: never its shared key. */
export interface ApiKeyRecord {
  id: number;
  api_key: string;
  read_only: boolean;
  revoked: boolean;
  created_at: string;
}

interface ApiKeyRow {
  id: number;
  api_key: string;
  read_only: number;
  revoked: number;
  created_at: string;
}

const API_KEY_COLUMNS = "id, api_key, read_only, revoked, created_at";

export async function insertApiKey(
  db: D1Database,
  credentials: { apiKey: string; sharedKey: string; readOnly: boolean },
): Promise<ApiKeyRecord> {
  const row = await db
    .prepare(`INSERT INTO api_keys (api_key, shared_key, read_only) VALUES (?, ?, ?) RETURNING ${API_KEY_COLUMNS}`)
    .bind(credentials.apiKey, credentials.sharedKey, credentials.readOnly ? 1 : 0)
    .first<ApiKeyRow>();
  return toApiKey(row!);
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
  return { id: row.id, api_key: row.api_key, read_only: row.read_only === 1, revoked: row.revoked === 1, created_at: row.created_at };
}
