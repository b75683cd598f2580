// Variant: the Worker disposes the counter object's stub and the RPC result as soon as it has the
// answer (explicit resource management, as workerd's RPC docs ask), instead of leaving both to the
// garbage collector.
import { featureCounter as innerFeature, licenseCounter as innerLicense } from "../../src/counters.ts";

function disposing(stub) {
  return new Proxy(stub, {
    get(target, property) {
      if (property === "consume" || property === "state" || property === "resetTotal") {
        return async (...args) => {
          try {
            const result = await target[property](...args);
            const copy = { ...result };
            result?.[Symbol.dispose]?.();
            return copy;
          } finally {
            target[Symbol.dispose]?.();
          }
        };
      }
      return target[property];
    },
  });
}

export const featureCounter = (env, licenseFeatureId) => disposing(innerFeature(env, licenseFeatureId));
export const licenseCounter = (env, licenseId) => disposing(innerLicense(env, licenseId));
