/**
 * How long hourly rollups stay (docs/usage-and-webhooks.md "How small"): the hours of the last
 * HOURLY_ROLLUP_DAYS days, as long as the raw audit rows stay in D1 by default; daily rollups and
 * period totals stay for good. Without this, hourly rows would be 24 times the daily ones for ever.
 * The scheduled handler calls it every run; it works once a day (a full pass over the hourly
 * table), deleting in bounded statements.
 */
export const HOURLY_ROLLUP_DAYS = 90;

const DAY_MS = 86_400_000;
const PER_STATEMENT = 10_000;
/** A run deletes at most this many statements' worth; what is left waits for the next day's run. */
const STATEMENTS_PER_RUN = 50;
const SCAN = "hourly_rollups_pruned";

/** Deletes hourly rollups older than HOURLY_ROLLUP_DAYS whole days, once per UTC day; answers how many. */
export async function pruneHourlyRollups(db: D1Database, nowMs: number): Promise<number> {
  const today = new Date(nowMs).toISOString().slice(0, 10);
  const done = await db.prepare("SELECT scanned_through FROM scheduled_scans WHERE name = ?").bind(SCAN).first<string>("scanned_through");
  if (done === today) return 0;
  const cutoff = new Date(Date.parse(`${today}T00:00:00.000Z`) - HOURLY_ROLLUP_DAYS * DAY_MS).toISOString();
  let deleted = 0;
  for (let i = 0; i < STATEMENTS_PER_RUN; i++) {
    const { meta } = await db
      .prepare(
        `DELETE FROM usage_hourly WHERE (license_id, license_feature_id, bucket_start) IN
           (SELECT license_id, license_feature_id, bucket_start FROM usage_hourly WHERE bucket_start < ?1 LIMIT ?2)`,
      )
      .bind(cutoff, PER_STATEMENT)
      .run();
    deleted += meta.changes;
    if (meta.changes < PER_STATEMENT) {
      await db
        .prepare(
          "INSERT INTO scheduled_scans (name, scanned_through) VALUES (?1, ?2) ON CONFLICT (name) DO UPDATE SET scanned_through = excluded.scanned_through",
        )
        .bind(SCAN, today)
        .run();
      break;
    }
  }
  return deleted;
}
