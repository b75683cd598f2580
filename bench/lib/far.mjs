// Far mode (BENCH_FAR=1): the service and the design floor with every D1 call delayed by
// BENCH_FAR_D1_MS (80), every Durable Object call by BENCH_FAR_DO_MS (20) and every Cache API call
// by BENCH_FAR_CACHE_MS (10), by the bench entry (bench/workers/harness.js), measured one request
// at a time: how a request path reads when its storage is far away, as in production, where a
// locally cheap D1 query costs a round trip. Two calls, each warm and cold:
// - add_feature_consumption and check_license, warm: one keep-alive client, the same license;
// - cold: each request right after a restart of its Worker's workerd process (new isolates, every
//   Durable Object evicted, storage kept) and one warm-up request under another API key for another
//   license, so the measured request finds nothing of its own in the isolate's memory and its
//   objects evicted, while the code is loaded as in any running isolate.
// Each service row is read against the design floor's row of the same call, measured the same way.
import { auditQuietMs, auditTracker } from "./audit.mjs";
import { HOT, SEQUENTIAL, checkLicensePath, consumptionBody, spreadTarget } from "./fixture.mjs";
import { runSequential } from "./load.mjs";
import { callsPerRequest, harnessStats, smokeCheck, startTargets } from "./setup.mjs";
import { errorsOf, sequentialRuns } from "./standard.mjs";

/** Target: each service row's one-at-a-time p50 at most this much above the design floor's row of the same call. */
export const FAR_TARGET_MS = 5;

