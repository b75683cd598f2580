/**
 * The audit log's lifecycle: audit rows older than the retention window move from D1 to R2, a
 * part of at most `partRows` rows at a time (docs/audit-archive.md). For each part:
 *
 *   1. read     the oldest day's next rows from D1 (by created_at, through its index);
 *   2. write    them to R2 as one Parquet file, after recording its key in the lease row;
 *   3. verify   read the file back and compare its summary (count, sum, first and last event,
 *               digest of every value) with the rows D1 gave;
 *   4. commit   one D1 transaction: list the part in the catalog and delete its rows.
 *
 * Then, per day touched, the day's manifest is rewritten (5. manifest). A run that stops between
 * any two steps loses nothing and duplicates nothing: before the commit the rows are still in D1
 * (the next run writes the part again, and deletes the unlisted file the lease row names); after
 * it they are in exactly one catalogued part; a missing manifest is written by the next run. Runs
 * never overlap: each holds the lease, and a commit checks it in its own transaction.
 *
 * Rollups (usage totals per period, another table) are never touched here: only raw
 * consumption_audit rows leave D1. The place that would change is `ROWS_THAT_LEAVE_D1` below.
 */
import type { AuditEntryResource } from "../models/audit-entry";
import {
  acquireLease,
  clearPendingKey,
  commitPart,
  daysWithUnlistedParts,
  isCatalogued,
  nextPartNumber,
  oldestAuditTime,
  readDayChunk,
  releaseLease,
  renewLease,
  type ArchivePartRow,
} from "../db/audit-archive";
import { dayOf, nextDay, partKey } from "./archive-keys";
import { archiveSettings, type ArchiveSettings } from "./archive-settings";
import { decodeAuditPart, encodeAuditPart } from "./audit-parquet";
import { writeDayManifest } from "./day-manifest";
import { counterTotals, summarizePart, summaryMismatch, type CounterTotals } from "./part-summary";

/**
 * What the archiver moves out of D1: raw audit rows only. Rollup rows (per period totals) stay in
 * D1 for good; they are small, and reports read them without touching the archive.
 */
export const ROWS_THAT_LEAVE_D1 = "consumption_audit";

export type ArchiveStep = "read" | "write" | "verify" | "commit" | "manifest";

export interface ArchiveOptions {
  /** The run's clock (ms): which days are old enough, and the lease's expiry. */
  now?: number;
  settings?: Partial<ArchiveSettings>;
  /** Called after each step. Tests make it throw to stop a run there, or tamper with R2. */
  afterStep?: (step: ArchiveStep, detail: { day: string; objectKey?: string }) => void | Promise<void>;
}

export interface ArchiveRun {
  /** "busy": another run holds the lease; "more": this run stopped at its part limit. */
  status: "done" | "more" | "busy";
  parts: number;
  rows: number;
  days: string[];
}

export class ArchiveError extends Error {
  override name = "ArchiveError";
}

export async function archiveAuditLog(env: Env, options: ArchiveOptions = {}): Promise<ArchiveRun> {
  const settings = { ...archiveSettings(env), ...options.settings };
  const now = options.now ?? Date.now();
  // The run's clock: `now` at the start, advancing with real time (for the lease's renewals).
  const started = Date.now();
  const clock = () => now + (Date.now() - started);
  const step = options.afterStep ?? (() => {});
  const db = env.DB;
  const bucket = env.AUDIT_ARCHIVE;

  const lease = await acquireLease(db, now, settings.leaseMs);
  if (!lease) return { status: "busy", parts: 0, rows: 0, days: [] };
  try {
    if (lease.pendingKey !== null && !(await isCatalogued(db, lease.pendingKey))) await bucket.delete(lease.pendingKey);
    await clearPendingKey(db, lease.token);

    const cutoff = cutoffTime(now, settings.retentionDays);
    const written = new Map<string, Map<string, CounterTotals>>();
    let parts = 0;
    let rows = 0;
    while (parts < settings.partsPerRun) {
      const oldest = await oldestAuditTime(db);
      if (oldest === null || oldest >= cutoff) break;
      const day = dayOf(oldest);
      const chunk = (await readDayChunk(db, day, nextDay(day), settings.partRows)).sort((a, b) => a.id - b.id);
      if (chunk.length === 0) break;
      await step("read", { day });

      const part = await archivePart(db, bucket, lease.token, settings, clock, day, chunk, step);
      const dayParts = written.get(day) ?? new Map<string, CounterTotals>();
      dayParts.set(part.object_key, counterTotals(chunk));
      written.set(day, dayParts);
      parts += 1;
      rows += chunk.length;
    }

    const days = [...new Set([...written.keys(), ...(await daysWithUnlistedParts(db))])].sort();
    for (const day of days) {
      await writeDayManifest(db, bucket, day, written.get(day) ?? new Map());
      await step("manifest", { day });
    }
    return { status: parts === settings.partsPerRun ? "more" : "done", parts, rows, days };
  } finally {
    await releaseLease(db, lease.token);
  }
}

/** Steps 2 to 4 for one part; throws (leaving the rows in D1) if any of them fails. */
async function archivePart(
  db: D1Database,
  bucket: R2Bucket,
  token: number,
  settings: ArchiveSettings,
  clock: () => number,
  day: string,
  chunk: readonly AuditEntryResource[],
  step: NonNullable<ArchiveOptions["afterStep"]>,
): Promise<ArchivePartRow> {
  const part = await nextPartNumber(db, day);
  const objectKey = partKey(day, part, token);
  if (!(await renewLease(db, token, clock(), settings.leaseMs, objectKey)))
    throw new ArchiveError("the archive lease was taken by another run");

  const expected = await summarizePart(chunk);
  const file = encodeAuditPart(chunk);
  await bucket.put(objectKey, file, {
    httpMetadata: { contentType: "application/vnd.apache.parquet" },
    customMetadata: { rows: String(expected.rows), consumptions: String(expected.consumptions), digest: expected.digest },
  });
  await step("write", { day, objectKey });

  const stored = await bucket.get(objectKey);
  if (!stored) throw new ArchiveError(`${objectKey} was not found right after it was written`);
  const mismatch = summaryMismatch(expected, await summarizePart(await decodeAuditPart(await stored.arrayBuffer())));
  if (mismatch) throw new ArchiveError(`${objectKey} does not hold what was written (${mismatch}); its rows stay in D1`);
  await step("verify", { day, objectKey });

  const archived: ArchivePartRow = {
    day,
    part,
    object_key: objectKey,
    bytes: file.byteLength,
    archived_at: new Date().toISOString(),
    ...expected,
  };
  if (
    !(await commitPart(
      db,
      token,
      archived,
      chunk.map((row) => row.id),
    ))
  ) {
    throw new ArchiveError(`${objectKey} was not committed: the lease was lost or its rows changed; its rows stay in D1`);
  }
  await step("commit", { day, objectKey });
  return archived;
}

/** Rows created before this instant are archived: midnight UTC, `retentionDays` days before today. */
export function cutoffTime(nowMs: number, retentionDays: number): string {
  const today = Date.parse(`${new Date(nowMs).toISOString().slice(0, 10)}T00:00:00.000Z`);
  return new Date(today - retentionDays * 86_400_000).toISOString();
}
