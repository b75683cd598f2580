/**
 * The consumption rules and floating settings a product feature defines, a license feature may
 * override and a consumption license has for its own counter; the rules floating settings must keep
 * together; and the counter's ConsumptionRules in the management API's snake_case.
 */
import type { z } from "zod";
import type { ConsumptionRules } from "../counter/consumption-rules";
import { consumptionPeriod, count, flag } from "./fields";

/** The consumption rules of a counter (a license feature's allowance is `max_consumption`). */
export const ruleFields = {
  max_consumption: count("max_consumption"),
  allow_unlimited_consumptions: flag("allow_unlimited_consumptions"),
  allow_overages: flag("allow_overages"),
  max_overages: count("max_overages"),
  allow_negative_consumptions: flag("allow_negative_consumptions"),
  reset_consumption: flag("reset_consumption"),
  consumption_period: consumptionPeriod.nullable(),
};

/**
 * Floating settings (docs/architecture.md "Floating pools"): how many devices may hold a slot,
 * and for how many minutes after their last check.
 */
export const floatingFields = {
  is_floating_cloud: flag("is_floating_cloud"),
  floating_users: count("floating_users").max(1_000_000, "floating_users must be at most 1000000"),
  floating_timeout: count("floating_timeout")
    .min(1, "floating_timeout must be at least 1 (minutes)")
    .max(525_600, "floating_timeout must be at most 525600 minutes (a year)"),
};

/** Licenses only: whether and for how many hours a device may borrow its slot. */
export const borrowFields = {
  can_borrow: flag("can_borrow"),
  max_borrow_time: count("max_borrow_time").max(8_760, "max_borrow_time must be at most 8760 hours (a year)"),
};

/** The rules floating settings must keep together, on the values a write leaves in place (null: fine). */
export function floatingProblem(values: {
  is_floating_cloud?: boolean | null | undefined;
  floating_users?: number | null | undefined;
  can_borrow?: boolean | null | undefined;
  max_borrow_time?: number | null | undefined;
}): string | null {
  if (values.is_floating_cloud && (values.floating_users ?? 0) < 1)
    return "floating_users: a floating cloud license or feature needs at least 1";
  if (values.can_borrow && (values.max_borrow_time ?? 0) < 1) return "max_borrow_time: borrowing needs at least 1 (hours)";
  return null;
}

/** floatingProblem as a zod refinement of a body that holds every value (issuing, creating). */
export function refineFloating(body: Parameters<typeof floatingProblem>[0], ctx: z.RefinementCtx): void {
  const problem = floatingProblem(body);
  if (problem) ctx.addIssue({ code: "custom", message: problem });
}

/** A counter's rules in snake_case, but the allowance, whose name differs between feature and license counters. */
export function ruleValues(rules: ConsumptionRules) {
  return {
    allow_unlimited_consumptions: rules.allowUnlimitedConsumptions,
    allow_overages: rules.allowOverages,
    max_overages: rules.maxOverages,
    allow_negative_consumptions: rules.allowNegativeConsumptions,
    reset_consumption: rules.resetConsumption,
    consumption_period: rules.consumptionPeriod,
  };
}