const sleep = (/** @type {number} */ ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * @param {{ config: import("./config.mjs").BenchConfig, workDir: string, started: Array<{ dispose(): Promise<unknown> }>, log: (...args: unknown[]) => void }} input
 */
export async function farRun({ config, workDir, started, log }) {
  const t = await startTargets({ workDir, harness: config.harness, references: ["design"], started, log });
  const design = /** @type {NonNullable<typeof t.workers.design>} */ (t.workers.design);
  const service = t.service;
  await smokeCheck({ targets: [design, service], sign: t.sign, publicKey: t.keys.publicKey });
  const audit = auditTracker({ service, quietMs: auditQuietMs(t.config) });
  const far = /** @type {NonNullable<typeof config.harness.far>} */ (config.harness.far);
  log(
    `one request at a time, ${config.sequentialRequests} requests each warm, ${config.coldRequests} cold; D1 +${far.d1Ms} ms, Durable Objects +${far.durableObjectMs} ms, Queue sends +${far.queueMs} ms, Cache API +${far.cacheMs} ms per call …`,
  );
  let serviceOk = 1; // the smoke check
  const consumption = consumptionBody(SEQUENTIAL);
  const sequential = await sequentialRuns({
    config,
    sign: t.sign,
    steps: [
      { key: "design", label: "design floor", target: design, body: consumption },
      { key: "service", label: "service, plain client", target: service, body: consumption },
    ],
    service,
    credentials: t.credentials,
    beforeService: async () => {},
    log,
  });
  serviceOk += sequential.serviceOk;

  const check = checkLicensePath(SEQUENTIAL);
  /** @type {Record<string, Row>} */
  const rows = { ...sequential.rows };
  for (const [key, label, target] of /** @type {const} */ ([
    ["design-check", "design floor, check_license", design],
    ["service-check", "service, check_license", service],
  ])) {
    await runSequential({ url: target.url, count: Math.min(50, config.sequentialRequests), get: check, headers: t.sign });
    await harnessStats(target.url, true);
    const result = await runSequential({ url: target.url, count: config.sequentialRequests, get: check, headers: t.sign });
    rows[key] = rowOf(key, label, result, callsPerRequest(await harnessStats(target.url, true)));
    log(`  ${label}: p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, errors ${errorsOf(result)}`);
  }

  // Cold: the warm-up request of each uses the other API key and another license (spread license 1).
  const other = spreadTarget(1);
  /** Long enough for background work of a few far calls in sequence. */
  const settleMs = 3 * Math.max(far.d1Ms, far.durableObjectMs, far.queueMs, far.cacheMs ?? 0) + 50;
  if (config.coldRequests > 0) {
    const colds = /** @type {const} */ ([
      ["design-cold", "design floor, cold", design, { body: consumption }, { body: consumptionBody(other) }],
      ["service-cold", "service, cold", service, { body: consumption }, { body: consumptionBody(other) }],
      ["design-check-cold", "design floor, check_license, cold", design, { get: check }, { get: checkLicensePath(other) }],
      ["service-check-cold", "service, check_license, cold", service, { get: check }, { get: checkLicensePath(other) }],
    ]);
    for (const [key, label, target, measured, warmUp] of colds) {
      log(`  ${label}: ${config.coldRequests} requests, each after a restart …`);
      const consumes = measured.body !== undefined && target === service;
      const latencies = [];
      let errors = 0;
      let warmupErrors = 0;
      /** @type {Array<ReturnType<typeof callsPerRequest>>} */
      const calls = [];
      for (let i = 0; i < config.coldRequests; i++) {
        await target.restart();
        // The design floor knows one shared key (it keeps nothing per key): its warm-up signs with it.
        const warm = await runSequential({
          url: target.url,
          count: 1,
          headers: target === service ? t.signOther : t.sign,
          ...sequentialRequest(warmUp),
        });
        warmupErrors += errorsOf(warm);
        if (target === service && warmUp.body !== undefined) serviceOk += warm.ok;
        // Whatever the warm-up left in the background (audit sends) finishes before the measurement.
        await sleep(settleMs);
        await harnessStats(target.url, true);
        const result = await runSequential({ url: target.url, count: 1, headers: t.sign, ...sequentialRequest(measured) });
        calls.push(callsPerRequest(await harnessStats(target.url, true)));
        errors += errorsOf(result);
        if (result.latency.p50 !== null) latencies.push(result.latency.p50);
        if (consumes) serviceOk += result.ok;
        // What the request left for after its answer (location-cache writes, a key read again past
        // half its age) finishes, as it would in a process that keeps running; and audit rows
        // travel through the queue: all of them in D1 before the next restart drops the queue's memory.
        await sleep(settleMs);
        if (target === service && (consumes || warmUp.body !== undefined) && !(await audit.reached(serviceOk)))
          log(`  (audit rows not all in D1 10 s after request ${i + 1})`);
      }
      const sorted = [...latencies].sort((a, b) => a - b);
      const pick = (/** @type {number} */ p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? null;
      rows[key] = {
        key,
        label,
        client: "node:http, a restarted process each",
        p50: pick(50),
        p99: pick(99),
        errors,
        warmupErrors,
        calls: averageCalls(calls),
      };
      log(`  ${label}: p50 ${rows[key].p50} ms, p99 ${rows[key].p99} ms, errors ${errors}`);
    }
  }

  const settled = await audit.settle({ phase: "far", clientOkTotal: serviceOk, stoppedAt: performance.now(), maxInFlight: 0 });
  const verification = await audit.verifyAgainstCounters([HOT.licenseFeatureId, SEQUENTIAL.licenseFeatureId, other.licenseFeatureId]);
  const pairs = /** @type {const} */ ([
    ["add_feature_consumption, warm", "service", "design"],
    ["add_feature_consumption, official SDK", "sdk", "design"],
    ["check_license, warm", "service-check", "design-check"],
    ["add_feature_consumption, cold", "service-cold", "design-cold"],
    ["check_license, cold", "service-check-cold", "design-check-cold"],
  ]);
  for (const [, serviceKey, designKey] of pairs) if (rows[serviceKey]) /** @type {Row} */ (rows[serviceKey]).versus = designKey;
  const targets = pairs
    .filter(([, serviceKey, designKey]) => rows[serviceKey] && rows[designKey])
    .map(([name, serviceKey, designKey]) => {
      const s = /** @type {Row} */ (rows[serviceKey]);
      const d = /** @type {Row} */ (rows[designKey]);
      const gap = (s.p50 ?? Infinity) - (d.p50 ?? 0);
      return {
        name: `far: ${name}, p50`,
        required: `service ≤ design floor + ${FAR_TARGET_MS} ms`,
        measured: `${s.p50} vs ${d.p50} ms: ${gap >= 0 ? "+" : ""}${gap.toFixed(2)} ms (p99 ${s.p99} vs ${d.p99} ms)`,
        pass: gap <= FAR_TARGET_MS,
      };
    });
  const errors = Object.values(rows).reduce((n, r) => n + r.errors + r.warmupErrors, 0);
  targets.push({ name: "errors", required: "0", measured: String(errors), pass: errors === 0 });
  targets.push({
    name: "audit rows in D1",
    required: "all, exact",
    measured: `${verification.rowsInD1} rows, ${verification.acceptedByCounters} accepted by the counter objects, all there ${settled.allInD1AfterMs ?? "never"} ms after the last request`,
    pass: verification.exact && settled.consistent,
  });
  return { sequential: { rows, serviceOk }, audit: [settled], auditVerification: verification, targets };
}

/**
 * @typedef {{ key: string, label: string, client: string, p50: number | null, p99: number | null, errors: number, warmupErrors: number,
 *   calls?: ReturnType<typeof callsPerRequest>, versus?: string }} Row
 */

/** @param {{ body?: string, get?: string }} request */
const sequentialRequest = (request) =>
  request.get !== undefined ? { get: request.get } : { bodies: [/** @type {string} */ (request.body)] };

/** @param {string} key @param {string} label @param {any} result @param {ReturnType<typeof callsPerRequest>} calls @returns {Row} */
function rowOf(key, label, result, calls) {
  return {
    key,
    label,
    client: "node:http",
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: errorsOf(result),
    warmupErrors: 0,
    calls,
  };
}

/** The mean of each count over the measured requests. @param {Array<ReturnType<typeof callsPerRequest>>} list */
function averageCalls(list) {
  const keys = /** @type {Array<keyof ReturnType<typeof callsPerRequest>>} */ (Object.keys(list[0] ?? {}));
  return /** @type {ReturnType<typeof callsPerRequest>} */ (
    Object.fromEntries(keys.map((k) => [k, Math.round((list.reduce((n, c) => n + c[k], 0) / Math.max(1, list.length)) * 100) / 100]))
  );
}
