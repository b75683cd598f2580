// Far mode (BENCH_FAR=1): the service and the design floor with every D1 call delayed by
// BENCH_FAR_D1_MS (80) and every Durable Object call by BENCH_FAR_DO_MS (20), by the bench entry
// (bench/workers/harness.js), measured one request at a time: how a request path reads when its
// storage is far away, as in production, where a locally cheap D1 query costs a round trip.
import { auditQuietMs, auditTracker } from "./audit.mjs";
import { HOT, SEQUENTIAL, consumptionBody } from "./fixture.mjs";
import { smokeCheck, startTargets } from "./setup.mjs";
import { sequentialRuns } from "./standard.mjs";

/** Target: the service's one-at-a-time p50 at most this much above the design floor's. */
export const FAR_TARGET_MS = 5;

/**
 * @param {{ config: import("./config.mjs").BenchConfig, workDir: string, started: Array<{ dispose(): Promise<unknown> }>, log: (...args: unknown[]) => void }} input
 */
export async function farRun({ config, workDir, started, log }) {
  const t = await startTargets({ workDir, harness: config.harness, references: ["design"], started, log });
  const design = /** @type {NonNullable<typeof t.workers.design>} */ (t.workers.design);
  await smokeCheck({ targets: [design, t.service], sign: t.sign, publicKey: t.keys.publicKey });
  const audit = auditTracker({ probeUrl: /** @type {URL} */ (t.service.probeUrl), db: t.db, quietMs: auditQuietMs(t.config) });
  log(
    `one request at a time, ${config.sequentialRequests} requests each, D1 +${config.harness.far?.d1Ms} ms, Durable Objects +${config.harness.far?.durableObjectMs} ms, Queue sends +${config.harness.far?.queueMs} ms per call …`,
  );
  const body = consumptionBody(SEQUENTIAL);
  const sequential = await sequentialRuns({
    config,
    sign: t.sign,
    steps: [
      { key: "design", label: "design floor", target: design, body },
      { key: "service", label: "service, plain client", target: t.service, body },
    ],
    service: t.service,
    credentials: t.credentials,
    beforeService: async () => {},
    log,
  });
  const settled = await audit.settle({
    phase: "far",
    clientOkTotal: 1 + sequential.serviceOk,
    stoppedAt: performance.now(),
    maxInFlight: 0,
  });
  const verification = await audit.verifyAgainstCounters([HOT.licenseFeatureId, SEQUENTIAL.licenseFeatureId]);
  const designRow = /** @type {NonNullable<typeof sequential.rows.design>} */ (sequential.rows.design);
  const serviceRow = /** @type {NonNullable<typeof sequential.rows.service>} */ (sequential.rows.service);
  const gap = (serviceRow.p50 ?? Infinity) - (designRow.p50 ?? 0);
  const errors = Object.values(sequential.rows).reduce((n, r) => n + r.errors + r.warmupErrors, 0);
  const targets = [
    {
      name: "far: one request at a time, p50",
      required: `service ≤ design floor + ${FAR_TARGET_MS} ms`,
      measured: `${serviceRow.p50} vs ${designRow.p50} ms: +${gap.toFixed(2)} ms (p99 ${serviceRow.p99} vs ${designRow.p99} ms)`,
      pass: gap <= FAR_TARGET_MS,
    },
    { name: "errors", required: "0", measured: String(errors), pass: errors === 0 },
    {
      name: "audit rows in D1",
      required: "all, exact",
      measured: `${verification.rowsInD1} rows, ${verification.acceptedByCounters} accepted by the counter objects, all there ${settled.allInD1AfterMs ?? "never"} ms after the last request`,
      pass: verification.exact && settled.consistent,
    },
  ];
  return { sequential, audit: [settled], auditVerification: verification, targets };
}
