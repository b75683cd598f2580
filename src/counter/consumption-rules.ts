/**
 * The consumption rules of LicenseSpring (docs/protocol.md "Consumption rules"), as one pure function so the
 * counter object can apply them inside a synchronous transaction and tests can read them alone.
 */

export type ConsumptionPeriod = "daily" | "weekly" | "monthly" | "annually";

export interface ConsumptionRules {
  maxConsumption: number;
  allowUnlimitedConsumptions: boolean;
  allowOverages: boolean;
  maxOverages: number;
  allowNegativeConsumptions: boolean;
  resetConsumption: boolean;
  consumptionPeriod: ConsumptionPeriod | null;
}

export type ConsumptionDecision =
  | { ok: true; totalAfter: number }
  | { ok: false; code: "feature_not_enough_consumptions" | "negative_consumptions_not_allowed"; message: string };

/**
 * Decides whether `consumptions` may be added to `total`.
 * - Negative consumptions need allow_negative_consumptions, and never take the total below 0.
 * - allow_unlimited_consumptions has priority over every limit.
 * - Otherwise total + consumptions ≤ max_consumption + (allow_overages ? max_overages : 0).
 *   allow_overages with max_overages 0 therefore allows no overage, which is what both official
 *   SDKs check locally before they sync (docs/protocol.md "Decisions where the sources are silent").
 * - No total may leave the range of exact integers (2^53 − 1), even when unlimited.
 */
export function decideConsumption(rules: ConsumptionRules, total: number, consumptions: number): ConsumptionDecision {
  const totalAfter = total + consumptions;
  if (consumptions < 0) {
    if (!rules.allowNegativeConsumptions) {
      return { ok: false, code: "negative_consumptions_not_allowed", message: "Negative consumptions not allowed" };
    }
    if (totalAfter < 0) {
      return {
        ok: false,
        code: "negative_consumptions_not_allowed",
        message: `Negative consumptions may not take the total below 0 (total is ${total})`,
      };
    }
    return { ok: true, totalAfter };
  }
  if (!Number.isSafeInteger(totalAfter)) {
    return { ok: false, code: "feature_not_enough_consumptions", message: "The total would exceed 2^53 - 1" };
  }
  if (rules.allowUnlimitedConsumptions) return { ok: true, totalAfter };
  const limit = rules.maxConsumption + (rules.allowOverages ? rules.maxOverages : 0);
  if (totalAfter > limit) {
    return {
      ok: false,
      code: "feature_not_enough_consumptions",
      message: `Not enough consumptions left (${Math.max(0, limit - total)} of ${limit} remain)`,
    };
  }
  return { ok: true, totalAfter };
}

/** add_consumption's request-level overage settings: a request may ask for stricter handling than the license's, never a looser one. */
export function narrowOverages(
  rules: ConsumptionRules,
  allowOverages: boolean | undefined,
  maxOverages: number | undefined,
): ConsumptionRules {
  return {
    ...rules,
    allowOverages: rules.allowOverages && allowOverages !== false,
    maxOverages: maxOverages === undefined ? rules.maxOverages : Math.min(rules.maxOverages, maxOverages),
  };
}
