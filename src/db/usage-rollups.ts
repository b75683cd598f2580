/**
 * The usage rollups (tables usage_hourly, usage_daily) and period totals (usage_periods), as the
 * audit queue's consumer writes them: in the same D1 transaction as the audit rows they sum
 * (src/db/consumption-audit.ts auditStatements), so the rollups hold exactly the rows the audit
 * log holds (docs/usage-and-webhooks.md "Rollups").
 *
 * Idempotent under redelivery:
 * - rows: the rollup statements run before the rows are inserted and sum only the rows whose
 *   event_id the audit log does not hold yet; rows repeated within one write are dropped first;
 * - refusal counts travel as absolute counts per hour: the hour keeps the highest count it was
 *   sent, and the day adds only what the hour's count grew by;
 * - a period's total is keyed by its start: written once, the same again on a resend.
 */
import type { RefusalReport } from "../audit/audit-message";
import type { PeriodEnded } from "../webhooks/event-types";
import type { SequencedAuditRow } from "./consumption-audit";

/** The events whose rows are consumptions (every other event adjusts the total: resets, imports). */
const CONSUMPTION_EVENTS_SQL = "('consumption_add', 'offline_floating_consumptions_sync')";

export type Bucket = "hourly" | "daily";
const BUCKET_START = {
  hourly: "substr(created_at, 1, 13) || ':00:00.000Z'",
  daily: "substr(created_at, 1, 10) || 'T00:00:00.000Z'",
} as const;

// Rows not in the audit log yet, summed per counter and bucket. total_after is a bare column beside
// the one MAX() aggregate: SQLite takes it from the row with the highest sequence number.
const rollRows = (bucket: Bucket) => `
INSERT INTO usage_${bucket} (license_id, license_feature_id, bucket_start, consumed, consumptions, overage, adjusted, adjustments, total_after, last_seq)
SELECT license_id, license_feature_id, bucket_start,
       SUM(CASE WHEN is_consumption THEN consumptions ELSE 0 END), SUM(is_consumption), SUM(overage),
       SUM(CASE WHEN is_consumption THEN 0 ELSE consumptions END), SUM(1 - is_consumption),
       total_after, MAX(seq)
FROM (
  SELECT json_extract(value, '$.license_id') AS license_id,
         COALESCE(json_extract(value, '$.license_feature_id'), 0) AS license_feature_id,
         ${BUCKET_START[bucket].replaceAll("created_at", "json_extract(value, '$.created_at')")} AS bucket_start,
         json_extract(value, '$.consumptions') AS consumptions,
         json_extract(value, '$.event') IN ${CONSUMPTION_EVENTS_SQL} AS is_consumption,
         COALESCE(json_extract(value, '$.overage'), 0) AS overage,
         json_extract(value, '$.total_after') AS total_after,
         json_extract(value, '$.seq') AS seq
  FROM json_each(?1)
  WHERE NOT EXISTS (SELECT 1 FROM consumption_audit WHERE consumption_audit.event_id = json_extract(value, '$.event_id'))
)
WHERE true
GROUP BY license_id, license_feature_id, bucket_start
ON CONFLICT (license_id, license_feature_id, bucket_start) DO UPDATE SET
  consumed = consumed + excluded.consumed,
  consumptions = consumptions + excluded.consumptions,
  overage = overage + excluded.overage,
  adjusted = adjusted + excluded.adjusted,
  adjustments = adjustments + excluded.adjustments,
  total_after = CASE WHEN excluded.last_seq > last_seq THEN excluded.total_after ELSE total_after END,
  last_seq = MAX(last_seq, excluded.last_seq)`;

