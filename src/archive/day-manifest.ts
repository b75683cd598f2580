/**
 * The manifest of one archived day, `audit-log/day=YYYY-MM-DD/manifest.json` beside its parts:
 * what the day's files hold (rows, sum of consumptions, first and last event, per part and in all,
 * and per counter), so anyone can check a copy of the archive without D1, and reconcile it with
 * the counters. It is derived from the catalog (src/db/audit-archive.ts), which decides what is
 * archived: written after the parts are committed, and rewritten by the next run if a run stopped
 * before writing it.
 */
import { counterTotals, type CounterTotals } from "./part-summary";
import { decodeAuditPart } from "./audit-parquet";
import { markListed, partsOfDay, type ArchivePartRow } from "../db/audit-archive";
import { manifestKey } from "./archive-keys";

export const MANIFEST_FORMAT = "edge-license-api/audit-log-manifest/1";

export interface DayManifest {
  format: typeof MANIFEST_FORMAT;
  day: string;
  rows: number;
  consumptions: number;
  first_id: number;
  last_id: number;
  first_event_id: string;
  last_event_id: string;
  parts: ManifestPart[];
  /** Per counter ("feature:<license_feature_id>", "license:<license_id>"): rows and consumptions that day. */
  counters: CounterTotals;
}

export type ManifestPart = Omit<ArchivePartRow, "day">;

/**
 * Writes the day's manifest from its catalogued parts. Counter totals of parts the previous
 * manifest already listed come from it; those of newer parts from `known` (the rows this run
 * archived) or, after a run that stopped, from reading the part back.
 */
export async function writeDayManifest(
  db: D1Database,
  bucket: R2Bucket,
  day: string,
  known: ReadonlyMap<string, CounterTotals>,
): Promise<DayManifest> {
  const catalogued = await partsOfDay(db, day);
  const previous = await readDayManifest(bucket, day);
  const listed = new Set(previous?.parts.map((part) => part.object_key));
  const counters: CounterTotals = structuredClone(previous?.counters ?? {});
  for (const part of catalogued) {
    if (listed.has(part.object_key)) continue;
    const partCounters = known.get(part.object_key) ?? (await readPartCounters(bucket, part.object_key));
    for (const [counter, totals] of Object.entries(partCounters)) {
      const sum = (counters[counter] ??= { rows: 0, consumptions: 0 });
      sum.rows += totals.rows;
      sum.consumptions += totals.consumptions;
    }
  }
  const byId = [...catalogued].sort((a, b) => a.first_id - b.first_id);
  const last = [...catalogued].sort((a, b) => b.last_id - a.last_id)[0]!;
  const manifest: DayManifest = {
    format: MANIFEST_FORMAT,
    day,
    rows: sum(catalogued, "rows"),
    consumptions: sum(catalogued, "consumptions"),
    first_id: byId[0]!.first_id,
    last_id: last.last_id,
    first_event_id: byId[0]!.first_event_id,
    last_event_id: last.last_event_id,
    parts: catalogued.map(({ day: _day, ...part }) => part),
    counters,
  };
  await bucket.put(manifestKey(day), JSON.stringify(manifest, null, 1), { httpMetadata: { contentType: "application/json" } });
  await markListed(
    db,
    day,
    catalogued.map((part) => part.object_key),
  );
  return manifest;
}

export async function readDayManifest(bucket: R2Bucket, day: string): Promise<DayManifest | null> {
  const object = await bucket.get(manifestKey(day));
  return object ? ((await object.json()) as DayManifest) : null;
}

async function readPartCounters(bucket: R2Bucket, key: string): Promise<CounterTotals> {
  const object = await bucket.get(key);
  if (!object) throw new Error(`archive part ${key} is catalogued but missing from R2`);
  return counterTotals(await decodeAuditPart(await object.arrayBuffer()));
}

function sum(parts: readonly ArchivePartRow[], field: "rows" | "consumptions"): number {
  return parts.reduce((total, part) => total + part[field], 0);
}
