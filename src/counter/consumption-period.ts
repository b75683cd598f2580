/**
 * Calendar consumption periods in UTC (docs/protocol.md "Consumption periods"): daily at 00:00, weekly on Monday
 * 00:00, monthly on the 1st, annually on 1 January. Pure, so a reset is a function of the clock
 * and never of a scheduled job having run.
 */
import type { ConsumptionPeriod, ConsumptionRules } from "./consumption-rules";
import type { CounterState } from "./types";

/** The start (ms since epoch, UTC) of the period that contains `nowMs`. */
export function periodStart(period: ConsumptionPeriod, nowMs: number): number {
  const now = new Date(nowMs);
  const y = now.getUTCFullYear();
  const m = now.getUTCMonth();
  const d = now.getUTCDate();
  switch (period) {
    case "daily":
      return Date.UTC(y, m, d);
    case "weekly": {
      const daysSinceMonday = (now.getUTCDay() + 6) % 7;
      return Date.UTC(y, m, d - daysSinceMonday);
    }
    case "monthly":
      return Date.UTC(y, m, 1);
    case "annually":
      return Date.UTC(y, 0, 1);
  }
}

/** The start of the next period: when the current allowance ends. */
export function periodEnd(period: ConsumptionPeriod, nowMs: number): number {
  const start = new Date(periodStart(period, nowMs));
  const y = start.getUTCFullYear();
  const m = start.getUTCMonth();
  const d = start.getUTCDate();
  switch (period) {
    case "daily":
      return Date.UTC(y, m, d + 1);
    case "weekly":
      return Date.UTC(y, m, d + 7);
    case "monthly":
      return Date.UTC(y, m + 1, 1);
    case "annually":
      return Date.UTC(y + 1, 0, 1);
  }
}

/**
 * Where a counter stands at `nowMs`, given its stored state and its rules: the stored total, or 0
 * when a period boundary has passed since it was stored (`cleared` is then the total that the
 * reset took away). Pure: the counter object applies the result inside its transaction.
 */
export function settlePeriod(stored: CounterState, rules: ConsumptionRules, nowMs: number): { state: CounterState; cleared: number } {
  const currentPeriod =
    rules.resetConsumption && rules.consumptionPeriod ? new Date(periodStart(rules.consumptionPeriod, nowMs)).toISOString() : null;
  if (currentPeriod === stored.periodStart) return { state: stored, cleared: 0 };
  // Either a boundary passed (reset to 0) or the vendor switched resets on or off (start tracking
  // from now, keep the total).
  const boundaryPassed = currentPeriod !== null && stored.periodStart !== null && currentPeriod > stored.periodStart;
  return { state: { total: boundaryPassed ? 0 : stored.total, periodStart: currentPeriod }, cleared: boundaryPassed ? stored.total : 0 };
}
