// The consumption rules (docs/protocol.md "Consumption rules"), one row per case: the pure function
// the counter object applies inside its transaction.
import { describe, expect, it } from "vitest";
import { decideConsumption, type ConsumptionRules } from "../../src/counter/consumption-rules";

const base: ConsumptionRules = {
  maxConsumption: 10,
  allowUnlimitedConsumptions: false,
  allowOverages: false,
  maxOverages: 0,
  allowNegativeConsumptions: false,
  resetConsumption: false,
  consumptionPeriod: null,
};
const MAX = Number.MAX_SAFE_INTEGER;

// [case, rule changes, total before, consumptions, expected total after or refusal code]
const cases: Array<
  [string, Partial<ConsumptionRules>, number, number, number | "feature_not_enough_consumptions" | "negative_consumptions_not_allowed"]
> = [
  ["within the allowance", {}, 3, 4, 7],
  ["exactly up to the allowance", {}, 3, 7, 10],
  ["one over the allowance", {}, 3, 8, "feature_not_enough_consumptions"],
  ["nothing left", {}, 10, 1, "feature_not_enough_consumptions"],
  ["overages allowed: up to max + overage", { allowOverages: true, maxOverages: 5 }, 10, 5, 15],
  ["overages allowed: one past max + overage", { allowOverages: true, maxOverages: 5 }, 10, 6, "feature_not_enough_consumptions"],
  ["max_overages without allow_overages counts for nothing", { maxOverages: 5 }, 10, 1, "feature_not_enough_consumptions"],
  [
    "allow_overages with max_overages 0 allows no overage",
    { allowOverages: true, maxOverages: 0 },
    10,
    1,
    "feature_not_enough_consumptions",
  ],
  ["unlimited beats the allowance", { allowUnlimitedConsumptions: true, maxConsumption: 0 }, 1_000_000, 1_000_000, 2_000_000],
  ["unlimited, but never past 2^53 - 1", { allowUnlimitedConsumptions: true }, MAX, 1, "feature_not_enough_consumptions"],
  ["unlimited, up to 2^53 - 1 exactly", { allowUnlimitedConsumptions: true }, MAX - 1, 1, MAX],
  ["a zero allowance refuses the first consumption", { maxConsumption: 0 }, 0, 1, "feature_not_enough_consumptions"],
  ["negative refused by default", {}, 5, -1, "negative_consumptions_not_allowed"],
  ["negative refused even when unlimited", { allowUnlimitedConsumptions: true }, 5, -1, "negative_consumptions_not_allowed"],
  ["negative allowed: gives back", { allowNegativeConsumptions: true }, 5, -2, 3],
  ["negative allowed: down to 0 exactly", { allowNegativeConsumptions: true }, 5, -5, 0],
  ["negative allowed: never below 0", { allowNegativeConsumptions: true }, 5, -6, "negative_consumptions_not_allowed"],
  ["negative allowed over the allowance (after a lowered limit)", { allowNegativeConsumptions: true, maxConsumption: 2 }, 8, -1, 7],
];

describe("decideConsumption", () => {
  it.each(cases)("%s", (_name, changes, total, consumptions, expected) => {
    const decision = decideConsumption({ ...base, ...changes }, total, consumptions);
    if (typeof expected === "number") {
      expect(decision).toEqual({ ok: true, totalAfter: expected });
    } else {
      expect(decision.ok).toBe(false);
      if (!decision.ok) {
        expect(decision.code).toBe(expected);
        expect(decision.message).not.toBe("");
      }
    }
  });
});
