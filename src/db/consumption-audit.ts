/**
 * The consumption audit log (table consumption_audit) and the D1 mirror of each counter's total,
 * as the audit queue's consumer writes them (src/audit/audit-consumer.ts).
 */

/** One audit row as stored (schema.sql, consumption_audit). */
export interface AuditRow {
  event_id: string;
  license_id: number;
  license_feature_id: number | null;
  feature_code: string | null;
  hardware_id: string | null;
  consumptions: number;
  total_after: number;
  event: string;
  api_key_id: number | null;
  created_at: string;
}

/** An audit row with its counter object's sequence number (increasing with every row of that counter). */
export interface SequencedAuditRow extends AuditRow {
  seq: number;
}

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
UPDATE ${table} SET total_consumptions = mirror.total, total_version = mirror.version
FROM (SELECT json_extract(value, '$.id') AS id, json_extract(value, '$.total') AS total, json_extract(value, '$.version') AS version
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
        .map((row) => ({ id: row.license_feature_id ?? row.license_id, total: row.total_after, version: row.seq })),
    );
  const auditRows = rows.map(({ seq: _seq, ...row }) => row);
  return [
    db.prepare(INSERT_ROWS).bind(JSON.stringify(auditRows)),
    db.prepare(mirrorTotals("license_features")).bind(mirror(true)),
    db.prepare(mirrorTotals("licenses")).bind(mirror(false)),
  ];
}
