/**
 * The audit log as CSV (RFC 4180), streamed page by page so an export of any size needs no more
 * memory than one page. Text cells that a spreadsheet would run as a formula (=, +, -, @, tab,
 * CR) are prefixed with a single quote: hardware ids come from clients.
 */
import { queryAudit } from "../db/management/audit";
import type { AuditEntry, AuditFilters } from "./schemas";

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
] as const satisfies ReadonlyArray<keyof AuditEntry>;
const BATCH = 500;

export function auditCsvResponse(db: D1Database, filters: AuditFilters): Response {
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
      const page = await queryAudit(db, filters, cursor, BATCH);
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

function csvLine(entry: AuditEntry): string {
  return `${COLUMNS.map((column) => csvCell(entry[column])).join(",")}\r\n`;
}

function csvCell(value: string | number | null): string {
  if (value === null) return "";
  if (typeof value === "number") return String(value);
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
