// Benchmark tooling, not under test: runs next to the service in its workerd process and reads the
// counter objects' own view over RPC (the live total and the outbox rows not yet in D1), so the
// benchmark can check the audit log in D1 against the truth. Called only after a load run stops.
// POST / with a JSON array of license feature ids → [{ id, total, pending }].

const NO_RESET = {
  maxConsumption: 0,
  allowUnlimitedConsumptions: true,
  allowOverages: false,
  maxOverages: 0,
  allowNegativeConsumptions: false,
  resetConsumption: false,
  consumptionPeriod: null,
};

export default {
  async fetch(request, env) {
    const ids = await request.json();
    const out = [];
    for (let i = 0; i < ids.length; i += 50) {
      out.push(
        ...(await Promise.all(
          ids.slice(i, i + 50).map(async (id) => {
            const stub = env.CONSUMPTION_COUNTER.get(env.CONSUMPTION_COUNTER.idFromName(`feature:${id}`));
            try {
              const pending = await stub.pendingAuditRows();
              // With no reset rules, state() only reads (the benchmark's licenses never reset).
              const state = await stub.state({ licenseId: id, licenseFeatureId: id, featureCode: null }, NO_RESET, 0);
              const total = state.total;
              // Release the RPC results and the stub now rather than at some later garbage collection.
              state[Symbol.dispose]?.();
              return { id, total, pending };
            } finally {
              stub[Symbol.dispose]?.();
            }
          }),
        )),
      );
    }
    return Response.json(out);
  },
};