// What each hour's refusal counts grew by, added to its day. Runs before the hours take the new
// counts (below), so a count delivered again adds nothing.
const ROLL_REFUSAL_DAYS = `
INSERT INTO usage_daily (license_id, license_feature_id, bucket_start, refused_over_limit, refused_negative)
SELECT license_id, license_feature_id, day, SUM(grown_over_limit), SUM(grown_negative)
FROM (
  SELECT report.license_id, report.license_feature_id, substr(report.hour, 1, 10) || 'T00:00:00.000Z' AS day,
         MAX(0, report.over_limit - COALESCE(hour.refused_over_limit, 0)) AS grown_over_limit,
         MAX(0, report.negative - COALESCE(hour.refused_negative, 0)) AS grown_negative
  FROM (SELECT json_extract(value, '$.license_id') AS license_id, COALESCE(json_extract(value, '$.license_feature_id'), 0) AS license_feature_id,
               json_extract(value, '$.hour') AS hour, json_extract(value, '$.over_limit') AS over_limit, json_extract(value, '$.negative') AS negative
        FROM json_each(?1)) AS report
  LEFT JOIN usage_hourly AS hour
    ON hour.license_id = report.license_id AND hour.license_feature_id = report.license_feature_id AND hour.bucket_start = report.hour
)
WHERE true
GROUP BY license_id, license_feature_id, day
ON CONFLICT (license_id, license_feature_id, bucket_start) DO UPDATE SET
  refused_over_limit = refused_over_limit + excluded.refused_over_limit,
  refused_negative = refused_negative + excluded.refused_negative`;

const ROLL_REFUSAL_HOURS = `
INSERT INTO usage_hourly (license_id, license_feature_id, bucket_start, refused_over_limit, refused_negative)
SELECT json_extract(value, '$.license_id'), COALESCE(json_extract(value, '$.license_feature_id'), 0), json_extract(value, '$.hour'),
       json_extract(value, '$.over_limit'), json_extract(value, '$.negative')
FROM json_each(?1) WHERE true
ON CONFLICT (license_id, license_feature_id, bucket_start) DO UPDATE SET
  refused_over_limit = MAX(refused_over_limit, excluded.refused_over_limit),
  refused_negative = MAX(refused_negative, excluded.refused_negative)`;

const RECORD_PERIODS = `
INSERT INTO usage_periods (license_id, license_feature_id, period_start, period, period_end, total_consumptions, max_consumption, overage)
SELECT json_extract(value, '$.license_id'), COALESCE(json_extract(value, '$.license_feature_id'), 0), json_extract(value, '$.period_start'),
       json_extract(value, '$.period'), json_extract(value, '$.period_end'), json_extract(value, '$.total_consumptions'),
       json_extract(value, '$.max_consumption'), json_extract(value, '$.overage')
FROM json_each(?1) WHERE true
ON CONFLICT (license_id, license_feature_id, period_start) DO NOTHING`;

/** Rows repeated within one write (a message sent again before the first was acknowledged) kept once. */
export function distinctRows(rows: readonly SequencedAuditRow[]): SequencedAuditRow[] {
  const seen = new Set<string>();
  return rows.filter((row) => !seen.has(row.event_id) && seen.add(row.event_id));
}

/** Each counter's hour once, with the highest counts sent for it (counts only grow within an hour). */
function highestCounts(reports: readonly RefusalReport[]): RefusalReport[] {
  const byHour = new Map<string, RefusalReport>();
  for (const report of reports) {
    const key = `${report.license_id}:${report.license_feature_id ?? 0}:${report.hour}`;
    const seen = byHour.get(key);
    byHour.set(
      key,
      seen
        ? { ...report, over_limit: Math.max(seen.over_limit, report.over_limit), negative: Math.max(seen.negative, report.negative) }
        : report,
    );
  }
  return [...byHour.values()];
}

/**
 * The statements that roll `rows` (distinct, not yet inserted: run these before the insert, in the
 * same batch) and `refusals` up, and record the periods that ended.
 */
export function rollupStatements(
  db: D1Database,
  rows: readonly SequencedAuditRow[],
  refusals: readonly RefusalReport[],
  periods: readonly PeriodEnded[],
): D1PreparedStatement[] {
  const statements: D1PreparedStatement[] = [];
  if (rows.length > 0) {
    const json = JSON.stringify(rows);
    statements.push(db.prepare(rollRows("hourly")).bind(json), db.prepare(rollRows("daily")).bind(json));
  }
  if (refusals.length > 0) {
    const json = JSON.stringify(highestCounts(refusals));
    statements.push(db.prepare(ROLL_REFUSAL_DAYS).bind(json), db.prepare(ROLL_REFUSAL_HOURS).bind(json));
  }
  if (periods.length > 0) statements.push(db.prepare(RECORD_PERIODS).bind(JSON.stringify(periods)));
  return statements;
}
