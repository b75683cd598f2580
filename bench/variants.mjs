#!/usr/bin/env node
// Where the time goes, by subtraction: the service rebuilt with one part replaced (bench/variants/,
// src/ untouched), each measured under the same load right after the crypto floor. Diagnostic only;
// several variants are not valid services (they skip the audit or the counter object).
//
//   node bench/variants.mjs                   hot feature, every variant
//   BENCH_VARIANT_CASES=hot,spread BENCH_VARIANTS=baseline,no-flush node bench/variants.mjs
//
// Settings: BENCH_DURATION (8), BENCH_WARMUP (2), BENCH_CONNECTIONS (32). Writes bench/results/variants.{json,md}.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { ROOT, generateSigningKeyPair, randomCredentials } from "../scripts/local-setup.mjs";
import { HOT, SPREAD_COUNT, consumptionBody, signer, spreadTargets } from "./lib/fixture.mjs";
import { runAutocannon } from "./lib/load.mjs";
import { cpuMeter, machineInfo } from "./lib/machine.mjs";
import { startSeededService } from "./lib/service.mjs";
import { startWorker } from "./lib/targets.mjs";
import { buildVariant } from "./lib/variant-build.mjs";
import { guard } from "./lib/lifecycle.mjs";

const VARIANTS = [
  { name: "baseline", what: "src/ as it is (bundled with esbuild like the variants)", overrides: {} },
  {
    name: "tmpfs",
    what: "src/ as it is, D1 and Durable Object storage on tmpfs (/dev/shm): no disk flushes",
    overrides: {},
    stateDir: "/dev/shm",
  },
  {
    name: "api-key-cache",
    what: "API key row cached per isolate (60 s)",
    overrides: { "src/db/api-keys.ts": "bench/variants/api-key-cache.js" },
  },
  {
    name: "context-cache",
    what: "license context cached per isolate (60 s)",
    overrides: { "src/db/license-context.ts": "bench/variants/license-context-cache.js" },
  },
  {
    name: "no-d1-reads",
    what: "both caches: no D1 query on the request path",
    overrides: {
      "src/db/api-keys.ts": "bench/variants/api-key-cache.js",
      "src/db/license-context.ts": "bench/variants/license-context-cache.js",
    },
  },
  {
    name: "no-flush",
    what: "counter object never flushes its outbox to D1 (no audit in D1)",
    overrides: { "src/consumption-counter.ts": "bench/variants/counter-no-flush.js" },
  },
  {
    name: "flush-debounce",
    what: "counter object flushes its outbox at most every 200 ms (one D1 batch for many rows)",
    overrides: { "src/consumption-counter.ts": "bench/variants/counter-flush-debounce.js" },
  },
  {
    name: "no-d1-reads+debounce",
    what: "both caches and the 200 ms flush debounce",
    overrides: {
      "src/db/api-keys.ts": "bench/variants/api-key-cache.js",
      "src/db/license-context.ts": "bench/variants/license-context-cache.js",
      "src/consumption-counter.ts": "bench/variants/counter-flush-debounce.js",
    },
  },
  {
    name: "no-d1-reads+no-flush",
    what: "both caches, and no audit flush: what the counter object's RPC and transaction cost on their own",
    overrides: {
      "src/db/api-keys.ts": "bench/variants/api-key-cache.js",
      "src/db/license-context.ts": "bench/variants/license-context-cache.js",
      "src/consumption-counter.ts": "bench/variants/counter-no-flush.js",
    },
  },
  {
    name: "no-d1-reads+no-durable-object",
    what: "both caches and no counter object: what is left besides the crypto (routing, body, zod, JSON)",
    overrides: {
      "src/db/api-keys.ts": "bench/variants/api-key-cache.js",
      "src/db/license-context.ts": "bench/variants/license-context-cache.js",
      "src/counters.ts": "bench/variants/no-durable-object.js",
    },
  },
  {
    name: "no-durable-object",
    what: "in-isolate counter instead of the Durable Object (no RPC, no storage, no audit)",
    overrides: { "src/counters.ts": "bench/variants/no-durable-object.js" },
  },
];

const duration = Number(process.env.BENCH_DURATION ?? 8);
const warmup = Number(process.env.BENCH_WARMUP ?? 2);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 32);
const cases = (process.env.BENCH_VARIANT_CASES ?? "hot").split(",");
const only = process.env.BENCH_VARIANTS?.split(",");
const selected = VARIANTS.filter((v) => !only || only.includes(v.name));
const OUT = join(ROOT, "bench", "results");

const summary = (r, cpu) => ({
  rps: Math.round(r.rps),
  p50: r.latency.p50,
  p99: r.latency.p99,
  errors: r.non2xx + r.errors + r.timeouts,
  cpuUsPerRequest: cpu.workerdCpuSeconds === null ? null : Math.round((cpu.workerdCpuSeconds / Math.max(1, r.requests)) * 1e6),
  otherCores: cpu.otherCpuSeconds === null ? null : Math.round((cpu.otherCpuSeconds / cpu.seconds) * 100) / 100,
});

