/** Consumption rules in the management API's snake_case, shared by feature and license counters (the allowance field's name differs). */
import type { ConsumptionRules } from "../counter/consumption-rules";

export function ruleFields(rules: ConsumptionRules) {
  return {
    allow_unlimited_consumptions: rules.allowUnlimitedConsumptions,
    allow_overages: rules.allowOverages,
    max_overages: rules.maxOverages,
    allow_negative_consumptions: rules.allowNegativeConsumptions,
    reset_consumption: rules.resetConsumption,
    consumption_period: rules.consumptionPeriod,
  };
}
