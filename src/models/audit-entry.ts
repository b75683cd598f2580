/**
 * An entry of the consumption audit log: one accepted consumption, reset or import of one counter,
 * with the total after it. The counter objects write them (src/counter/outbox.ts); the management
 * API reads them, as JSON pages or one CSV export.
 */
import { z } from "zod";
import { CONSUMPTION_EVENTS } from "../license-api/schemas";
import { code, decimal, instant, resourceId, text } from "./fields";
import { pagination } from "./page";

/** Every `event` an audit entry can carry (schema.sql); "import": a total set by a migration (docs/migration.md). */
export const AUDIT_EVENTS = [...CONSUMPTION_EVENTS, "period_reset", "manual_reset", "import"] as const;
export const AuditEvent = z.enum(AUDIT_EVENTS).meta({ id: "AuditEvent" });
export type AuditEvent = z.infer<typeof AuditEvent>;

const filters = {
  license_id: decimal("license_id").optional(),
  license_feature_id: decimal("license_feature_id").optional(),
  feature: code("feature").optional(),
  hardware_id: text("hardware_id").optional(),
  event: AuditEvent.optional(),
  from: instant("from").optional(),
  to: instant("to").optional(),
};

/** Filters (all optional, combined with AND); `from` inclusive, `to` exclusive. */
export const AuditQuery = z.object({ ...pagination, ...filters }).strict();
export type AuditQuery = z.infer<typeof AuditQuery>;
export const AuditCsvQuery = z.object(filters).strict();
export type AuditFilters = z.infer<typeof AuditCsvQuery>;

const positiveId = z.number().int().positive();
/** A signed count, exact in JSON (zod's int() takes safe integers only). */
const count = z.number().int();

/**
 * An entry as the log holds it. Without its `id` (given by D1), the same shape is what travels on
 * the audit queue from the counter objects to D1 (AuditRow, src/db/consumption-audit.ts).
 */
export const AuditEntryResource = z
  .object({
    id: resourceId(),
    event_id: z.string().min(1),
    license_id: positiveId,
    license_feature_id: positiveId.nullable(),
    feature_code: z.string().nullable(),
    hardware_id: z.string().nullable(),
    consumptions: count,
    total_after: count,
    event: AuditEvent,
    api_key_id: positiveId.nullable(),
    created_at: z.iso.datetime(),
  })
  .meta({ id: "AuditEntry" });
export type AuditEntryResource = z.infer<typeof AuditEntryResource>;
