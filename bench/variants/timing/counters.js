import { featureCounter as innerFeature, licenseCounter } from "../../../src/counters.ts";
import { timed } from "./stats.js";
export { licenseCounter };
export function featureCounter(env, licenseFeatureId) {
  const stub = innerFeature(env, licenseFeatureId);
  return { consume: (request) => timed("counter object: consume() RPC", stub.consume(request)) };
}
