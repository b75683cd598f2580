/**
 * The consumption rules and floating settings a product feature defines, a license feature may
 * override and a consumption license has for its own counter, and the counter's ConsumptionRules in
 * the management API's snake_case (which settings cannot work together: ./unworkable-settings.ts).
 */
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
