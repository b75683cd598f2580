// Benchmark tooling, not under test: runs next to the service in its workerd process and reads the
// counter objects' own view over RPC (the live total and the outbox rows not yet in D1), so the
// benchmark can check the audit log in D1 against the truth. Called only after the load stops.
// POST / with a JSON array of license feature ids → [{ id, total, pending }].
// Type-checked against the service's class (bench/workers/tsconfig.json): a renamed or reshaped
// RPC method fails `npm test`, not a benchmark run.

/** @typedef {import("../../src/counter/consumption-counter").ConsumptionCounter} ConsumptionCounter */

export default {
  /** @param {Request} request @param {{ COUNTER: DurableObjectNamespace<ConsumptionCounter> }} env */
  async fetch(request, env) {
    const ids = /** @type {number[]} */ (await request.json());
    const out = [];
    for (let i = 0; i < ids.length; i += 50) {
      out.push(
        ...(await Promise.all(
          ids.slice(i, i + 50).map(async (id) => {
            // The name src/counter/counter-stubs.ts (featureCounter) gives a license feature's object.
            const stub = env.COUNTER.get(env.COUNTER.idFromName(`feature:${id}`));
            try {
              const pending = await stub.pendingAuditRows();
              // The bench's fixture gives license feature n to license n (bench/lib/fixture.mjs).
              const state = await stub.state({ licenseId: id, licenseFeatureId: id });
              return { id, total: state.total, pending };
            } finally {
              // Release the stub now rather than at some later garbage collection.
              /** @type {Partial<Disposable>} */ (stub)[Symbol.dispose]?.();
            }
          }),
        )),
      );
    }
    return Response.json(out);
  },
};
