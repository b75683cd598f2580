// The audit archive as the tests see it: old audit rows seeded straight into D1 (as the audit
// consumer writes them, with created_at in the past), and what the archive holds in real R2.
import { env } from "cloudflare:workers";
import { decodeAuditPart } from "../../src/archive/audit-parquet";
import type { ArchivePartRow } from "../../src/db/audit-archive";
import type { AuditEntryResource } from "../../src/models/audit-entry";

const DAY_MS = 86_400_000;

/** The UTC day `daysAgo` days before today (YYYY-MM-DD). */
export function daysAgo(days: number, nowMs = Date.now()): string {
  return new Date(nowMs - days * DAY_MS).toISOString().slice(0, 10);
}

let seeded = 0;

/**
 * Writes `count` audit rows of one counter, spread over `day` (UTC), with 64-character hardware
 * ids, and returns them as D1 holds them (ids included). `licenseId`/`featureId` name the counter.
 */
export async function seedAuditDay(
  day: string,
  count: number,
  counter: { licenseId: number; featureId: number | null } = { licenseId: 700_000 + ++seeded, featureId: 800_000 + seeded },
): Promise<AuditEntryResource[]> {
  const tag = `${day}-${++seeded}`;
  await env.DB.prepare(
    `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?2)
     INSERT INTO consumption_audit (event_id, license_id, license_feature_id, feature_code, hardware_id, consumptions, total_after, event, api_key_id, created_at)
     SELECT 'evt-' || ?1 || '-' || printf('%07d', i), ?3, ?4, 'exports', printf('%064x', i % 37), 1 + i % 5, i * 3, 'consumption_add', 1,
            strftime('%Y-%m-%dT%H:%M:%fZ', ?5, '+' || ((i * 86399) / ?2) || ' seconds')
     FROM n`,
  )
    .bind(tag, count, counter.licenseId, counter.featureId, `${day}T00:00:00.000Z`)
    .run();
  const { results } = await env.DB.prepare("SELECT * FROM consumption_audit WHERE event_id LIKE ?1 ORDER BY id")
    .bind(`evt-${tag}-%`)
    .all<AuditEntryResource>();
  return results;
}

/** Catalogued parts of a day, in part order. */
export async function cataloguedParts(day: string): Promise<ArchivePartRow[]> {
  const { results } = await env.DB.prepare("SELECT * FROM audit_archive_parts WHERE day = ?1 ORDER BY part")
    .bind(day)
    .all<ArchivePartRow>();
  return results;
}

/** Every row in the day's catalogued parts, read back from R2, in id order. */
export async function archivedRows(day: string): Promise<AuditEntryResource[]> {
  const rows: AuditEntryResource[] = [];
  for (const part of await cataloguedParts(day)) {
    const object = await env.AUDIT_ARCHIVE.get(part.object_key);
    if (!object) throw new Error(`catalogued part ${part.object_key} is missing`);
    rows.push(...(await decodeAuditPart(await object.arrayBuffer())));
  }
  return rows.sort((a, b) => a.id - b.id);
}

/** Keys under the day's folder in R2. */
export async function archiveKeys(day: string): Promise<string[]> {
  const listed = await env.AUDIT_ARCHIVE.list({ prefix: `audit-log/day=${day}/` });
  return listed.objects.map((object) => object.key).sort();
}

/** Rows of `ids` still in D1. */
export async function rowsInD1(ids: readonly number[]): Promise<number> {
  return (await env.DB.prepare("SELECT COUNT(*) AS n FROM consumption_audit WHERE id IN (SELECT value FROM json_each(?1))")
    .bind(JSON.stringify(ids))
    .first<number>("n"))!;
}

/**
 * One audit row of today: the archiver never archives the newest row (ids must never be reused),
 * so a test that expects a whole old day archived adds today's traffic after it.
 */
export async function todaysRow(): Promise<void> {
  await seedAuditDay(daysAgo(0), 1);
}
