/**
 * Which consumption thresholds a change of a counter's total crosses (docs/usage-and-webhooks.md
 * "Events"). Pure: the counter object calls it inside the transaction that moves the total, so the
 * crossing is decided by the one writer of the total, exactly once: of 300 requests racing past
 * 100 %, only the one whose total went from below the cap to at or above it crosses it.
 *
 * A level is crossed when the total goes from below it to at or above it. A total that goes back
 * down (negative consumptions, a reset) and up again crosses again: once per crossing.
 */
import type { ConsumptionRules } from "./consumption-rules";

/** The percentages of max_consumption a webhook endpoint may ask to hear about. */
export const THRESHOLD_PERCENTS = [50, 75, 80, 90, 95, 100] as const;
export type ThresholdPercent = (typeof THRESHOLD_PERCENTS)[number];

export type Crossing =
  /** The total reached `percent` % of max_consumption. */
  | { kind: "threshold"; percent: ThresholdPercent }
  /** The first unit past max_consumption was used (only where overages are allowed). */
  | { kind: "overage_used" }
  /** Nothing is left: the total reached max_consumption plus the overages allowed. */
  | { kind: "limit_reached" };

/** The units at which `percent` % of `cap` is reached: the smallest whole total at or above it. */
export function thresholdUnits(cap: number, percent: number): number {
  // Integer arithmetic first, so 80 % of 5 is 4 and not 4.000000000000001 rounded up to 5.
  const exact = cap * percent;
  return exact % 100 === 0 ? exact / 100 : Math.ceil(exact / 100);
}

/**
 * What going from `before` to `after` crosses, under `rules`. Nothing for an unlimited counter or a
 * cap of 0 (no percentage of nothing), nor for a total that does not grow.
 */
export function crossings(rules: ConsumptionRules, before: number, after: number): Crossing[] {
  if (rules.allowUnlimitedConsumptions || after <= before) return [];
  const crossed: Crossing[] = [];
  const cap = rules.maxConsumption;
  if (cap > 0) {
    for (const percent of THRESHOLD_PERCENTS) {
      const units = thresholdUnits(cap, percent);
      if (before < units && units <= after) crossed.push({ kind: "threshold", percent });
    }
  }
  if (rules.allowOverages && rules.maxOverages > 0 && before <= cap && cap < after) crossed.push({ kind: "overage_used" });
  const limit = cap + (rules.allowOverages ? rules.maxOverages : 0);
  if (before < limit && limit <= after) crossed.push({ kind: "limit_reached" });
  return crossed;
}

/**
 * The units of a change that are overage: how much further past max_consumption it takes the
 * total (negative when it comes back down). 0 for an unlimited counter, which has no cap.
 */
export function overageOf(rules: ConsumptionRules, before: number, after: number): number {
  if (rules.allowUnlimitedConsumptions) return 0;
  const cap = rules.maxConsumption;
  return Math.max(0, after - cap) - Math.max(0, before - cap);
}
