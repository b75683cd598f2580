/** The consumption audit log (table consumption_audit) and the D1 mirror of totals, as the counter objects write them. */

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

/** 10 columns a row: D1 binds at most 100 values per statement. */
const ROWS_PER_INSERT = 10;

/**
 * Statements that insert `rows` (each at most once: event_id is unique, so a retried write inserts
 * nothing twice) and mirror the newest total of their counter into licenses / license_features.
 * All rows must come from one counter, oldest first; run them in one db.batch (one transaction).
 */
export function auditStatements(db: D1Database, rows: readonly AuditRow[]): D1PreparedStatement[] {
  const last = rows.at(-1);
  if (!last) return [];
  const statements: D1PreparedStatement[] = [];
  for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
    const chunk = rows.slice(i, i + ROWS_PER_INSERT);
    statements.push(
      db
        .prepare(
          `INSERT INTO consumption_audit (event_id, license_id, license_feature_id, feature_code, hardware_id, consumptions, total_after, event, api_key_id, created_at)
           VALUES ${chunk.map(() => "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)").join(", ")} ON CONFLICT (event_id) DO NOTHING`,
        )
        .bind(
          ...chunk.flatMap((row) => [
            row.event_id,
            row.license_id,
            row.license_feature_id,
            row.feature_code,
            row.hardware_id,
            row.consumptions,
            row.total_after,
            row.event,
            row.api_key_id,
            row.created_at,
          ]),
        ),
    );
  }
  // The mirror is for reporting; the counter object stays the source of truth.
  statements.push(
    last.license_feature_id === null
      ? db.prepare("UPDATE licenses SET total_consumptions = ? WHERE id = ?").bind(last.total_after, last.license_id)
      : db.prepare("UPDATE license_features SET total_consumptions = ? WHERE id = ?").bind(last.total_after, last.license_feature_id),
  );
  return statements;
}
