/** License API credentials (table api_keys). */

export interface ApiKey {
  id: number;
  apiKey: string;
  sharedKey: string;
  revoked: boolean;
  readOnly: boolean;
}

interface ApiKeyRow {
  id: number;
  api_key: string;
  shared_key: string;
  revoked: number;
  read_only: number;
}

export function apiKeyStatement(db: D1Database, apiKey: string): D1PreparedStatement {
  return db.prepare("SELECT id, api_key, shared_key, revoked, read_only FROM api_keys WHERE api_key = ?").bind(apiKey);
}

/** The API key from apiKeyStatement's row (null or undefined: unknown key). */
export function toApiKey(result: unknown): ApiKey | null {
  const row = result as ApiKeyRow | null | undefined;
  if (!row) return null;
  return { id: row.id, apiKey: row.api_key, sharedKey: row.shared_key, revoked: row.revoked === 1, readOnly: row.read_only === 1 };
}
