/** License API credentials (table api_keys). */
import { readWithRetry } from "./read-retry";

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

export async function findApiKey(db: D1Database, apiKey: string): Promise<ApiKey | null> {
  const row = await readWithRetry(() =>
    db.prepare("SELECT id, api_key, shared_key, revoked, read_only FROM api_keys WHERE api_key = ?").bind(apiKey).first<ApiKeyRow>(),
  );
  if (!row) return null;
  return { id: row.id, apiKey: row.api_key, sharedKey: row.shared_key, revoked: row.revoked === 1, readOnly: row.read_only === 1 };
}
