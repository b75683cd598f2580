/**
 * Settings that cannot work as the vendor sent them, caught where they are made
 * (docs/management-api.md "Settings that cannot work"). Two kinds are refused with
 * validation_error, on the values a write leaves in place, where the write touches them:
 * - a switch turned on with nothing behind it: reset_consumption without a consumption_period,
 *   allow_overages with max_overages 0, a floating pool of 0 slots, borrowing for 0 hours, a grace
 *   period of 0 hours, a time-limited license without a validity_period (a time-limited trial
 *   without trial_days, which would set it), a start_date not before the validity_period ends;
 * - a value the write sends that the settings leave without effect: a consumption_period while
 *   reset_consumption is false, max_overages while allow_overages is false, floating_users while
 *   is_floating_cloud is false, max_borrow_time while can_borrow is false, grace_period while
 *   allow_grace_period is false, consumption rules on an activation feature. A value only kept (not sent) while its switch is turned off is fine: that
 *   is how a vendor pauses overages or resets.
 * A state that works but refuses every request for now (an allowance of 0, an expiry date in the
 * past) is legitimate, staged or temporary, so it is flagged instead: the resource's `warnings`.
 */
import type { z } from "zod";
import type { ConsumptionRules } from "../counter/consumption-rules";
import { ApiError } from "../errors";
import { problemText } from "../http/validation-problems";

/** One setting that cannot work: the field to change and why, in the vendor's words. */
export interface SettingProblem {
  field: string;
  message: string;
}

/** A write's settings as it leaves them: each of a counter's rules, floating and borrow settings that the resource has. */
export interface Settings {
  feature_type?: "consumption" | "activation" | undefined;
  max_consumption?: number | null | undefined;
  max_consumptions?: number | null | undefined;
  allow_unlimited_consumptions?: boolean | null | undefined;
  allow_overages?: boolean | null | undefined;
  max_overages?: number | null | undefined;
  allow_negative_consumptions?: boolean | null | undefined;
  reset_consumption?: boolean | null | undefined;
  consumption_period?: string | null | undefined;
  is_floating_cloud?: boolean | null | undefined;
  floating_users?: number | null | undefined;
  can_borrow?: boolean | null | undefined;
  max_borrow_time?: number | null | undefined;
  license_type?: string | undefined;
  validity_period?: string | null | undefined;
  start_date?: string | null | undefined;
  allow_grace_period?: boolean | null | undefined;
  grace_period?: number | null | undefined;
}

/** Whether the write sends `field` itself (creating: every field; a PATCH: the fields of its body). */
export type Sent = (field: keyof Settings) => boolean;

/** A switch and the value it needs: each is nothing without the other. */
interface Pair {
  on: keyof Settings;
  value: keyof Settings;
  /** Why the switch, turned on, needs a value. */
  needs: string;
}

const FLOATING_PAIRS: readonly Pair[] = [
  { on: "is_floating_cloud", value: "floating_users", needs: "a floating cloud license or feature needs at least 1" },
  { on: "can_borrow", value: "max_borrow_time", needs: "borrowing needs at least 1 (hours)" },
];

const PAIRS: readonly Pair[] = [
  { on: "reset_consumption", value: "consumption_period", needs: "reset_consumption needs one: daily, weekly, monthly or annually" },
  { on: "allow_overages", value: "max_overages", needs: "allow_overages needs at least 1 (max_overages 0 allows no overage)" },
  ...FLOATING_PAIRS,
  { on: "allow_grace_period", value: "grace_period", needs: "allow_grace_period needs at least 1 (hours)" },
];

/** The consumption rules an activation feature cannot have. */
const CONSUMPTION_RULES = [
  "max_consumption",
  "allow_unlimited_consumptions",
  "allow_overages",
  "max_overages",
  "allow_negative_consumptions",
  "reset_consumption",
  "consumption_period",
] as const;

/** A value that does something: not 0, false or null. */
const isOn = (value: unknown) => value !== undefined && value !== null && value !== 0 && value !== false;

/**
 * The first pair the write touches (sends either half of) that cannot work: its switch on without
 * its value, or its value sent while the switch is off.
 */
function pairProblem(pairs: readonly Pair[], values: Settings, sent: Sent): SettingProblem | null {
  for (const { on, value, needs } of pairs) {
    if (!sent(on) && !sent(value)) continue;
    if (isOn(values[on]) && !isOn(values[value])) return { field: value, message: needs };
    if (sent(value) && isOn(values[value]) && !isOn(values[on]))
      return { field: value, message: `${JSON.stringify(values[value])} takes effect only with ${on}: true (send both, or neither)` };
  }
  return null;
}

