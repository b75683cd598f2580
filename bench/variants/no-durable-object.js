// Variant: no Durable Object at all: an in-isolate counter stands in for the feature's counter
// object (no RPC hop, no storage transaction, no audit). Not a valid service (totals are not
// exact across isolates, nothing is audited), only a measurement of what the object costs.
const totals = new Map();

function fakeCounter(key) {
  return {
    async consume(request) {
      const total = (totals.get(key) ?? request.initialTotal) + request.consumptions;
      totals.set(key, total);
      return { ok: true, total, periodStart: null };
    },
  };
}

export function featureCounter(_env, licenseFeatureId) {
  return fakeCounter(`feature:${licenseFeatureId}`);
}

export function licenseCounter(_env, licenseId) {
  return fakeCounter(`license:${licenseId}`);
}
