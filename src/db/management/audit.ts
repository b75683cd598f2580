/**
 * Reading the consumption audit log (table consumption_audit, written only by the counter
 * objects' outbox flush). Rows reach D1 shortly after the response that caused them; see
 * src/counter/consumption-counter.ts for why that is safe.
 */
import type { AuditRow } from "../consumption-audit";
import { keysetPage, type KeysetPage } from "./keyset-page";

/** An audit row as stored, with its id (the order rows were recorded in). */
export interface AuditRecord extends AuditRow {
  id: number;
}

/** Filters, combined with AND; `from` inclusive, `to` exclusive (ISO-8601). */
export interface AuditFilters {
  license_id?: number | undefined;
  license_feature_id?: number | undefined;
  feature?: string | undefined;
  hardware_id?: string | undefined;
  event?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
}

// Every filter is optional: `?n IS NULL OR ...` keeps one statement for all combinations.
const AUDIT_SQL = `
SELECT id, event_id, license_id, license_feature_id, feature_code, hardware_id, consumptions, total_after, event, api_key_id, created_at
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
export async function queryAudit(db: D1Database, filters: AuditFilters, cursor: number, limit: number): Promise<KeysetPage<AuditRecord>> {
  const { results } = await db
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
    )
    .all<AuditRecord>();
  return keysetPage(results, limit);
}
