/**
 * The reconciliation check (docs/usage-and-webhooks.md "Reconciliation"): for each counter, the
 * usage rollups equal the raw audit rows D1 holds, day by day, and the counter object's own state:
 * as many rows as the object ever wrote, ending at the object's total. The object is asked through
 * `usageState`, which only reads (it applies no periodic reset that is due).
 *
 * Raw rows older than the audit log's retention window (AUDIT_RETENTION_DAYS) are archived to R2,
 * whole UTC days at a time (src/archive/); the rollups stay. Days before the oldest raw row D1
 * holds are therefore not compared here (the archive's day manifests carry their counts and sums),
 * and that oldest day may be in the middle of being archived: if it is past the retention window,
 * its raw rows may be fewer than the rollup's, never more.
 *
 * A counter D1 has never received a row of is not asked (asking would create its object): it is
 * reported with `object: null`.
 */
import { counterStub } from "../counter/counter-stubs";
import type { CounterUsageState } from "../counter/types";
import { cutoffTime } from "../archive/archive-audit-log";
import { archiveSettings } from "../archive/archive-settings";
import { countersInD1, type CounterInD1, type CounterListed, type DaySums } from "../db/usage-reports";

export interface CounterReconciliation {
  license_id: number;
  /** null: the license's own counter. */
  license_feature_id: number | null;
  feature_code: string | null;
  /** ok: everything agrees; in_transit: the object holds rows, events or refusal counts not in D1 yet (D1 is compared with what it has); mismatch: see problems. */
  status: "ok" | "in_transit" | "mismatch";
  problems: string[];
  object: { total: number; audit_rows_written: number; pending_audit_rows: number } | null;
  rollups: { rows: number; consumptions_sum: number; last_total: number | null };
  raw: { rows: number; consumptions_sum: number; first_day: string | null; days_compared: number };
}

export async function reconcileCounters(env: Env, counters: readonly CounterListed[]): Promise<CounterReconciliation[]> {
  const [inD1, states] = await Promise.all([
    countersInD1(env.DB, counters),
    Promise.all(
      counters.map(({ license_id, license_feature_id, total_version }) =>
        total_version === 0
          ? null
          : counterStub(env, {
              licenseId: license_id,
              licenseFeatureId: license_feature_id === 0 ? null : license_feature_id,
            }).usageState(),
      ),
    ),
  ]);
  const archivableBefore = cutoffTime(Date.now(), archiveSettings(env).retentionDays);
  return counters.map((counter, i) => reconcile(counter, inD1[i]!, states[i]!, archivableBefore));
}

function reconcile(
  counter: { license_id: number; license_feature_id: number; feature_code: string | null },
  d1: CounterInD1,
  state: CounterUsageState | null,
  archivableBefore: string,
): CounterReconciliation {
  const problems: string[] = [];
  const rollupRows = sum(d1.rollupDays, "rows");
  const rollupSum = sum(d1.rollupDays, "sum");
  const firstRawDay = d1.rawDays[0]?.day ?? null;
  const rollupByDay = new Map(d1.rollupDays.map((day) => [day.day, day]));
  let daysCompared = 0;
  for (const raw of d1.rawDays) {
    const rolled = rollupByDay.get(raw.day) ?? { day: raw.day, rows: 0, sum: 0 };
    daysCompared += 1;
    const partlyArchived = raw.day === firstRawDay && raw.day < archivableBefore && raw.rows < rolled.rows;
    if (!partlyArchived && (raw.rows !== rolled.rows || raw.sum !== rolled.sum)) {
      problems.push(`${raw.day.slice(0, 10)}: raw rows ${raw.rows} (sum ${raw.sum}), rollup ${rolled.rows} (sum ${rolled.sum})`);
    }
  }
  for (const rolled of d1.rollupDays) {
    if (firstRawDay !== null && rolled.day > firstRawDay && !d1.rawDays.some((raw) => raw.day === rolled.day)) {
      problems.push(`${rolled.day.slice(0, 10)}: rollup ${rolled.rows} rows (sum ${rolled.sum}), no raw rows`);
    }
  }
  const pending = state !== null && (state.pendingAuditRows > 0 || state.pendingEvents > 0 || state.unsentRefusalHours > 0);
  if (state !== null && state.pendingAuditRows === 0) {
    if (state.auditRowsWritten !== rollupRows)
      problems.push(`the object wrote ${state.auditRowsWritten} rows, the rollups hold ${rollupRows}`);
    if (state.auditRowsWritten > 0 && state.total !== d1.lastTotal) {
      problems.push(`the object's total is ${state.total}, the rollups end at ${String(d1.lastTotal)}`);
    }
  }
  if (state === null && rollupRows > 0) problems.push(`the rollups hold ${rollupRows} rows of a counter D1 has no total of`);
  return {
    license_id: counter.license_id,
    license_feature_id: counter.license_feature_id === 0 ? null : counter.license_feature_id,
    feature_code: counter.feature_code,
    status: problems.length > 0 ? "mismatch" : pending ? "in_transit" : "ok",
    problems,
    object: state && { total: state.total, audit_rows_written: state.auditRowsWritten, pending_audit_rows: state.pendingAuditRows },
    rollups: { rows: rollupRows, consumptions_sum: rollupSum, last_total: d1.lastTotal },
    raw: { rows: sum(d1.rawDays, "rows"), consumptions_sum: sum(d1.rawDays, "sum"), first_day: firstRawDay, days_compared: daysCompared },
  };
}

const sum = (days: readonly DaySums[], field: "rows" | "sum") => days.reduce((total, day) => total + day[field], 0);
