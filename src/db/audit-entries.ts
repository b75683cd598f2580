/**
 * Reading the consumption audit log (table consumption_audit, written only by the audit queue's
 * consumer from the counter objects' outboxes). Rows reach D1 shortly after the response that
 * caused them (docs/architecture.md "The audit log: outbox → queue → D1").
 */
import { AuditEntryResource, type AuditFilters } from "../models/audit-entry";
import { readPage, type KeysetPage } from "./keyset-page";

const ENTRY_COLUMNS = Object.keys(AuditEntryResource.shape).join(", ");

// Every filter is optional: `?n IS NULL OR ...` keeps one statement for all combinations.
const AUDIT_SQL = `
SELECT ${ENTRY_COLUMNS}
FROM consumption_audit
WHERE id > ?1
  AND (?2 IS NULL OR license_id = ?2)
  AND (?3 IS NULL OR license_feature_id = ?3)
  AND (?4 IS NULL OR feature_code = ?4)
  AND (?5 IS NULL OR hardware_id = ?5)
  AND (?6 IS NULL OR event = ?6)
  AND (?7 IS NULL OR created_at >= ?7)
  AND (?8 IS NULL OR created_at < ?8)
ORDER BY id
LIMIT ?9`;

/** One page of audit rows in the order they were recorded (id order), after `cursor`. */
export async function queryAudit(
  db: D1Database,
  filters: AuditFilters,
  cursor: number,
  limit: number,
): Promise<KeysetPage<AuditEntryResource>> {
  const statement = db
    .prepare(AUDIT_SQL)
    .bind(
      cursor,
      filters.license_id ?? null,
      filters.license_feature_id ?? null,
      filters.feature ?? null,
      filters.hardware_id ?? null,
      filters.event ?? null,
      filters.from ?? null,
      filters.to ?? null,
      limit + 1,
    );
  // Every field of an entry is stored as it is answered.
  return readPage(statement, limit, (entry: AuditEntryResource) => entry);
}