const workDir = mkdtempSync(join(tmpdir(), "edge-license-variants-"));
const toDispose = new Set();
const tempDirs = new Set([workDir]);
const disposeAll = async () => {
  for (const target of toDispose) await target.dispose().catch(() => {});
  toDispose.clear();
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
};
guard(disposeAll);
try {
  const keys = generateSigningKeyPair();
  const credentials = randomCredentials();
  const sign = signer(credentials);
  const hotBody = consumptionBody(HOT);
  const cryptoFloor = await startWorker({
    name: "crypto-floor",
    scriptPath: join(ROOT, "bench", "workers", "crypto-floor.js"),
    modulesRoot: join(ROOT, "bench", "workers"),
    bindings: { SHARED_KEY: credentials.sharedKey, LICENSE_SIGNING_KEY: keys.privateKey },
  });
  toDispose.add(cryptoFloor);
  const rows = [];
  for (const variant of selected) {
    if (variant.stateDir && !existsSync(variant.stateDir)) {
      console.log(`${variant.name}: skipped (${variant.stateDir} does not exist)`);
      continue;
    }
    const build = await buildVariant(variant, join(workDir, `build-${variant.name}`));
    const stateRoot = variant.stateDir
      ? mkdtempSync(join(variant.stateDir, "edge-license-variant-"))
      : join(workDir, `state-${variant.name}`);
    tempDirs.add(stateRoot);
    const { service } = await startSeededService({ workDir: stateRoot, build, keys, credentials });
    toDispose.add(service);
    try {
      for (const which of cases) {
        const bodies = which === "spread" ? spreadTargets().map(consumptionBody) : [hotBody];
        if (warmup) await runAutocannon({ url: cryptoFloor.url, connections, durationS: warmup, bodies: [hotBody], headers: sign });
        let meter = cpuMeter(cryptoFloor.pid);
        const floorRun = await runAutocannon({ url: cryptoFloor.url, connections, durationS: duration, bodies: [hotBody], headers: sign });
        const floor = summary(floorRun, meter());
        // Spread: touch every feature once (creates or wakes its counter object) right before measuring.
        if (which === "spread") await runAutocannon({ url: service.url, connections, amount: SPREAD_COUNT, bodies, headers: sign });
        if (warmup) await runAutocannon({ url: service.url, connections, durationS: warmup, bodies, headers: sign });
        meter = cpuMeter(service.pid);
        const run = runAutocannon({ url: service.url, connections, durationS: duration, bodies, headers: sign });
        const measured = summary(await run, meter());
        const row = {
          variant: variant.name,
          what: variant.what,
          case: which,
          ...measured,
          cryptoFloor: floor,
          rpsRatio: Math.round((measured.rps / floor.rps) * 100) / 100,
          p99Ratio: Math.round((measured.p99 / floor.p99) * 100) / 100,
        };
        rows.push(row);
        console.log(
          `${variant.name.padEnd(18)} ${which.padEnd(6)} ${String(row.rps).padStart(5)} req/s (${row.rpsRatio}× crypto floor ${floor.rps}), p50 ${row.p50} ms, p99 ${row.p99} ms (${row.p99Ratio}×), workerd ${row.cpuUsPerRequest} µs/req (floor ${floor.cpuUsPerRequest}), errors ${row.errors}, other CPU ${row.otherCores} cores`,
        );
      }
    } finally {
      await service.dispose();
      toDispose.delete(service);
      rmSync(stateRoot, { recursive: true, force: true });
      tempDirs.delete(stateRoot);
    }
  }
  mkdirSync(OUT, { recursive: true });
  const lines = [
    `Variants run ${new Date().toISOString()} on ${machineInfo().cpuModel}; ${connections} connections, ${duration} s each, crypto floor measured right before each row.`,
    "",
    "| variant | what changes | case | req/s | × crypto floor | p50 ms | p99 ms | p99 × crypto floor | workerd CPU µs/req | errors | other CPU (cores) |",
    "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...rows.map(
      (r) =>
        `| ${r.variant} | ${r.what} | ${r.case} | ${r.rps} | ${r.rpsRatio}× | ${r.p50} | ${r.p99} | ${r.p99Ratio}× | ${r.cpuUsPerRequest} | ${r.errors} | ${r.otherCores} |`,
    ),
    "",
  ];
  writeFileSync(join(OUT, "variants.md"), lines.join("\n"));
  writeFileSync(join(OUT, "variants.json"), JSON.stringify({ rows, connections, duration }, null, 2) + "\n");
  console.log("\n" + lines.join("\n"));
  console.log(`wrote ${relative(process.cwd(), join(OUT, "variants.md"))}`);
} finally {
  await disposeAll();
}
