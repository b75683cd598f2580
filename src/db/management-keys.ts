/**
 * Named management keys (table management_keys): created and revoked through the management API,
 * looked up by the SHA-256 of a presented key (src/auth/management-key.ts explains why a plain hash).
 */
import type { ManagementActor, ManagementRole } from "../auth/management-roles";
import { ManagementKeyResource } from "../models/management-key";
import { readPage, type KeysetPage } from "./keyset-page";
import { resourceRows, type RowOf } from "./row-codec";

export type ManagementKeyRow = RowOf<ManagementKeyResource>;
const keys = resourceRows(ManagementKeyResource);

/** The caller a presented key's hash names, if it is a key that is not revoked. */
export async function findKeyHolder(db: D1Database, keyHash: string): Promise<ManagementActor | null> {
  const row = await db
    .prepare("SELECT id, name, role FROM management_keys WHERE key_hash = ? AND revoked_at IS NULL")
    .bind(keyHash)
    .first<{ id: number; name: string; role: ManagementRole }>();
  return row && { type: "management_key", name: row.name, role: row.role, keyId: row.id };
}

export interface ManagementKeyInsert {
  name: string;
  role: ManagementRole;
  key_hash: string;
  key_prefix: string;
  created_by: string;
}

/** The INSERT of a new key; a name given before (UNIQUE, case-insensitive) fails its batch. */
export function insertManagementKeyStatement(db: D1Database, key: ManagementKeyInsert): D1PreparedStatement {
  return db
    .prepare(
      `INSERT INTO management_keys (name, role, key_hash, key_prefix, created_by) VALUES (?, ?, ?, ?, ?)
       RETURNING ${keys.columns}`,
    )
    .bind(key.name, key.role, key.key_hash, key.key_prefix, key.created_by);
}

export const managementKeyResource = (row: ManagementKeyRow) => keys.decode(row);

export async function findManagementKey(db: D1Database, id: number): Promise<ManagementKeyResource | null> {
  const row = await db.prepare(`SELECT ${keys.columns} FROM management_keys WHERE id = ?`).bind(id).first<ManagementKeyRow>();
  return row && keys.decode(row);
}

export function listManagementKeys(db: D1Database, cursor: number, limit: number): Promise<KeysetPage<ManagementKeyResource>> {
  return readPage(
    db.prepare(`SELECT ${keys.columns} FROM management_keys WHERE id > ? ORDER BY id LIMIT ?`).bind(cursor, limit + 1),
    limit,
    keys.decode,
  );
}

/** The UPDATE that revokes a key for good (a revoked key stays revoked), answering it. */
export function revokeManagementKeyStatement(db: D1Database, id: number, by: string): D1PreparedStatement {
  return db
    .prepare(
      `UPDATE management_keys SET revoked_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), revoked_by = ?
       WHERE id = ? AND revoked_at IS NULL RETURNING ${keys.columns}`,
    )
    .bind(by, id);
}
