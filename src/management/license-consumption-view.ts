/**
 * A consumption license's own counter as the management API shows it, with the live total from
 * its counter object (`state`), and its manual reset (`resetTotal`, audited as manual_reset).
 * The license-level twin of ./license-feature-view.ts.
 */
import type { CounterState } from "../counter/types";
import { counterStub, licenseTarget } from "../counter/counter-stubs";
import type { StoredLicenseCounter } from "../db/management/licenses";
import { ruleFields } from "./rule-fields";
import type { LicenseConsumption } from "./schemas";

export async function liveLicenseConsumption(env: Env, stored: StoredLicenseCounter): Promise<LicenseConsumption> {
  return toView(stored, await counterStub(env, licenseTarget(stored.licenseId)).state(licenseTarget(stored.licenseId)));
}

export async function resetLicenseConsumption(env: Env, stored: StoredLicenseCounter): Promise<LicenseConsumption> {
  return toView(stored, await counterStub(env, licenseTarget(stored.licenseId)).resetTotal(licenseTarget(stored.licenseId)));
}

function toView({ rules }: StoredLicenseCounter, state: CounterState): LicenseConsumption {
  return {
    max_consumptions: rules.maxConsumption,
    ...ruleFields(rules),
    total_consumptions: state.total,
    period_start: state.periodStart,
  };
}
