#!/usr/bin/env node
// `npm run bench`: the License API's add_feature_consumption in the Workers runtime (workerd,
// started by Miniflare, reached directly on loopback) under load, side by side with two reference
// Workers in the same runtime: the runtime floor (a constant response) and the crypto floor (one
// HMAC verification + one RSA-2048 signature). Writes bench/results/latest.{json,md,svg}.
//
//   npm run bench                      the full run (about 2 minutes with the defaults)
//   npm run bench -- --table           print the table of the last run (to paste into the README)
//
// Settings (environment): BENCH_DURATION (s per measured run, 10), BENCH_WARMUP (s, 3),
// BENCH_CONNECTIONS (32), BENCH_ROUNDS (1), BENCH_SEQUENTIAL (requests per one-at-a-time run, 500),
// BENCH_LOADGEN (auto | autocannon | wrk; auto = wrk if on PATH, else autocannon), BENCH_WRK_THREADS (1),
// BENCH_VIA_ENTRY=1 (use Miniflare's entry URL instead of the direct workerd socket),
// BENCH_STATE_DIR (where the local D1 / Durable Object SQLite files go; default the OS temp dir),
// BENCH_LABEL (free text recorded with the results), BENCH_OUT (output folder, bench/results).
import { createVerify } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { LicenseAPI } from "@licensespring/node-sdk";
import { ROOT, generateSigningKeyPair, randomCredentials } from "../scripts/local-setup.mjs";
import { auditTracker } from "./lib/audit.mjs";
import { guard } from "./lib/lifecycle.mjs";
import { HOT, PRODUCT, SEQUENTIAL, SPREAD_COUNT, consumptionBody, signer, spreadTargets } from "./lib/fixture.mjs";
import { startSeededService } from "./lib/service.mjs";
import { PATH, runAutocannon, runSdk, runSequential, runWrk } from "./lib/load.mjs";
import { cpuMeter, gitCommit, machineInfo, wrkPath } from "./lib/machine.mjs";
import { markdown, svgChart } from "./lib/report.mjs";
import { buildService, startWorker } from "./lib/targets.mjs";

const OUT = process.env.BENCH_OUT ? resolve(process.env.BENCH_OUT) : join(ROOT, "bench", "results");

if (process.argv.includes("--table")) {
  const file = join(OUT, "latest.md");
  if (!existsSync(file)) {
    console.error(`No results yet (${file}): run \`npm run bench\` first.`);
    process.exit(1);
  }
  process.stdout.write(readFileSync(file, "utf8"));
  process.exit(0);
}

