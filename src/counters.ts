/** Where each counter lives: one ConsumptionCounter object per license feature and per license. */
import type { ConsumptionCounter, CounterIdentity, CounterState } from "./consumption-counter";
import type { License, LicenseFeature } from "./db/license-context";

export function featureCounter(env: Env, licenseFeatureId: number): DurableObjectStub<ConsumptionCounter> {
  return env.CONSUMPTION_COUNTER.get(env.CONSUMPTION_COUNTER.idFromName(`feature:${licenseFeatureId}`));
}

export function licenseCounter(env: Env, licenseId: number): DurableObjectStub<ConsumptionCounter> {
  return env.CONSUMPTION_COUNTER.get(env.CONSUMPTION_COUNTER.idFromName(`license:${licenseId}`));
}

export function featureCounterIdentity(licenseId: number, feature: LicenseFeature & { id: number }): CounterIdentity {
  return { licenseId, licenseFeatureId: feature.id, featureCode: feature.code };
}

export function licenseCounterIdentity(licenseId: number): CounterIdentity {
  return { licenseId, licenseFeatureId: null, featureCode: null };
}

/** Live totals (after any due periodic reset) of a license's consumption features, asked of their objects in parallel. */
export async function liveFeatureStates(env: Env, licenseId: number, features: Array<LicenseFeature & { id: number }>): Promise<Map<number, CounterState>> {
  const consumption = features.filter((feature) => feature.featureType === "consumption");
  const states = await Promise.all(
    consumption.map((feature) => featureCounter(env, feature.id).state(featureCounterIdentity(licenseId, feature), feature.rules, feature.mirroredTotal)),
  );
  return new Map(consumption.map((feature, i) => [feature.id, states[i]!]));
}

/** The live license-level total, for consumption licenses. */
export async function liveLicenseState(env: Env, license: License): Promise<CounterState | null> {
  if (license.licenseType !== "consumption") return null;
  return licenseCounter(env, license.id).state(licenseCounterIdentity(license.id), license.rules, license.mirroredTotal);
}
