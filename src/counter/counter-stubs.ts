/**
 * How callers reach a counter: one ConsumptionCounter object per license feature and per license,
 * and the retry that makes a consumption safe to resend (src/license-api/idempotency.ts).
 */
import type { License, LicenseFeature } from "../db/license-context";
import type { ConsumptionCounter } from "./consumption-counter";
import type { ConsumeOutcome, ConsumeRequest, CounterIdentity, CounterState } from "./types";

/** Pauses before each retry: a reset object is usually back within milliseconds. */
const RETRY_DELAYS_MS = [0, 25, 100, 250];

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
export async function liveFeatureStates(
  env: Env,
  licenseId: number,
  features: Array<LicenseFeature & { id: number }>,
): Promise<Map<number, CounterState>> {
  const consumption = features.filter((feature) => feature.featureType === "consumption");
  const states = await Promise.all(
    consumption.map((feature) =>
      featureCounter(env, feature.id).state(featureCounterIdentity(licenseId, feature), feature.rules, feature.mirroredTotal),
    ),
  );
  return new Map(consumption.map((feature, i) => [feature.id, states[i]!]));
}

/** The live license-level total, for consumption licenses. */
export async function liveLicenseState(env: Env, license: License): Promise<CounterState | null> {
  if (license.licenseType !== "consumption") return null;
  return licenseCounter(env, license.id).state(licenseCounterIdentity(license.id), license.rules, license.mirroredTotal);
}

/**
 * Calls `consume` on the counter, retrying with a fresh stub when the call fails (the object was
 * reset, evicted, moved, or the connection broke), up to 4 attempts over about 400 ms. Safe whatever the failure:
 * the request key makes consume idempotent, so an attempt that had committed is answered from
 * its stored outcome instead of charging again. An overloaded object is not retried (that would
 * add to its load); the error goes to the client, which may retry later with its own key.
 */
export async function consumeOnce(stubFor: () => DurableObjectStub<ConsumptionCounter>, request: ConsumeRequest): Promise<ConsumeOutcome> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await stubFor().consume(request);
    } catch (error) {
      const overloaded = typeof error === "object" && error !== null && (error as { overloaded?: unknown }).overloaded === true;
      const delay = RETRY_DELAYS_MS[attempt + 1];
      if (overloaded || delay === undefined) throw error;
      await scheduler.wait(delay);
    }
  }
}
