// The standard run (`npm run bench`): the service next to the three reference Workers, under the
// same closed-loop load, hot and spread, in interleaved rounds; then one request at a time; and the
// audit log checked after every service run and against the counter objects at the end.
import { rmSync } from "node:fs";
import { join } from "node:path";
import { LicenseAPI } from "@licensespring/node-sdk";
import { auditQuietMs, auditTracker } from "./audit.mjs";
import { HOT, PRODUCT, SEQUENTIAL, SPREAD_COUNT, consumptionBody, spreadTargets } from "./fixture.mjs";
import { touchUntilWarm } from "./warm.mjs";
import { runAutocannon, runSdk, runSequential, runWrk } from "./load.mjs";
import { cpuMeter } from "./machine.mjs";
import { PARTS, perfAvailable, splitRecording, startPerf } from "./perf.mjs";
import { REFERENCE, callsPerRequest, harnessStats, pollDelayP99, smokeCheck, startTargets } from "./setup.mjs";

/** Targets of the standard run (bench/README.md, "Targets"). */
export const TARGETS = { rpsRatio: 0.85, p99Ratio: 1.5, auditMs: 2000 };

const median = (/** @type {Array<number | null | undefined>} */ values) => {
  const v = /** @type {number[]} */ (values.filter((x) => x !== null && x !== undefined && !Number.isNaN(x))).sort((a, b) => a - b);
  if (v.length === 0) return null;
  return v.length % 2
    ? /** @type {number} */ (v[(v.length - 1) / 2])
    : /** @type {number} */ (v[v.length / 2 - 1] + /** @type {number} */ (v[v.length / 2])) / 2;
};
const sum = (/** @type {number[]} */ values) => values.reduce((a, b) => a + b, 0);
/** @param {{ non2xx: number, errors: number, timeouts?: number }} r */
export const errorsOf = (r) => r.non2xx + r.errors + (r.timeouts ?? 0);

/**
 * @param {{ config: import("./config.mjs").BenchConfig, workDir: string, started: Array<{ dispose(): Promise<unknown> }>, log: (...args: unknown[]) => void }} input
 */
