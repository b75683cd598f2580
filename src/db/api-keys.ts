/** License API credentials (tables api_keys, api_key_products). */

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

interface ApiKeyRow {
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
  const row = result as ApiKeyRow | null | undefined;
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
