/** Where each counter lives: one ConsumptionCounter object per license feature and per license. */
import type { ConsumptionCounter } from "./consumption-counter";

export function featureCounter(env: Env, licenseFeatureId: number): DurableObjectStub<ConsumptionCounter> {
  return env.CONSUMPTION_COUNTER.get(env.CONSUMPTION_COUNTER.idFromName(`feature:${licenseFeatureId}`));
}

export function licenseCounter(env: Env, licenseId: number): DurableObjectStub<ConsumptionCounter> {
  return env.CONSUMPTION_COUNTER.get(env.CONSUMPTION_COUNTER.idFromName(`license:${licenseId}`));
}
