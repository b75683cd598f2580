/**
 * A counter's rules as a form: the cap, unlimited, overage, negative consumptions and the reset
 * period. Product features (defaults), license features (the license's own values) and consumption
 * licenses (their own counter) edit the same rules with this one form.
 */
import type { ConsumptionPeriod } from "../types";
import { Checkbox, Field, Select } from "./parts";

export interface RulesForm {
  max_consumption: string;
  allow_unlimited_consumptions: boolean;
  allow_overages: boolean;
  max_overages: string;
  allow_negative_consumptions: boolean;
  /** "" : no periodic reset. */
  period: ConsumptionPeriod | "";
}

export interface Rules {
  max_consumption: number;
  allow_unlimited_consumptions: boolean;
  allow_overages: boolean;
  max_overages: number;
  allow_negative_consumptions: boolean;
  reset_consumption: boolean;
  consumption_period: ConsumptionPeriod | null;
}

const PERIODS = [
  ["", "Never (the total only grows)"],
  ["daily", "Daily (00:00 UTC)"],
  ["weekly", "Weekly (Monday 00:00 UTC)"],
  ["monthly", "Monthly (the 1st, 00:00 UTC)"],
  ["annually", "Annually (1 January, 00:00 UTC)"],
] as const;

export const rulesForm = (rules?: Partial<Rules>): RulesForm => ({
  max_consumption: String(rules?.max_consumption ?? 0),
  allow_unlimited_consumptions: rules?.allow_unlimited_consumptions ?? false,
  allow_overages: rules?.allow_overages ?? false,
  max_overages: String(rules?.max_overages ?? 0),
  allow_negative_consumptions: rules?.allow_negative_consumptions ?? false,
  period: rules?.reset_consumption && rules.consumption_period ? rules.consumption_period : "",
});

/** A number typed in a field: the API names the field and the fix when it is not one. */
export const typedNumber = (text: string): number => (text.trim() === "" ? Number.NaN : Number(text));

/** The form as the API takes it (max_overages and the period only sent where they mean something). */
export function rulesBody(form: RulesForm): Rules {
  return {
    max_consumption: typedNumber(form.max_consumption),
    allow_unlimited_consumptions: form.allow_unlimited_consumptions,
    allow_overages: form.allow_overages,
    max_overages: form.allow_overages ? typedNumber(form.max_overages) : 0,
    allow_negative_consumptions: form.allow_negative_consumptions,
    reset_consumption: form.period !== "",
    consumption_period: form.period === "" ? null : form.period,
  };
}

/**
 * Only the rules the form changes, compared with `current`: a license keeps inheriting the product's
 * defaults for every value the vendor did not touch, and the activity log shows only real changes.
 */
export function changedRules(form: RulesForm, current: Rules): Partial<Rules> {
  const next = rulesBody(form);
  return Object.fromEntries(Object.entries(next).filter(([name, value]) => current[name as keyof Rules] !== value)) as Partial<Rules>;
}

export function RulesFields(props: { value: RulesForm; onChange: (value: RulesForm) => void; capLabel?: string }) {
  const set = <K extends keyof RulesForm>(name: K, value: RulesForm[K]) => props.onChange({ ...props.value, [name]: value });
  const { value } = props;
  return (
    <div class="rules">
      <Field
        label={props.capLabel ?? "Cap (max consumption)"}
        name="max_consumption"
        type="number"

        step={1}
        value={value.max_consumption}
        disabled={value.allow_unlimited_consumptions}
        onValue={(text) => set("max_consumption", text)}
      />
      <Checkbox
        label="Unlimited"
        name="allow_unlimited_consumptions"
        checked={value.allow_unlimited_consumptions}
        onChange={(checked) => set("allow_unlimited_consumptions", checked)}
      />
      <Checkbox
        label="Allow overage past the cap"
        name="allow_overages"
        checked={value.allow_overages}
        onChange={(checked) => set("allow_overages", checked)}
      />
      {value.allow_overages && (
        <Field
          label="Overage allowed"
          name="max_overages"
          type="number"

          step={1}
          value={value.max_overages}
          onValue={(text) => set("max_overages", text)}
        />
      )}
      <Checkbox
        label="Accept negative consumptions"
        name="allow_negative_consumptions"
        checked={value.allow_negative_consumptions}
        onChange={(checked) => set("allow_negative_consumptions", checked)}
      />
      <Select label="Resets" name="consumption_period" value={value.period} options={PERIODS} onValue={(period) => set("period", period)} />
    </div>
  );
}
