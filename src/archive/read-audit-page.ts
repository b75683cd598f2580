/**
 * The audit log as one list across D1 and the archive (docs/audit-archive.md "Reading across the
 * boundary"): a page of rows after a cursor, in id order (the order rows were recorded), whichever
 * side each row lives on. Ids are unique across both sides (the archiver never archives the newest
 * row, so SQLite never hands an archived row's id to a new one), so the cursor means the same
 * thing on both sides and a page merges the two by id.
 *
 * Which rows live where is read from the catalog, whose rows move with their audit rows in one
 * transaction. The catalog is read before and after the D1 page: if a part was committed between
 * the two, the page is read again, so a row moving to R2 meanwhile is never missed.
 *
 * Work per page is bounded: past ARCHIVE_ROWS_PER_PAGE rows read from parts, a page may hold fewer
 * rows than asked (even none) with a next cursor; only a null cursor ends the list.
 */
import { queryAudit } from "../db/audit-entries";
import type { AuditEntryResource, AuditFilters } from "../models/audit-entry";
import type { KeysetPage } from "../db/keyset-page";
import type { ArchivePartRow } from "../db/audit-archive";
import { decodeAuditPart } from "./audit-parquet";

/** Archived rows one page may read (parts are read whole, then filtered). */
export const ARCHIVE_ROWS_PER_PAGE = 100_000;
/** Parts listed per page read; one more is listed to know where the next one starts. */
const PARTS_PER_READ = 32;
const ATTEMPTS = 3;

type Part = Pick<ArchivePartRow, "object_key" | "rows" | "first_id" | "last_id">;

const PARTS_SQL = `
SELECT object_key, rows, first_id, last_id FROM audit_archive_parts
WHERE last_id > ?1 AND (?2 IS NULL OR last_created_at >= ?2) AND (?3 IS NULL OR first_created_at < ?3)
ORDER BY first_id
LIMIT ?4`;
// Parts are never deleted, so the highest rowid changes exactly when a part is committed.
const CATALOG_VERSION_SQL = "SELECT COALESCE(MAX(rowid), 0) AS version FROM audit_archive_parts";

export async function readAuditPage(
  env: Pick<Env, "DB" | "AUDIT_ARCHIVE">,
  filters: AuditFilters,
  cursor: number,
  limit: number,
  archiveRowsPerPage = ARCHIVE_ROWS_PER_PAGE,
): Promise<KeysetPage<AuditEntryResource>> {
  for (let attempt = 1; ; attempt++) {
    const [listed, before] = await env.DB.batch([
      env.DB.prepare(PARTS_SQL).bind(cursor, filters.from ?? null, filters.to ?? null, PARTS_PER_READ + 1),
      env.DB.prepare(CATALOG_VERSION_SQL),
    ]);
    const parts = listed!.results as Part[];
    const d1 = await queryAudit(env.DB, filters, cursor, limit);
    const after = await env.DB.prepare(CATALOG_VERSION_SQL).first<number>("version");
    if (after === (before!.results[0] as { version: number }).version || attempt === ATTEMPTS) {
      return mergePage(env.AUDIT_ARCHIVE, parts, d1, filters, cursor, limit, archiveRowsPerPage);
    }
  }
}

async function mergePage(
  bucket: R2Bucket,
  listed: Part[],
  d1: KeysetPage<AuditEntryResource>,
  filters: AuditFilters,
  cursor: number,
  limit: number,
  archiveRowsPerPage: number,
): Promise<KeysetPage<AuditEntryResource>> {
  // Every D1 row up to d1Bound is in d1.items.
  const d1Bound = d1.nextCursor === null ? Infinity : d1.items.at(-1)!.id;
  const more = listed.length > PARTS_PER_READ;
  const parts = listed.slice(0, PARTS_PER_READ);
  const archived: AuditEntryResource[] = [];
  let read = 0;
  let rowsRead = 0;
  for (;;) {
    // Every archived row up to archiveBound has been read: later parts start after it.
    const next = read < parts.length ? parts[read]!.first_id : more ? listed[PARTS_PER_READ]!.first_id : Infinity;
    const bound = Math.min(next - 1, d1Bound);
    // By id, once: a row seen on both sides (only if the catalog kept changing while reading) counts once.
    const byId = new Map([...archived, ...d1.items].filter((row) => row.id <= bound).map((row) => [row.id, row]));
    const rows = [...byId.values()].sort((a, b) => a.id - b.id);
    if (rows.length > limit || (rows.length === limit && bound !== Infinity)) {
      const items = rows.slice(0, limit);
      return { items, nextCursor: items.at(-1)!.id };
    }
    if (bound === Infinity) return { items: rows, nextCursor: null };
    const part = parts[read];
    const mustRead = bound <= cursor;
    if (!part || (!mustRead && rowsRead + part.rows > archiveRowsPerPage)) {
      // Out of budget (or of listed parts): a short page that ends where the reading stopped.
      return { items: rows, nextCursor: bound };
    }
    for (const row of await partRows(bucket, part.object_key)) {
      if (row.id > cursor && matches(row, filters)) archived.push(row);
    }
    rowsRead += part.rows;
    read += 1;
  }
}

function matches(row: AuditEntryResource, filters: AuditFilters): boolean {
  return (
    (filters.license_id === undefined || row.license_id === filters.license_id) &&
    (filters.license_feature_id === undefined || row.license_feature_id === filters.license_feature_id) &&
    (filters.feature === undefined || row.feature_code === filters.feature) &&
    (filters.hardware_id === undefined || row.hardware_id === filters.hardware_id) &&
    (filters.event === undefined || row.event === filters.event) &&
    (filters.from === undefined || row.created_at >= filters.from) &&
    (filters.to === undefined || row.created_at < filters.to)
  );
}

// Parts never change once committed, so a decoded part can be kept: paging through a part asks
// for it once per page. Two parts at most (a part of 20,000 rows is ~10 MB decoded).
const decoded = new Map<string, AuditEntryResource[]>();
const DECODED_PARTS = 2;

async function partRows(bucket: R2Bucket, key: string): Promise<AuditEntryResource[]> {
  const cached = decoded.get(key);
  if (cached) return cached;
  const object = await bucket.get(key);
  if (!object) throw new Error(`archived audit part ${key} is missing from R2`);
  const rows = await decodeAuditPart(await object.arrayBuffer());
  decoded.set(key, rows);
  for (const oldest of decoded.keys()) {
    if (decoded.size <= DECODED_PARTS) break;
    decoded.delete(oldest);
  }
  return rows;
}
