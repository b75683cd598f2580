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
 * Where a counter stands at `nowMs`, given its stored state and its current rules. Only a real
 * boundary of the period kind the counter is tracking resets it (to 0; `cleared` is then the total
 * the reset took away). A change of kind (a vendor switching monthly to daily, or resets off and
 * on) keeps the total and starts tracking the new kind's current period: comparing the starts of
 * periods of different kinds says nothing about a boundary (docs/protocol.md "Periodic resets").
 * Pure: the counter object applies the result inside its transaction.
 */
export function settlePeriod(
  stored: CounterState,
  rules: ConsumptionRules,
  nowMs: number,
): { state: CounterState; cleared: number; changed: boolean } {
  const kind = rules.resetConsumption ? rules.consumptionPeriod : null;
  const currentStart = kind ? new Date(periodStart(kind, nowMs)).toISOString() : null;
  // A row stored before the kind was recorded (undefined) was tracking the kind it is read with.
  const storedKind = stored.periodKind !== undefined ? stored.periodKind : stored.periodStart === null ? null : kind;
  if (kind !== storedKind)
    return { state: { total: stored.total, periodStart: currentStart, periodKind: kind }, cleared: 0, changed: true };
  // Same kind: a later period start is a boundary crossed; an earlier one (a clock set back) is not.
  if (currentStart !== null && stored.periodStart !== null && currentStart > stored.periodStart) {
    return { state: { total: 0, periodStart: currentStart, periodKind: kind }, cleared: stored.total, changed: true };
  }
  return { state: { ...stored, periodKind: kind }, cleared: 0, changed: stored.periodKind !== kind };
}
