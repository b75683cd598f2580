/** Enumerations the management API shares with the License API, typed against the core's own types. */
import type { ConsumptionPeriod } from "../counter/consumption-rules";
import { CONSUMPTION_EVENTS } from "../license-api/schemas";

export const CONSUMPTION_PERIODS = ["daily", "weekly", "monthly", "annually"] as const satisfies readonly ConsumptionPeriod[];

/** Every `event` a consumption_audit row can carry (schema.sql); "import": a total set by a migration (docs/migration.md). */
export const MANAGEMENT_AUDIT_EVENTS = [...CONSUMPTION_EVENTS, "period_reset", "manual_reset", "import"] as const;
