/**
 * A consumption license's own counter as the management API shows it, with the live total from
 * its counter object (`state`), and its manual reset (`resetTotal`, audited as manual_reset).
 * The license-level twin of ./license-feature-view.ts.
 */
import type { CounterState } from "../counter/types";
import { counterStub, licenseTarget } from "../counter/counter-stubs";
import type { StoredLicenseCounter } from "../db/license-counters";
import type { LicenseConsumptionResource } from "../models/license-consumption";
import { ruleValues } from "../models/rule-fields";
import { allowanceWarning } from "../models/unworkable-settings";

export async function liveLicenseConsumption(env: Env, stored: StoredLicenseCounter): Promise<LicenseConsumptionResource> {
  return toView(stored, await counterStub(env, licenseTarget(stored.licenseId)).state(licenseTarget(stored.licenseId)));
}

export async function resetLicenseConsumption(env: Env, stored: StoredLicenseCounter): Promise<LicenseConsumptionResource> {
  return toView(stored, await counterStub(env, licenseTarget(stored.licenseId)).resetTotal(licenseTarget(stored.licenseId)));
}

function toView({ rules }: StoredLicenseCounter, state: CounterState): LicenseConsumptionResource {
  return {
    max_consumptions: rules.maxConsumption,
    ...ruleValues(rules),
    total_consumptions: state.total,
    period_start: state.periodStart,
    warnings: [allowanceWarning(rules, "max_consumptions")].filter((warning) => warning !== null),
  };
}
