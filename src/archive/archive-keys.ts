/**
 * Where the archive lives in R2: one folder per UTC day, named the way Hive-partitioned readers
 * (DuckDB, Spark, Athena, Trino) take the partition from the path:
 *
 *   audit-log/day=2026-01-15/part-00001-3.parquet   a part: its number within the day, and the
 *                                                    lease token of the run that wrote it
 *   audit-log/day=2026-01-15/manifest.json          the day's manifest (day-manifest.ts)
 *
 * A part's key carries the writer's token so that a run that lost its lease can never overwrite a
 * part another run committed.
 */
export const ARCHIVE_PREFIX = "audit-log/";

export function partKey(day: string, part: number, token: number): string {
  return `${dayPrefix(day)}part-${String(part).padStart(5, "0")}-${token}.parquet`;
}

export function manifestKey(day: string): string {
  return `${dayPrefix(day)}manifest.json`;
}

function dayPrefix(day: string): string {
  return `${ARCHIVE_PREFIX}day=${day}/`;
}

/** The UTC day (YYYY-MM-DD) of an ISO-8601 timestamp. */
export function dayOf(createdAt: string): string {
  return createdAt.slice(0, 10);
}

/** The next UTC day. */
export function nextDay(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00.000Z`) + 86_400_000).toISOString().slice(0, 10);
}