/** Floating settings turned on with nothing behind them: a pool of 0 slots, borrowing for 0 hours (what imports check). */
export function floatingProblem(values: Settings): SettingProblem | null {
  for (const { on, value, needs } of FLOATING_PAIRS) if (isOn(values[on]) && !isOn(values[value])) return { field: value, message: needs };
  return null;
}

/** The first setting of `values` that the write touches and that cannot work (the module comment says which), or null. */
export function settingsProblem(values: Settings, sent: Sent): SettingProblem | null {
  if (values.feature_type === "activation") {
    const rule = CONSUMPTION_RULES.find((field) => sent(field) && isOn(values[field]));
    if (rule) return { field: rule, message: 'an activation feature has no consumption (feature_type "consumption" has)' };
  }
  const pair = pairProblem(values.feature_type === "activation" ? FLOATING_PAIRS : PAIRS, values, sent);
  if (pair) return pair;
  if ((sent("license_type") || sent("validity_period")) && values.license_type === "time-limited" && !values.validity_period)
    return { field: "validity_period", message: "a time-limited license needs one (an ISO-8601 date-time)" };
  if (
    (sent("start_date") || sent("validity_period")) &&
    values.start_date &&
    values.validity_period &&
    Date.parse(values.start_date) >= Date.parse(values.validity_period)
  )
    return { field: "start_date", message: `the license ends (validity_period ${values.validity_period}) before it can be activated` };
  return null;
}

/** A product's trial settings as a write leaves them. */
export interface TrialSettings {
  trial_days: number;
  trial_license: { license_type: string };
}

/**
 * A time-limited trial that never ends: a trial's validity_period is its first activation plus
 * trial_days, and trial_days 0 sets none. Checked when the write touches either (sent).
 */
export function assertTrialWorkable(values: TrialSettings, sent: (field: keyof TrialSettings) => boolean): void {
  if ((sent("trial_days") || sent("trial_license")) && values.trial_license.license_type === "time-limited" && values.trial_days === 0)
    throw new ApiError(
      "validation_error",
      problemText(["trial_days"], "a time-limited trial needs at least 1: its validity_period is its first activation plus trial_days"),
    );
}

/** validation_error naming the first setting of `values` (at path `at` in the body) that the write touches and that cannot work. */
export function assertWorkable(values: Settings, sent: Sent, at: readonly string[] = []): void {
  const problem = settingsProblem(values, sent);
  if (problem) throw new ApiError("validation_error", problemText([...at, problem.field], problem.message));
}

/** The fields of `body` that are set (a PATCH's undefined leaves the stored value). */
export function definedOnly<T extends object>(body: T): Partial<T> {
  return Object.fromEntries(Object.entries(body).filter(([, value]) => value !== undefined)) as Partial<T>;
}

/** The values a PATCH body sets: null too (on a license feature, null goes back to the product's value). */
export const sentIn =
  (body: object): Sent =>
  (field) =>
    (body as Record<string, unknown>)[field] !== undefined;

/**
 * settingsProblem as a zod refinement of a creating body, which sends every value it holds but
 * those in `defaults` (values the resource keeps for others to use, not for itself).
 */
export function refineSettings(defaults: ReadonlyArray<keyof Settings> = []) {
  return (body: Settings, ctx: z.RefinementCtx): void => {
    const problem = settingsProblem(body, (field) => !defaults.includes(field));
    if (problem) ctx.addIssue({ code: "custom", message: problem.message, path: [problem.field] });
  };
}

/** Why a counter with `rules` refuses every consumption for now, or null; `allowance` names its allowance field. */
export function allowanceWarning(rules: ConsumptionRules, allowance: "max_consumption" | "max_consumptions"): string | null {
  if (rules.allowUnlimitedConsumptions || rules.maxConsumption + (rules.allowOverages ? rules.maxOverages : 0) > 0) return null;
  return `${allowance} is 0 and neither allow_unlimited_consumptions nor overages are on: every consumption is refused until it is raised`;
}

/** Why a date that ends something (`field`) makes every request fail now, or null. */
export function pastDateWarning(field: string, date: string | null, what: string, nowMs: number): string | null {
  return date !== null && Date.parse(date) <= nowMs ? `${field} ${date} is past: ${what}` : null;
}
