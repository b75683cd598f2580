/**
 * The consumption audit log (table consumption_audit), the D1 mirror of each counter's total, and
 * the audit data that could not be written there (table audit_dead_letters), as the audit queue's
 * consumer and the counter objects write them (src/audit/audit-consumer.ts, src/counter/audit-delivery.ts).
 */
import { z } from "zod";
import { AuditEntryResource } from "../models/audit-entry";

/** One audit row as stored (schema.sql, consumption_audit) before D1 gives it its id, and as it travels on the audit queue. */
export const AuditRow = AuditEntryResource.omit({ id: true });
export type AuditRow = z.infer<typeof AuditRow>;

/**
 * An audit row as it travels: with its counter object's sequence number (increasing with every row
 * of that counter) and, for a consumption, the units of it past max_consumption as the object
 * decided them (the usage rollups sum them; the raw row does not keep them).
 */
export const SequencedAuditRow = AuditRow.extend({
  seq: z.number().int().positive(),
  overage: z.number().int().min(-Number.MAX_SAFE_INTEGER).max(Number.MAX_SAFE_INTEGER).nullish(),
});
export type SequencedAuditRow = z.infer<typeof SequencedAuditRow>;

// Rows travel as one JSON parameter (D1 binds at most 100 values per statement; json_each takes any
// number of rows in one). event_id is unique, so a row written twice is inserted once.
const INSERT_ROWS = `
INSERT INTO consumption_audit (event_id, license_id, license_feature_id, feature_code, hardware_id, consumptions, total_after, event, api_key_id, created_at)
SELECT json_extract(value, '$.event_id'), json_extract(value, '$.license_id'), json_extract(value, '$.license_feature_id'),
       json_extract(value, '$.feature_code'), json_extract(value, '$.hardware_id'), json_extract(value, '$.consumptions'),
       json_extract(value, '$.total_after'), json_extract(value, '$.event'), json_extract(value, '$.api_key_id'), json_extract(value, '$.created_at')
FROM json_each(?1) WHERE true
ON CONFLICT (event_id) DO NOTHING`;

// The mirror takes a counter's total only from a newer row than the one it holds: batches may
// arrive in any order (retries, the dead-letter queue), and an older total must never win.
const mirrorTotals = (table: "license_features" | "licenses") => `
UPDATE ${table} SET total_consumptions = mirror.total, total_version = mirror.version, total_at = mirror.at
FROM (SELECT json_extract(value, '$.id') AS id, json_extract(value, '$.total') AS total, json_extract(value, '$.version') AS version,
             json_extract(value, '$.at') AS at
      FROM json_each(?1)) AS mirror
WHERE ${table}.id = mirror.id AND mirror.version > ${table}.total_version`;

/**
 * Statements that write `rows` (from any number of counters) to the audit log and mirror each
 * counter's newest total. Run them in one db.batch: one D1 transaction, all or nothing.
 */
export function auditStatements(db: D1Database, rows: readonly SequencedAuditRow[]): D1PreparedStatement[] {
  if (rows.length === 0) return [];
  const newest = new Map<string, SequencedAuditRow>();
  for (const row of rows) {
    const counter = row.license_feature_id === null ? `license:${row.license_id}` : `feature:${row.license_feature_id}`;
    const seen = newest.get(counter);
    if (!seen || row.seq > seen.seq) newest.set(counter, row);
  }
  const mirror = (featureCounters: boolean) =>
    JSON.stringify(
      [...newest.values()]
        .filter((row) => (row.license_feature_id !== null) === featureCounters)
        .map((row) => ({ id: row.license_feature_id ?? row.license_id, total: row.total_after, version: row.seq, at: row.created_at })),
    );
  const auditRows = rows.map(({ seq: _seq, overage: _overage, ...row }) => row);
  return [
    db.prepare(INSERT_ROWS).bind(JSON.stringify(auditRows)),
    db.prepare(mirrorTotals("license_features")).bind(mirror(true)),
    db.prepare(mirrorTotals("licenses")).bind(mirror(false)),
  ];
}

/**
 * Why audit data is a dead letter:
 * - malformed: a message the dead-letter queue received that is not an audit message;
 * - write_failed: an audit message whose rows D1 refused while D1 was answering;
 * - row_too_large: a counter's row too large for any queue message (kept whole in its object).
 */
export type DeadLetterReason = "malformed" | "write_failed" | "row_too_large";

export interface DeadLetter {
  /** The queue message's id, or the row's event_id: recording the same letter twice keeps one. */
  deadLetterId: string;
  reason: DeadLetterReason;
  /** What was wrong, in words. */
  detail: string;
  /** What was received, as text (JSON when it was JSON). */
  body: string;
  /** The full size of what was received, in bytes (a row too large is recorded cut). */
  bodyBytes: number;
  receivedAt: string;
}

/** Records dead letters (schema.sql, audit_dead_letters); one that is already there is kept as it was. */
export async function recordDeadLetters(db: D1Database, letters: readonly DeadLetter[]): Promise<void> {
  if (letters.length === 0) return;
  await db.batch(
    letters.map((letter) =>
      db
        .prepare(
          `INSERT INTO audit_dead_letters (dead_letter_id, reason, detail, body, body_bytes, received_at) VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT (dead_letter_id) DO NOTHING`,
        )
        .bind(letter.deadLetterId, letter.reason, letter.detail, letter.body, letter.bodyBytes, letter.receivedAt),
    ),
  );
}

/** The most recent dead letters first (for operators, and for tests). */
export async function listDeadLetters(db: D1Database, limit = 100): Promise<DeadLetter[]> {
  const { results } = await db
    .prepare(`SELECT dead_letter_id, reason, detail, body, body_bytes, received_at FROM audit_dead_letters ORDER BY id DESC LIMIT ?`)
    .bind(limit)
    .all<{ dead_letter_id: string; reason: DeadLetterReason; detail: string; body: string; body_bytes: number; received_at: string }>();
  return results.map((row) => ({
    deadLetterId: row.dead_letter_id,
    reason: row.reason,
    detail: row.detail,
    body: row.body,
    bodyBytes: row.body_bytes,
    receivedAt: row.received_at,
  }));
}