export async function standardRun({ config, workDir, started, log }) {
  if (config.perf) {
    if (!perfAvailable()) throw new Error("BENCH_PERF=1 needs Linux perf, allowed to record (apt-get install linux-perf; run as root)");
    // Every workerd started from now on names its JavaScript frames for perf (/tmp/perf-<pid>.map).
    process.env.MINIFLARE_WORKERD_V8_FLAGS = [
      process.env.MINIFLARE_WORKERD_V8_FLAGS,
      "--perf-basic-prof --no-logfile-per-isolate --logfile=/dev/null",
    ]
      .filter(Boolean)
      .join(" ");
  }
  const t = await startTargets({ workDir, harness: config.harness, references: ["floor", "crypto", "design"], started, log });
  const { service, db, sign } = t;
  const floor = /** @type {NonNullable<typeof t.workers.floor>} */ (t.workers.floor);
  const crypto = /** @type {NonNullable<typeof t.workers.crypto>} */ (t.workers.crypto);
  const design = /** @type {NonNullable<typeof t.workers.design>} */ (t.workers.design);
  await smokeCheck({ targets: [crypto, design, service], runtimeFloor: floor, sign, publicKey: t.keys.publicKey });
  let serviceOk = 1; // the smoke check consumed once on the hot feature
  // BENCH_AUDIT=drop: no row will reach D1, so no audit check waits for one (a wait would idle
  // the spread objects into eviction); they all report "not all", and fail.
  const noDelivery = config.harness.dropQueueSends ? { maxWaitMs: 0 } : {};

  const hotBody = consumptionBody(HOT);
  const spreadBodies = spreadTargets().map(consumptionBody);
  const sequentialBody = consumptionBody(SEQUENTIAL);
  const audit = auditTracker({ service, quietMs: auditQuietMs(t.config) });
  const audits = [];

  /** @param {{ url: URL }} target @param {string[]} bodies @param {{ durationS?: number, amount?: number }} options */
  const load = (target, bodies, options) =>
    config.wrk && !options.amount
      ? runWrk({
          wrk: config.wrk,
          url: target.url,
          connections: config.connections,
          durationS: /** @type {number} */ (options.durationS),
          bodies,
          headers: sign,
          threads: config.wrkThreads,
        })
      : runAutocannon({
          url: target.url,
          connections: config.connections,
          durationS: options.durationS,
          amount: options.amount,
          bodies,
          headers: sign,
        });

  const spreadLabel = `spread over ${SPREAD_COUNT.toLocaleString("en-US")} license features`;
  const everyRun = [
    { key: "floor", label: REFERENCE.floor.label, short: "runtime floor", target: floor, bodies: [hotBody], case: null },
    { key: "crypto", label: REFERENCE.crypto.label, short: "crypto floor", target: crypto, bodies: [hotBody], case: null },
    { key: "design-hot", label: "(a) design floor, one hot object", short: "design, hot", target: design, bodies: [hotBody], case: "hot" },
    {
      key: "service-hot",
      label: "(a) service, one hot license feature",
      short: "service, hot",
      target: service,
      bodies: [hotBody],
      case: "hot",
    },
    {
      key: "design-spread",
      label: `(b) design floor, ${SPREAD_COUNT.toLocaleString("en-US")} objects`,
      short: "design, spread",
      target: design,
      bodies: spreadBodies,
      case: "spread",
    },
    {
      key: "service-spread",
      label: `(b) service, ${spreadLabel}`,
      short: "service, spread",
      target: service,
      bodies: spreadBodies,
      case: "spread",
    },
  ];
  const plan = everyRun.filter((step) => !config.cases || config.cases.includes(step.key));
  /** @type {Record<string, any[]>} */
  const runs = Object.fromEntries(plan.map((p) => [p.key, []]));
  /** @type {Record<string, number>} */
  const warmupErrors = Object.fromEntries(plan.map((p) => [p.key, 0]));

  for (let round = 1; round <= config.rounds; round++) {
    for (const step of plan) {
      const isService = step.target === service;
      if (isService) await audit.beforeNextRequests();
      if (step.case === "spread") {
        // Touch every spread object (creates it, or wakes it after idling through the other runs),
        // outside the measurement, until they are all alive (./warm.mjs).
        const touched = await touchUntilWarm(() =>
          runAutocannon({
            url: step.target.url,
            connections: config.connections,
            amount: SPREAD_COUNT,
            bodies: step.bodies,
            headers: sign,
          }),
        );
        for (const pass of touched.results) {
          warmupErrors[step.key] += errorsOf(pass);
          if (isService) serviceOk += pass.ok;
        }
        log(
          `round ${round}/${config.rounds}: ${step.label}: touched every object in ${touched.seconds.length} pass(es) of ${touched.seconds.join(" s, ")} s${touched.warm ? "" : " (never quick: objects may still be evicted during the run)"}`,
        );
      }
      if (config.warmupS > 0) {
        const warm = await load(step.target, step.bodies, { durationS: config.warmupS });
        warmupErrors[step.key] += errorsOf(warm);
        if (isService) serviceOk += warm.ok;
      }
      if (isService && (config.warmupS > 0 || step.case === "spread")) {
        // Let the warm-up's in-flight requests and audit flushes finish before measuring.
        const settled = await audit.settle({
          ...noDelivery,
          phase: `${step.case} warm-up`,
          clientOkTotal: serviceOk,
          stoppedAt: performance.now(),
          settleMs: audit.warmupSettleMs,
          maxInFlight: Infinity,
        });
        serviceOk = settled.rowsInD1;
        await audit.beforeNextRequests();
      }
      log(`round ${round}/${config.rounds}: ${step.label}: ${config.durationS} s, ${config.connections} connections …`);
      await harnessStats(step.target.url, true);
      const perfFile = join(workDir, `perf-${step.key}-${round}.data`);
      const recording = config.perf && step.target.pid ? startPerf(step.target.pid, perfFile) : null;
      const meter = cpuMeter(step.target.pid);
      const result = /** @type {any} */ (await load(step.target, step.bodies, { durationS: config.durationS }));
      const stoppedAt = performance.now();
      result.cpu = meter();
      // Ends the recording now; it is read once the audit check below has timed the service.
      const recorded = recording?.stop();
      result.round = round;
      const loop = await harnessStats(step.target.url, true);
      result.loop = {
        polls: loop.polls,
        pollDelayMaxMs: loop.pollDelayMaxMs,
        pollDelayP99Ms: pollDelayP99(loop),
        held: loop.held,
        thrown: loop.thrown,
      };
      runs[step.key]?.push(result);
      log(
        `  ${Math.round(result.rps)} req/s, p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, errors ${errorsOf(result)}${Object.keys(result.errorCodes ?? {}).length ? ` ${JSON.stringify(result.errorCodes)} at ${result.errorTimes.join(", ")} s` : ""}; workerd CPU ${result.cpu.workerdCpuSeconds === null ? "?" : Math.round((result.cpu.workerdCpuSeconds / Math.max(1, result.requests)) * 1e6)} µs/req; loop polled within ${loop.pollDelayMaxMs} ms (max), ${loop.held} requests held for a poll`,
      );
      if (isService) {
        serviceOk += result.ok;
        // Requests the client gave up on (at the stop, on a timeout or a reset) may still have been served.
        const settled = await audit.settle({
          ...noDelivery,
          phase: /** @type {string} */ (step.case),
          clientOkTotal: serviceOk,
          stoppedAt,
          maxInFlight: config.connections + result.errors + (result.timeouts ?? 0),
        });
        settled.round = round;
        audits.push(settled);
        log(
          `  audit: ${settled.rowsInD1} rows in D1 (clients saw ${settled.clientOkTotal} 2xx); all there ${settled.allInD1AfterMs ?? "never"} ms after the load stopped; consistent: ${settled.consistent}`,
        );
        serviceOk = settled.rowsInD1;
      }
      if (recorded) {
        await recorded;
        result.split = splitRecording(perfFile);
      }
    }
  }

  // One request at a time: a plain node:http client against each Worker, then the official SDK.
  const oneAtATime = !config.cases || config.cases.includes("sequential");
  if (oneAtATime) log(`one request at a time, ${config.sequentialRequests} requests each …`);
  const sequential = oneAtATime
    ? await sequentialRuns({
        config,
        sign,
        steps: [
          { key: "floor", label: "runtime floor", target: floor, body: hotBody },
          { key: "crypto", label: "crypto floor", target: crypto, body: hotBody },
          { key: "design", label: "design floor", target: design, body: sequentialBody },
          { key: "service", label: "service, plain client", target: service, body: sequentialBody },
        ],
        service,
        credentials: t.credentials,
        beforeService: () => audit.beforeNextRequests(),
        log,
      })
    : { rows: {}, serviceOk: 0 };
  serviceOk += sequential.serviceOk;
  if (oneAtATime)
    audits.push(
      await audit.settle({
        ...noDelivery,
        phase: "sequential",
        clientOkTotal: serviceOk,
        stoppedAt: performance.now(),
        maxInFlight: 0,
      }),
    );
  // Only now, with all load over, ask the counter objects themselves (total and outbox of each).
  const verification = await audit.verifyAgainstCounters([
    HOT.licenseFeatureId,
    SEQUENTIAL.licenseFeatureId,
    ...spreadTargets().map((s) => s.licenseFeatureId),
  ]);
  log(
    `audit: ${verification.rowsInD1} rows in D1, the counter objects accepted ${verification.acceptedByCounters}, ${verification.pendingInObjects} left in outboxes; exact: ${verification.exact}`,
  );

  // The JIT symbol maps V8 wrote for perf (BENCH_PERF=1) are read by now.
  if (config.perf) for (const target of [floor, crypto, design, service]) rmSync(`/tmp/perf-${target.pid}.map`, { force: true });

  // Summaries: with several rounds, the median of each figure and the median of per-round ratios.
  /** @param {string} key */
  const summarise = (key) => {
    const list = runs[key] ?? [];
    const perRound = (/** @type {(r: any) => number | null} */ f) => median(list.map(f));
    /** @param {string} other @param {any} r */
    const sameRound = (other, r) => (runs[other] ?? []).find((c) => c.round === r.round);
    /** @param {string} other @param {(r: any) => number} f */
    const versus = (other, f) => perRound((r) => (sameRound(other, r) ? f(r) / f(sameRound(other, r)) : null));
    const designKey = key.startsWith("service-") ? key.replace("service-", "design-") : null;
    return {
      rps: perRound((r) => r.rps),
      p50: perRound((r) => r.latency.p50),
      p99: perRound((r) => r.latency.p99),
      errors: sum(list.map(errorsOf)),
      warmupErrors: warmupErrors[key] ?? 0,
      requests: sum(list.map((r) => r.requests)),
      cpuUsPerRequest: perRound((r) =>
        r.cpu.workerdCpuSeconds === null ? null : (r.cpu.workerdCpuSeconds / Math.max(1, r.requests)) * 1e6,
      ),
      systemCpuShare: perRound((r) =>
        r.cpu.workerdSystemCpuSeconds === null || !r.cpu.workerdCpuSeconds ? null : r.cpu.workerdSystemCpuSeconds / r.cpu.workerdCpuSeconds,
      ),
      loadGeneratorUsPerRequest: perRound((r) => (r.cpu.loadGeneratorCpuSeconds / Math.max(1, r.requests)) * 1e6),
      otherCores: perRound((r) => (r.cpu.otherCpuSeconds === null ? null : r.cpu.otherCpuSeconds / r.cpu.seconds)),
      pollDelayMaxMs: Math.max(...list.map((r) => r.loop.pollDelayMaxMs)),
      held: sum(list.map((r) => r.loop.held)),
      /** µs of workerd CPU per request in each part (BENCH_PERF=1), or null. */
      split: list.some((r) => r.split)
        ? Object.fromEntries(
            PARTS.map((part) => [
              part,
              perRound((r) =>
                r.split && r.cpu.workerdCpuSeconds !== null
                  ? r.split.shares[part] * (r.cpu.workerdCpuSeconds / Math.max(1, r.requests)) * 1e6
                  : null,
              ),
            ]),
          )
        : null,
      samples: sum(list.map((r) => r.split?.samples ?? 0)),
      rpsVsCrypto: versus("crypto", (r) => r.rps),
      p99VsCrypto: versus("crypto", (r) => r.latency.p99),
      rpsVsDesign: designKey ? versus(designKey, (r) => r.rps) : null,
      p99VsDesign: designKey ? versus(designKey, (r) => r.latency.p99) : null,
    };
  };
  const loadRows = plan.map((p) => ({ key: p.key, label: p.label, short: p.short, case: p.case, ...summarise(p.key) }));
  const byKey = Object.fromEntries(loadRows.map((r) => [r.key, r]));

  const loadAudits = audits.filter((a) => a.phase === "hot" || a.phase === "spread");
  const f2 = (/** @type {number | null} */ n) => (n === null ? "–" : n.toFixed(2));
  const targets = [];
  for (const which of ["hot", "spread"]) {
    const row = byKey[`service-${which}`];
    const designRow = byKey[`design-${which}`];
    if (!row || !designRow) continue;
    const name = which === "hot" ? "(a) hot" : "(b) spread";
    targets.push({
      name: `${name}: throughput`,
      required: `≥ ${TARGETS.rpsRatio} × design floor req/s`,
      measured: `${f2(row.rpsVsDesign)}× (${Math.round(row.rps ?? 0)} vs ${Math.round(designRow.rps ?? 0)} req/s)`,
      pass: (row.rpsVsDesign ?? 0) >= TARGETS.rpsRatio,
    });
    targets.push({
      name: `${name}: p99 latency`,
      required: `≤ ${TARGETS.p99Ratio} × design floor p99`,
      measured: `${f2(row.p99VsDesign)}× (${f2(row.p99)} vs ${f2(designRow.p99)} ms)`,
      pass: row.p99VsDesign !== null && row.p99VsDesign <= TARGETS.p99Ratio,
    });
    targets.push({
      name: `${name}: errors`,
      required: "0 in the measured runs (warm-ups reported apart)",
      measured: `${row.errors} (warm-ups: ${row.warmupErrors}; design floor ${designRow.errors}, warm-ups ${designRow.warmupErrors})`,
      pass: row.errors === 0,
    });
    const phaseAudits = loadAudits.filter((a) => a.phase === which);
    const worst = Math.max(...phaseAudits.map((a) => (a.allInD1AfterMs === null ? Infinity : a.allInD1AfterMs)));
    targets.push({
      name: `${name}: audit rows in D1`,
      required: `all, exact, ≤ ${TARGETS.auditMs.toLocaleString("en-US")} ms after the load stops`,
      measured: phaseAudits
        .map(
          (a) =>
            `${config.rounds > 1 ? `round ${a.round}: ` : ""}${a.allInD1AfterMs === null ? "not all" : `${a.allInD1AfterMs} ms`}${a.exact ? ", exact" : ", NOT exact"}`,
        )
        .join("; "),
      pass: worst <= TARGETS.auditMs && phaseAudits.every((a) => a.exact),
    });
  }
  const allErrors =
    sum(loadRows.map((r) => r.errors + r.warmupErrors)) + sum(Object.values(sequential.rows).map((r) => r.errors + r.warmupErrors));
  targets.push({
    name: "errors anywhere",
    required: "0 (every Worker, warm-ups and one-at-a-time runs included)",
    measured: String(allErrors),
    pass: allErrors === 0,
  });

  return {
    load: { loadGenerator: config.loadGenerator, rows: loadRows, runs },
    sequential,
    audit: audits.filter((a) => !a.phase.includes("warm-up")),
    auditWarmups: audits.filter((a) => a.phase.includes("warm-up")),
    auditVerification: verification,
    targets,
  };
}

