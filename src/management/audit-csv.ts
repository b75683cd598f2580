/**
 * The audit log as CSV (RFC 4180), streamed page by page across D1 and the archive
 * (src/archive/read-audit-page.ts), so an export of any size needs no more memory than one page.
 * Hardware ids come from clients, so text cells are written against formula injection (OWASP "CSV
 * Injection"; see csvCell).
 */
import { readAuditPage } from "../archive/read-audit-page";
import type { AuditEntryResource, AuditFilters } from "../models/audit-entry";

const COLUMNS = [
  "id",
  "event_id",
  "created_at",
  "event",
  "license_id",
  "license_feature_id",
  "feature_code",
  "hardware_id",
  "consumptions",
  "total_after",
  "api_key_id",
] as const satisfies ReadonlyArray<keyof AuditEntryResource>;
const BATCH = 500;

export function auditCsvResponse(env: Pick<Env, "DB" | "AUDIT_ARCHIVE">, filters: AuditFilters): Response {
  const encoder = new TextEncoder();
  let cursor: number | null = 0;
  let headerSent = false;
  // Each pull enqueues something or closes: a pull that did neither would leave the reader waiting forever.
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!headerSent) {
        headerSent = true;
        controller.enqueue(encoder.encode(`${COLUMNS.join(",")}\r\n`));
        return;
      }
      if (cursor === null) {
        controller.close();
        return;
      }
      const page = await readAuditPage(env, filters, cursor, BATCH);
      cursor = page.nextCursor;
      if (page.items.length > 0) controller.enqueue(encoder.encode(page.items.map(csvLine).join("")));
      if (cursor === null) controller.close();
    },
  });
  return new Response(body, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": 'attachment; filename="audit-log.csv"',
      "Cache-Control": "no-store",
    },
  });
}

function csvLine(entry: AuditEntryResource): string {
  return `${COLUMNS.map((column) => csvCell(entry[column])).join(",")}\r\n`;
}

/**
 * One cell. Numbers come from typed integer columns and stay numbers (a consumption of -7 is -7).
 * Text follows OWASP's CSV injection guidance, for whichever way a spreadsheet reads the file:
 * - a formula trigger (= + - @, tab, CR, LF, or the full-width ＝ ＋ － ＠), after any leading
 *   whitespace (NBSP and the other Unicode spaces, zero-width ones) or quotes, gets a single quote
 *   in front: the cell is then text;
 * - the same inside the text after each character that starts a cell for some reader: the
 *   delimiters of common locales (, ; tab |) and line breaks. A spreadsheet that splits on ";"
 *   does not honour quotes that start mid-field, so "x;=cmd|..." would otherwise begin a cell;
 * - text holding any of those characters or a double quote is quoted, quotes doubled (RFC 4180).
 */
export function csvCell(value: string | number | null): string {
  if (value === null) return "";
  if (typeof value === "number") return String(value);
  let safe = startsFormula(value, 0) ? "'" : "";
  for (let i = 0; i < value.length; i++) {
    safe += value[i];
    if (CELL_START.has(value[i]!) && startsFormula(value, i + 1)) safe += "'";
  }
  return /[,;\t|"\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** Characters after which some reader starts a new cell. */
const CELL_START = new Set([",", ";", "\t", "|", "\r", "\n"]);
// Leading whitespace (JavaScript's \s covers NBSP, U+2000-U+200A, U+3000, U+FEFF...), zero-width
// characters and quotes, then a trigger. Sticky: tested at one position.
const FORMULA_AHEAD = /[\s"\u200b-\u200d\u2060]*[=+\-@\t\r\n\uff1d\uff0b\uff0d\uff20]/y;

function startsFormula(text: string, at: number): boolean {
  FORMULA_AHEAD.lastIndex = at;
  return FORMULA_AHEAD.test(text);
}
