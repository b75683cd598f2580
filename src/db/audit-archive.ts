/**
 * The archive's catalog in D1: which parts exist (audit_archive_parts), and the archiver's lease
 * (audit_archive_lease). Committing a part and deleting its rows from consumption_audit is one
 * transaction, so at every instant each audit row is in exactly one place: a D1 row, or a row of
 * a part listed here.
 */
import type { AuditEntryResource } from "../models/audit-entry";
import type { PartSummary } from "../archive/part-summary";

/** A part as the catalog (audit_archive_parts) stores it. */
export interface ArchivePartRow extends PartSummary {
  day: string;
  part: number;
  object_key: string;
  bytes: number;
  archived_at: string;
}

export interface Lease {
  token: number;
  /** The object a previous holder was writing when it stopped (null after a clean run). */
  pendingKey: string | null;
}

// Taken only once the previous lease has expired; every taking bumps the token.
const ACQUIRE_LEASE = `
INSERT INTO audit_archive_lease (id, token, expires_at) VALUES (1, 1, ?1 + ?2)
ON CONFLICT (id) DO UPDATE SET token = token + 1, expires_at = ?1 + ?2 WHERE expires_at <= ?1
RETURNING token, pending_key`;

export async function acquireLease(db: D1Database, nowMs: number, leaseMs: number): Promise<Lease | null> {
  const row = await db.prepare(ACQUIRE_LEASE).bind(nowMs, leaseMs).first<{ token: number; pending_key: string | null }>();
  return row ? { token: row.token, pendingKey: row.pending_key } : null;
}

/**
 * Extends the lease and records the object about to be written; false if another run took the
 * lease meanwhile (the token is the fence: an expired lease nobody took is still ours).
 */
export async function renewLease(db: D1Database, token: number, nowMs: number, leaseMs: number, pendingKey: string): Promise<boolean> {
  const { meta } = await db
    .prepare("UPDATE audit_archive_lease SET expires_at = ?2, pending_key = ?3 WHERE id = 1 AND token = ?1")
    .bind(token, nowMs + leaseMs, pendingKey)
    .run();
  return meta.changes === 1;
}

export async function releaseLease(db: D1Database, token: number): Promise<void> {
  await db.prepare("UPDATE audit_archive_lease SET expires_at = 0 WHERE id = 1 AND token = ?1").bind(token).run();
}

export async function clearPendingKey(db: D1Database, token: number): Promise<void> {
  await db.prepare("UPDATE audit_archive_lease SET pending_key = NULL WHERE id = 1 AND token = ?1").bind(token).run();
}

/**
 * The newest row (highest id) is never archived. SQLite gives a new row the highest id plus one,
 * so deleting the row holding the highest id would let the next audit row take an id an archived
 * row has: ids would no longer be unique across D1 and the archive, nor follow recording order.
 * Kept, it is archived as soon as any newer row arrives.
 */
const NOT_NEWEST = "id < (SELECT MAX(id) FROM consumption_audit)";

/** The created_at of the oldest archivable audit row still in D1, or null when there is none. */
export async function oldestAuditTime(db: D1Database): Promise<string | null> {
  return db.prepare(`SELECT created_at FROM consumption_audit WHERE ${NOT_NEWEST} ORDER BY created_at LIMIT 1`).first<string>("created_at");
}

const AUDIT_COLUMNS =
  "id, event_id, license_id, license_feature_id, feature_code, hardware_id, consumptions, total_after, event, api_key_id, created_at";

/** The first `limit` rows of one UTC day still in D1, in created_at order (consumption_audit_by_time). */
export async function readDayChunk(db: D1Database, day: string, nextDay: string, limit: number): Promise<AuditEntryResource[]> {
  const { results } = await db
    .prepare(
      `SELECT ${AUDIT_COLUMNS} FROM consumption_audit WHERE created_at >= ?1 AND created_at < ?2 AND ${NOT_NEWEST} ORDER BY created_at, id LIMIT ?3`,
    )
    .bind(day, nextDay, limit)
    .all<AuditEntryResource>();
  return results;
}

export async function nextPartNumber(db: D1Database, day: string): Promise<number> {
  return (await db
    .prepare("SELECT COALESCE(MAX(part), 0) + 1 AS next FROM audit_archive_parts WHERE day = ?1")
    .bind(day)
    .first<number>("next"))!;
}

export async function isCatalogued(db: D1Database, objectKey: string): Promise<boolean> {
  return (await db.prepare("SELECT 1 AS found FROM audit_archive_parts WHERE object_key = ?1").bind(objectKey).first("found")) !== null;
}

/**
 * Records `part` and deletes its rows from consumption_audit, in one transaction. The part row is
 * inserted only while the lease is still `token`'s and every one of the part's rows is still in
 * D1; the rows are deleted only if that part row now exists. Returns false (and changes nothing)
 * if either condition failed.
 */
export async function commitPart(db: D1Database, token: number, part: ArchivePartRow, ids: readonly number[]): Promise<boolean> {
  const idList = JSON.stringify(ids);
  const [inserted] = await db.batch([
    db
      .prepare(
        `INSERT INTO audit_archive_parts (day, part, object_key, rows, consumptions, first_id, last_id, first_event_id, last_event_id,
                                          first_created_at, last_created_at, bytes, digest, archived_at)
         SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14
         WHERE EXISTS (SELECT 1 FROM audit_archive_lease WHERE id = 1 AND token = ?15)
           AND (SELECT COUNT(*) FROM consumption_audit WHERE id IN (SELECT value FROM json_each(?16))) = ?4`,
      )
      .bind(
        part.day,
        part.part,
        part.object_key,
        part.rows,
        part.consumptions,
        part.first_id,
        part.last_id,
        part.first_event_id,
        part.last_event_id,
        part.first_created_at,
        part.last_created_at,
        part.bytes,
        part.digest,
        part.archived_at,
        token,
        idList,
      ),
    db
      .prepare(
        `DELETE FROM consumption_audit WHERE id IN (SELECT value FROM json_each(?1))
           AND EXISTS (SELECT 1 FROM audit_archive_parts WHERE object_key = ?2)`,
      )
      .bind(idList, part.object_key),
    db
      .prepare("UPDATE audit_archive_lease SET pending_key = NULL WHERE id = 1 AND token = ?1 AND pending_key = ?2")
      .bind(token, part.object_key),
  ]);
  return inserted!.meta.changes === 1;
}

/** The parts of one day, in part order. */
export async function partsOfDay(db: D1Database, day: string): Promise<ArchivePartRow[]> {
  const { results } = await db.prepare("SELECT * FROM audit_archive_parts WHERE day = ?1 ORDER BY part").bind(day).all<ArchivePartRow>();
  return results;
}

/** Days with a part their manifest does not list yet. */
export async function daysWithUnlistedParts(db: D1Database): Promise<string[]> {
  const { results } = await db
    .prepare("SELECT DISTINCT day FROM audit_archive_parts WHERE in_manifest = 0 ORDER BY day")
    .all<{ day: string }>();
  return results.map((row) => row.day);
}

export async function markListed(db: D1Database, day: string, keys: readonly string[]): Promise<void> {
  await db
    .prepare("UPDATE audit_archive_parts SET in_manifest = 1 WHERE day = ?1 AND object_key IN (SELECT value FROM json_each(?2))")
    .bind(day, JSON.stringify(keys))
    .run();
}
