/**
 * What a part holds, in a few numbers: computed once from the rows read out of D1 and once from
 * the rows read back out of R2, and the part is committed only if both agree exactly. The digest
 * covers every value of every row, so a row that changed, went missing or appeared twice fails it,
 * not only a wrong count or sum.
 */
import type { AuditEntryResource } from "../models/audit-entry";
import { ARCHIVE_FIELDS } from "./audit-parquet";

export interface PartSummary {
  rows: number;
  consumptions: number;
  first_id: number;
  last_id: number;
  first_event_id: string;
  last_event_id: string;
  first_created_at: string;
  last_created_at: string;
  /** SHA-256 (hex) of the rows in id order, one canonical JSON array per row. */
  digest: string;
}

/** Per counter ("feature:<license_feature_id>" or "license:<license_id>"): rows and their consumptions. */
export type CounterTotals = Record<string, { rows: number; consumptions: number }>;

/** The summary of rows sorted by id (at least one row). */
export async function summarizePart(rows: readonly AuditEntryResource[]): Promise<PartSummary> {
  const first = rows[0];
  const last = rows.at(-1);
  if (!first || !last) throw new Error("an archive part has at least one row");
  let consumptions = 0;
  let firstCreated = first.created_at;
  let lastCreated = first.created_at;
  for (const row of rows) {
    consumptions += row.consumptions;
    if (row.created_at < firstCreated) firstCreated = row.created_at;
    if (row.created_at > lastCreated) lastCreated = row.created_at;
  }
  return {
    rows: rows.length,
    consumptions,
    first_id: first.id,
    last_id: last.id,
    first_event_id: first.event_id,
    last_event_id: last.event_id,
    first_created_at: firstCreated,
    last_created_at: lastCreated,
    digest: await rowsDigest(rows),
  };
}

export function counterTotals(rows: readonly AuditEntryResource[], into: CounterTotals = {}): CounterTotals {
  for (const row of rows) {
    const counter = row.license_feature_id === null ? `license:${row.license_id}` : `feature:${row.license_feature_id}`;
    const totals = (into[counter] ??= { rows: 0, consumptions: 0 });
    totals.rows += 1;
    totals.consumptions += row.consumptions;
  }
  return into;
}

/** Field by field, so the error names what differs. */
export function summaryMismatch(expected: PartSummary, actual: PartSummary): string | null {
  for (const key of Object.keys(expected) as (keyof PartSummary)[]) {
    if (expected[key] !== actual[key]) return `${key}: expected ${expected[key]}, read back ${actual[key]}`;
  }
  return null;
}

async function rowsDigest(rows: readonly AuditEntryResource[]): Promise<string> {
  const text = rows.map((row) => JSON.stringify(ARCHIVE_FIELDS.map((field) => row[field]))).join("\n");
  const hash = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(hash)].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}