/**
 * One request at a time over one keep-alive connection (node:http) against each step's Worker,
 * after `min(50, N)` warm-up requests; then the official SDK's call path against the service.
 * @param {{ config: import("./config.mjs").BenchConfig, sign: () => Record<string, string>, steps: Array<{ key: string, label: string, target: { url: URL }, body: string }>,
 *   service: { url: URL }, credentials: { apiKey: string, sharedKey: string }, beforeService: () => Promise<unknown>, log: (...args: unknown[]) => void }} input
 */
export async function sequentialRuns({ config, sign, steps, service, credentials, beforeService, log }) {
  const warmCount = Math.min(50, config.sequentialRequests);
  /** @type {Record<string, { key: string, label: string, client: string, p50: number | null, p99: number | null, errors: number, warmupErrors: number, calls?: ReturnType<typeof callsPerRequest> }>} */
  const rows = {};
  let serviceOk = 0;
  for (const step of steps) {
    if (step.target === service) await beforeService();
    const warm = await runSequential({ url: step.target.url, count: warmCount, bodies: [step.body], headers: sign });
    await harnessStats(step.target.url, true);
    const result = await runSequential({ url: step.target.url, count: config.sequentialRequests, bodies: [step.body], headers: sign });
    const calls = callsPerRequest(await harnessStats(step.target.url, true));
    if (step.target === service) serviceOk += warm.ok + result.ok;
    rows[step.key] = {
      key: step.key,
      label: step.label,
      client: "node:http",
      p50: result.latency.p50,
      p99: result.latency.p99,
      errors: errorsOf(result),
      warmupErrors: errorsOf(warm),
      calls,
    };
    log(`  ${step.label}: p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, errors ${errorsOf(result)}`);
  }
  const publicKey = await (await fetch(`${service.url.origin}/api/v4/public_key`)).text();
  const api = new LicenseAPI({
    apiKey: credentials.apiKey,
    sharedKey: credentials.sharedKey,
    apiPath: `${service.url.origin}/api/v4`,
    publicKey,
    appName: "edge-license-api bench",
    appVersion: "1.0.0",
  });
  const args = {
    product: PRODUCT,
    license_key: SEQUENTIAL.licenseKey,
    hardware_id: SEQUENTIAL.hardwareId,
    feature: SEQUENTIAL.feature,
    consumptions: 1,
  };
  const sdkWarm = await runSdk({ api, count: warmCount, args });
  const sdk = await runSdk({ api, count: config.sequentialRequests, args });
  serviceOk += sdkWarm.ok + sdk.ok;
  rows.sdk = {
    key: "sdk",
    label: "service, official SDK call path",
    client: "@licensespring/node-sdk (axios + response signature check)",
    p50: sdk.latency.p50,
    p99: sdk.latency.p99,
    errors: sdk.non2xx,
    warmupErrors: sdkWarm.non2xx,
  };
  log(`  service, official SDK: p50 ${sdk.latency.p50} ms, p99 ${sdk.latency.p99} ms, errors ${sdk.non2xx}`);
  return { rows, serviceOk };
}
