/** /api/v1/audit: the consumption audit log, as JSON pages or one CSV export. */
import { z } from "zod";
import { readAuditPage } from "../../archive/read-audit-page";
import { AuditCsvQuery, AuditEntryResource, AuditQuery } from "../../models/audit-entry";
import { page } from "../../models/page";
import { auditCsvResponse } from "../audit-csv";
import { managementRoute } from "../management-route";
import { pageBody } from "../page-body";

const FILTERS_DESCRIPTION =
  "Filters combine with AND: license_id, license_feature_id or feature (code), hardware_id (the device), event, and the time range " +
  "from (inclusive) … to (exclusive), ISO-8601. Rows are in the order they were recorded. A row reaches the log shortly after the " +
  "consumption it records (about a second later: the counter object sends it through the audit queue, whose consumer batches D1 writes). " +
  "Rows past the retention window live in the R2 archive and are read from there transparently, in the same order and with the same cursors; " +
  "a page that reads many archived rows may hold fewer rows than the limit (even none) and still have a next_cursor: only a null next_cursor ends the list.";

export const managementAuditRoutes = [
  managementRoute({
    method: "get",
    path: "/api/v1/audit",
    operationId: "listAuditEntries",
    tag: "Audit log",
    summary: "Query the consumption audit log",
    description: FILTERS_DESCRIPTION,
    query: AuditQuery,
    response: page(AuditEntryResource),
    async handler({ query, env }) {
      return pageBody(await readAuditPage(env, query, query.cursor ?? 0, query.limit));
    },
  }),
  managementRoute({
    method: "get",
    path: "/api/v1/audit/csv",
    operationId: "exportAuditCsv",
    tag: "Audit log",
    summary: "Export the consumption audit log as CSV (every matching row, no pagination)",
    description: FILTERS_DESCRIPTION,
    query: AuditCsvQuery,
    response: z.string(),
    csv: true,
    async handler({ query, env }) {
      return auditCsvResponse(env, query);
    },
  }),
];
