/**
 * Calendar consumption periods in UTC (PROTOCOL.md section 5): daily at 00:00, weekly on Monday
 * 00:00, monthly on the 1st, annually on 1 January. Pure, so a reset is a function of the clock
 * and never of a scheduled job having run.
 */
import type { ConsumptionPeriod } from "./consumption-rules";

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
