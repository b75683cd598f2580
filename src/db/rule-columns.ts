/**
 * Consumption rules as D1 stores them, and the one mapping from those columns to ConsumptionRules.
 * A license feature's values are its own or, where NULL, its product feature's; a license's own
 * counter (license_type "consumption") has the same columns, its allowance named max_consumptions.
 */
import type { ConsumptionPeriod, ConsumptionRules } from "../counter/consumption-rules";

const RULE_COLUMNS = [
  "max_consumption",
  "allow_unlimited_consumptions",
  "allow_overages",
  "max_overages",
  "allow_negative_consumptions",
  "reset_consumption",
  "consumption_period",
] as const;
type RuleColumn = (typeof RULE_COLUMNS)[number];

/** A row holding the rule columns, each name led by `P` (booleans are 0/1, NULL counts as 0). */
export type RuleColumns<P extends string = ""> = {
  [K in RuleColumn as `${P}${K}`]: K extends "consumption_period" ? ConsumptionPeriod | null : number | null;
};

/** A license feature's effective rules: its own value, or the product feature's where it has none. */
export const FEATURE_RULE_COLUMNS = RULE_COLUMNS.map((column) => `COALESCE(lf.${column}, pf.${column}) AS ${column}`).join(", ");

/** A license's own rules (table alias `table`), each column named with `prefix`. */
export const licenseRuleColumns = (table: string, prefix = "") =>
  RULE_COLUMNS.map((column) => `${table}.${column === "max_consumption" ? "max_consumptions" : column} AS ${prefix}${column}`).join(", ");

export function rulesFromColumns<P extends string = "">(row: RuleColumns<P>, prefix = "" as P): ConsumptionRules {
  const value = (column: RuleColumn) => (row as Record<string, number | string | null>)[`${prefix}${column}`] ?? null;
  return {
    maxConsumption: (value("max_consumption") as number | null) ?? 0,
    allowUnlimitedConsumptions: value("allow_unlimited_consumptions") === 1,
    allowOverages: value("allow_overages") === 1,
    maxOverages: (value("max_overages") as number | null) ?? 0,
    allowNegativeConsumptions: value("allow_negative_consumptions") === 1,
    resetConsumption: value("reset_consumption") === 1,
    consumptionPeriod: value("consumption_period") as ConsumptionPeriod | null,
  };
}