const int = (name, fallback, min, max) => {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${name} must be an integer from ${min} to ${max} (got ${raw})`);
  return n;
};

const config = {
  durationS: int("BENCH_DURATION", 10, 1, 300),
  warmupS: int("BENCH_WARMUP", 3, 0, 60),
  connections: int("BENCH_CONNECTIONS", 32, 1, 1024),
  rounds: int("BENCH_ROUNDS", 1, 1, 10),
  sequentialRequests: int("BENCH_SEQUENTIAL", 500, 10, 100_000),
  wrkThreads: int("BENCH_WRK_THREADS", 1, 1, 64),
  // Where D1 and the Durable Objects keep their SQLite files (BENCH_STATE_DIR=/dev/shm: tmpfs, no disk flushes).
  stateDir: resolve(process.env.BENCH_STATE_DIR || tmpdir()),
  socket:
    process.env.BENCH_VIA_ENTRY === "1"
      ? "Miniflare's entry socket, through its entry Worker"
      : "a socket bound directly to the Worker (Miniflare unsafeDirectSockets)",
};
const loadgenChoice = process.env.BENCH_LOADGEN ?? "auto";
if (!["auto", "autocannon", "wrk"].includes(loadgenChoice)) throw new Error("BENCH_LOADGEN must be auto, autocannon or wrk");
const wrk = loadgenChoice === "autocannon" ? null : wrkPath();
if (loadgenChoice === "wrk" && !wrk) throw new Error("BENCH_LOADGEN=wrk but wrk is not on PATH");
const loadGenerator = wrk ? "wrk" : "autocannon";

// Everything is bounded: measured runs, warm-ups, sequential runs, audit waits (30 s at most each).
// A generous overall deadline ends the process even if something hangs.
const deadlineMs = (config.rounds * 4 * (config.durationS + config.warmupS + 35) + 4 * config.sequentialRequests * 0.1 + 300) * 1000;
const deadline = setTimeout(() => {
  console.error(`bench: overall deadline (${Math.round(deadlineMs / 1000)} s) passed; giving up`);
  void cleanup().finally(() => process.exit(2));
}, deadlineMs);
deadline.unref();

const log = (...args) => console.log("bench:", ...args);
const started = [];
let workDir = null;

async function cleanup() {
  for (const target of started.splice(0).reverse()) await target.dispose().catch(() => {});
  if (workDir) rmSync(workDir, { recursive: true, force: true });
  workDir = null;
}
guard(cleanup);

const median = (values) => {
  const v = values.filter((x) => x !== null && x !== undefined).sort((a, b) => a - b);
  if (v.length === 0) return null;
  return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
};
const sum = (values) => values.reduce((a, b) => a + b, 0);
const errorsOf = (r) => r.non2xx + r.errors + (r.timeouts ?? 0);

async function main() {
  const startedAt = new Date().toISOString();
  const machine = machineInfo();
  machine.loadGenerator = loadGenerator;
  log(`${machine.cpuModel}, ${machine.logicalCpus} CPUs, Node ${machine.node}, ${machine.workerd}; load generator ${loadGenerator}`);

  workDir = mkdtempSync(join(config.stateDir, "edge-license-bench-"));
  const build = buildService(join(workDir, "build"));
  log(`built the service with wrangler deploy --dry-run (${build.script})`);

  const keys = generateSigningKeyPair();
  const credentials = randomCredentials();
  const sign = signer(credentials);

  // The three Workers, each in its own workerd process. Same runtime, same compatibility date.
  const floor = await startWorker({
    name: "runtime-floor",
    scriptPath: join(ROOT, "bench", "workers", "constant.js"),
    modulesRoot: join(ROOT, "bench", "workers"),
    compatibilityDate: build.compatibilityDate,
  });
  started.push(floor);
  const cryptoFloor = await startWorker({
    name: "crypto-floor",
    scriptPath: join(ROOT, "bench", "workers", "crypto-floor.js"),
    modulesRoot: join(ROOT, "bench", "workers"),
    compatibilityDate: build.compatibilityDate,
    bindings: { SHARED_KEY: credentials.sharedKey, LICENSE_SIGNING_KEY: keys.privateKey },
  });
  started.push(cryptoFloor);
  const { service, db } = await startSeededService({ workDir, build, keys, credentials });
  started.push(service);
  log(
    `runtime floor ${floor.url.origin} · crypto floor ${cryptoFloor.url.origin} · service ${service.url.origin} (workerd pids ${floor.pid}, ${cryptoFloor.pid}, ${service.pid})`,
  );
  log(
    `D1 migrated and seeded: 1 hot feature (unlimited), ${SPREAD_COUNT} licenses × 1 metered feature + device, 1 license for the one-at-a-time runs`,
  );

  const hotBody = consumptionBody(HOT);
  const spreadBodies = spreadTargets().map(consumptionBody);
  const sequentialBody = consumptionBody(SEQUENTIAL);

  // Smoke check: every Worker answers a signed request with 200 and a LicenseSignature that
  // verifies with the public key; the service's body is the real thing.
  for (const target of [cryptoFloor, service]) {
    const response = await fetch(target.url.origin + PATH, {
      method: "POST",
      headers: { "Content-Type": "application/json", ...sign() },
      body: hotBody,
    });
    const text = await response.text();
    const signature = response.headers.get("LicenseSignature") ?? "";
    const verifies = createVerify("sha256").update(text).verify(keys.publicKey, signature, "base64");
    if (response.status !== 200 || !verifies)
      throw new Error(`${target.name} smoke check failed: ${response.status} ${text} (signature verifies: ${verifies})`);
  }
  const floorCheck = await fetch(floor.url.origin + PATH, { method: "POST", body: hotBody });
  if (floorCheck.status !== 200) throw new Error(`runtime floor smoke check failed: ${floorCheck.status}`);
  let serviceOk = 1; // the smoke check consumed once on the hot feature

  const audit = auditTracker({ probeUrl: service.probeUrl, db });
  const audits = [];

  const load = (target, bodies, options) =>
    wrk && !options.amount
      ? runWrk({
          wrk,
          url: target.url,
          connections: config.connections,
          durationS: options.durationS,
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

  const plan = [
    { key: "floor", label: "runtime floor (constant response)", short: "runtime floor", target: floor, bodies: [hotBody] },
    { key: "crypto", label: "crypto floor (HMAC verify + RSA-2048 sign)", short: "crypto floor", target: cryptoFloor, bodies: [hotBody] },
    { key: "hot", label: "(a) service, one hot license feature", short: "(a) hot", target: service, bodies: [hotBody] },
    {
      key: "spread",
      label: `(b) service, spread over ${SPREAD_COUNT.toLocaleString("en-US")} license features`,
      short: "(b) spread",
      target: service,
      bodies: spreadBodies,
    },
  ];
  const runs = Object.fromEntries(plan.map((p) => [p.key, []]));
  let warmupErrors = 0;

  for (let round = 1; round <= config.rounds; round++) {
    for (const step of plan) {
      const isService = step.target === service;
      if (isService) await audit.beforeNextRequests();
      if (step.key === "spread") {
        // Touch every spread feature once (creates its counter object, or wakes it after idling
        // through the other runs), outside the measurement.
        const first = await runAutocannon({
          url: step.target.url,
          connections: config.connections,
          amount: SPREAD_COUNT,
          bodies: step.bodies,
          headers: sign,
        });
        warmupErrors += errorsOf(first);
        serviceOk += first.ok;
      }
      if (config.warmupS > 0) {
        const warm = await load(step.target, step.bodies, { durationS: config.warmupS });
        warmupErrors += errorsOf(warm);
        if (isService) serviceOk += warm.ok;
        if (isService) {
          // Let the warm-up's in-flight requests and audit flushes finish before measuring.
          const settled = await audit.settle({
            phase: `${step.key} warm-up`,
            clientOkTotal: serviceOk,
            stoppedAt: performance.now(),
            settleMs: 300,
            maxInFlight: Infinity,
          });
          serviceOk = settled.rowsInD1;
          await audit.beforeNextRequests();
        }
      }
      log(`round ${round}/${config.rounds}: ${step.label}: ${config.durationS} s, ${config.connections} connections …`);
      const meter = cpuMeter(step.target.pid);
      const result = await load(step.target, step.bodies, { durationS: config.durationS });
      const stoppedAt = performance.now();
      const cpu = meter();
      result.cpu = cpu;
      result.round = round;
      runs[step.key].push(result);
      log(
        `  ${Math.round(result.rps)} req/s, p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, errors ${errorsOf(result)}${Object.keys(result.errorCodes ?? {}).length ? ` ${JSON.stringify(result.errorCodes)} at ${result.errorTimes.join(", ")} s` : ""}; workerd CPU ${cpu.workerdCpuSeconds === null ? "?" : Math.round((cpu.workerdCpuSeconds / Math.max(1, result.requests)) * 1e6)} µs/req`,
      );
      if (isService) {
        serviceOk += result.ok;
        // Requests the client gave up on (at the stop, on a timeout or a reset) may still have been served.
        const settled = await audit.settle({
          phase: step.key,
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
    }
  }

  // (c) One request at a time: plain node:http client against each Worker, then the official SDK.
  log(`one request at a time, ${config.sequentialRequests} requests each …`);
  const sequentialWarm = Math.min(50, config.sequentialRequests);
  const sequentialPlan = [
    { key: "floor", label: "runtime floor", target: floor, body: hotBody },
    { key: "crypto", label: "crypto floor", target: cryptoFloor, body: hotBody },
    { key: "service", label: "service, plain client", target: service, body: sequentialBody },
  ];
  const sequential = {};
  for (const step of sequentialPlan) {
    if (step.target === service) await audit.beforeNextRequests();
    const warm = await runSequential({ url: step.target.url, count: sequentialWarm, bodies: [step.body], headers: sign });
    warmupErrors += errorsOf(warm);
    const result = await runSequential({ url: step.target.url, count: config.sequentialRequests, bodies: [step.body], headers: sign });
    if (step.target === service) serviceOk += warm.ok + result.ok;
    sequential[step.key] = result;
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
  const sdkArgs = {
    product: PRODUCT,
    license_key: SEQUENTIAL.licenseKey,
    hardware_id: SEQUENTIAL.hardwareId,
    feature: SEQUENTIAL.feature,
    consumptions: 1,
  };
  const sdkWarm = await runSdk({ api, count: sequentialWarm, args: sdkArgs });
  warmupErrors += sdkWarm.non2xx;
  const sdk = await runSdk({ api, count: config.sequentialRequests, args: sdkArgs });
  serviceOk += sdkWarm.ok + sdk.ok;
  sequential.sdk = sdk;
  log(`  service, official SDK: p50 ${sdk.latency.p50} ms, p99 ${sdk.latency.p99} ms, errors ${sdk.non2xx}`);
  const sequentialAudit = await audit.settle({
    phase: "sequential",
    clientOkTotal: serviceOk,
    stoppedAt: performance.now(),
    maxInFlight: 0,
  });
  audits.push(sequentialAudit);
  // Only now, with all load over, ask the counter objects themselves (total and outbox of each).
  const verification = await audit.verifyAgainstCounters([
    HOT.licenseFeatureId,
    SEQUENTIAL.licenseFeatureId,
    ...spreadTargets().map((t) => t.licenseFeatureId),
  ]);
  log(
    `audit: ${verification.rowsInD1} rows in D1, the counter objects accepted ${verification.acceptedByCounters}, ${verification.pendingInObjects} left in outboxes; exact: ${verification.exact}`,
  );

  // Summaries. With several rounds: the median of each figure, and the median of per-round ratios.
  const summarise = (key) => {
    const list = runs[key];
    const perRound = (f) => median(list.map(f));
    const cryptoOf = (r) => runs.crypto.find((c) => c.round === r.round);
    return {
      rps: perRound((r) => r.rps),
      p50: perRound((r) => r.latency.p50),
      p99: perRound((r) => r.latency.p99),
      errors: sum(list.map(errorsOf)),
      requests: sum(list.map((r) => r.requests)),
      cpuUsPerRequest: perRound((r) =>
        r.cpu.workerdCpuSeconds === null ? null : (r.cpu.workerdCpuSeconds / Math.max(1, r.requests)) * 1e6,
      ),
      loadGeneratorUsPerRequest: perRound((r) => (r.cpu.loadGeneratorCpuSeconds / Math.max(1, r.requests)) * 1e6),
      otherCores: perRound((r) => (r.cpu.otherCpuSeconds === null ? null : r.cpu.otherCpuSeconds / r.cpu.seconds)),
      rpsRatio: perRound((r) => r.rps / cryptoOf(r).rps),
      p99Ratio: perRound((r) => r.latency.p99 / cryptoOf(r).latency.p99),
    };
  };
  const loadRows = plan.map((p) => ({ key: p.key, label: p.label, short: p.short, ...summarise(p.key) }));
  const byKey = Object.fromEntries(loadRows.map((r) => [r.key, r]));

  const cryptoSeq = sequential.crypto.latency;
  const sequentialRows = [
    { key: "floor", label: "runtime floor", client: "node:http", r: sequential.floor },
    { key: "crypto", label: "crypto floor", client: "node:http", r: sequential.crypto },
    { key: "service", label: "service (plain signed requests)", client: "node:http", r: sequential.service },
    {
      key: "sdk",
      label: "(c) service, official SDK call path",
      client: "@licensespring/node-sdk (axios + response signature check)",
      r: sequential.sdk,
    },
  ].map(({ key, label, client, r }) => ({
    key,
    label,
    client,
    p50: r.latency.p50,
    p99: r.latency.p99,
    errors: errorsOf(r),
    p50Ratio: r.latency.p50 / cryptoSeq.p50,
    p99Ratio: r.latency.p99 / cryptoSeq.p99,
  }));

  const loadAudits = audits.filter((a) => a.phase === "hot" || a.phase === "spread");
  const allErrors = sum(loadRows.map((r) => r.errors)) + sum(sequentialRows.map((r) => r.errors)) + warmupErrors;
  const f2 = (n) => (n === null ? "–" : n.toFixed(2));
  const targets = [];
  for (const key of ["hot", "spread"]) {
    const row = byKey[key];
    const name = key === "hot" ? "(a) one hot feature" : `(b) spread over ${SPREAD_COUNT.toLocaleString("en-US")} features`;
    targets.push({
      name: `${name}: throughput`,
      required: "≥ 0.75 × crypto floor req/s",
      measured: `${f2(row.rpsRatio)}× (${Math.round(row.rps)} vs ${Math.round(byKey.crypto.rps)} req/s)`,
      pass: row.rpsRatio >= 0.75,
    });
    targets.push({
      name: `${name}: p99 latency`,
      required: "≤ 2 × crypto floor p99",
      measured: `${f2(row.p99Ratio)}× (${f2(row.p99)} vs ${f2(byKey.crypto.p99)} ms)`,
      pass: row.p99Ratio <= 2,
    });
  }
  const worstAudit = Math.max(...loadAudits.map((a) => (a.allInD1AfterMs === null ? Infinity : a.allInD1AfterMs)));
  targets.push({
    name: "audit rows all in D1 after the load stops",
    required: "≤ 2,000 ms, exact",
    measured: `${loadAudits.map((a) => `${a.phase}${config.rounds > 1 ? ` ${a.round}` : ""}: ${a.allInD1AfterMs === null ? "not all" : `${a.allInD1AfterMs} ms`}${a.exact ? "" : " (NOT exact)"}`).join(", ")}`,
    pass: worstAudit <= 2000 && loadAudits.every((a) => a.exact),
  });
  targets.push({
    name: "zero errors",
    required: "0 non-2xx / socket errors / timeouts, warm-ups included",
    measured: String(allErrors),
    pass: allErrors === 0,
  });
  targets.push({
    name: "(c) SDK call path, one at a time",
    required: "(reported, no target)",
    measured: `p50 ${f2(sequentialRows[3].p50Ratio)}×, p99 ${f2(sequentialRows[3].p99Ratio)}× the crypto floor's`,
    pass: null,
  });

  const results = {
    startedAt,
    finishedAt: new Date().toISOString(),
    label: process.env.BENCH_LABEL ?? "local run",
    commit: gitCommit(),
    machine,
    config: { ...config, loadGenerator },
    load: { loadGenerator, rows: loadRows, runs },
    sequential: { rows: sequentialRows, raw: sequential },
    audit: audits.filter((a) => !a.phase.includes("warm-up")),
    auditVerification: verification,
    auditWarmups: audits.filter((a) => a.phase.includes("warm-up")),
    warmupErrors,
    targets,
  };

  mkdirSync(OUT, { recursive: true });
  writeFileSync(join(OUT, "latest.json"), JSON.stringify(results, null, 2) + "\n");
  const md = markdown(results);
  writeFileSync(join(OUT, "latest.md"), md);
  writeFileSync(join(OUT, "latest.svg"), svgChart(results));
  console.log("\n" + md);
  log(`wrote ${join(OUT, "latest.json")}, latest.md, latest.svg`);
}

try {
  await main();
} catch (error) {
  console.error(error);
  process.exitCode = 1;
} finally {
  await cleanup();
  clearTimeout(deadline);
}
