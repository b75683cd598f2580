/**
 * The billing export (docs/usage-and-webhooks.md "Billing export"): one month's usage per counter,
 * with its customer, license key, product and feature, streamed as CSV or NDJSON page by page from
 * the daily rollups, so a month of any size needs no more memory than one page.
 *
 * units: the sum of the month's accepted consumptions (negative ones subtract). overage: the units of
 * them past max_consumption, as each counter object decided when it accepted them (so a periodic
 * counter's overage is its own period's, and a change of the cap applies from then on).
 */
import { billingRows, type BillingRow } from "../db/usage-reports";
import { csvCell } from "../management/audit-csv";

const PAGE = 500;

const COLUMNS = [
  "customer_email",
  "customer_company",
  "license_id",
  "license_key",
  "product",
  "feature_code",
  "license_feature_id",
  "period",
  "period_start",
  "period_end",
  "units",
  "overage",
  "consumptions",
  "max_consumption",
] as const;

type BillingLine = Record<(typeof COLUMNS)[number], string | number | null>;

/** The first day of `month` ("2026-11") and of the month after, ISO-8601. */
export function monthRange(month: string): { from: string; to: string } {
  const [year, index] = month.split("-").map(Number) as [number, number];
  return { from: new Date(Date.UTC(year, index - 1, 1)).toISOString(), to: new Date(Date.UTC(year, index, 1)).toISOString() };
}

export function billingExportResponse(db: D1Database, month: string, format: "csv" | "ndjson", productId: number | undefined): Response {
  const range = monthRange(month);
  const encoder = new TextEncoder();
  let after: [number, number] | null = [0, -1];
  let headerSent = format !== "csv";
  const line = (row: BillingRow): BillingLine => ({
    customer_email: row.customer_email,
    customer_company: row.customer_company,
    license_id: row.license_id,
    license_key: row.license_key,
    product: row.product,
    feature_code: row.feature_code,
    license_feature_id: row.license_feature_id === 0 ? null : row.license_feature_id,
    period: month,
    period_start: range.from,
    period_end: range.to,
    units: row.units,
    overage: row.overage,
    consumptions: row.consumptions,
    max_consumption: row.max_consumption,
  });
  const encode = (lines: BillingLine[]) =>
    format === "csv"
      ? lines.map((one) => `${COLUMNS.map((column) => csvCell(one[column])).join(",")}\r\n`).join("")
      : lines.map((one) => `${JSON.stringify(one)}\n`).join("");
  // Each pull enqueues something or closes: a pull that did neither would leave the reader waiting forever.
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!headerSent) {
        headerSent = true;
        controller.enqueue(encoder.encode(`${COLUMNS.join(",")}\r\n`));
        return;
      }
      if (after === null) {
        controller.close();
        return;
      }
      const rows = await billingRows(db, range, productId, after, PAGE);
      after = rows.length === PAGE ? [rows.at(-1)!.license_id, rows.at(-1)!.license_feature_id] : null;
      if (rows.length > 0) controller.enqueue(encoder.encode(encode(rows.map(line))));
      if (after === null) controller.close();
    },
  });
  return new Response(body, {
    headers: {
      "Content-Type": format === "csv" ? "text/csv; charset=utf-8" : "application/x-ndjson; charset=utf-8",
      "Content-Disposition": `attachment; filename="usage-${month}.${format}"`,
      "Cache-Control": "no-store",
    },
  });
}
