#!/usr/bin/env node
// Where a request waits: the service rebuilt with timing wrappers (bench/variants/timing/, src/
// untouched) around each awaited stage (the two D1 reads, the counter object's consume() RPC, the
// object's audit flush) and the whole request, measured under load. Diagnostic only.
//
//   node bench/stages.mjs        (BENCH_VARIANT_CASES=hot,spread, BENCH_DURATION=10, BENCH_CONNECTIONS=32, BENCH_STATE_DIR)
//
// The load here is a closed-loop node:http client (not autocannon) so that it can read the
// X-Bench-Worker header: when the Worker started on the request and how long it ran, by the
// Worker's clock. So each request's latency splits into: before the Worker runs (client send →
// Worker start: connection, workerd's HTTP layer, waiting for the thread), in the Worker, and after
// (Worker done → client has the response). Each case runs twice: with keep-alive connections (as
// the benchmark and real clients do) and with a new connection per request.
//
// workerd's clock advances only across I/O, so these are waits as the Worker sees them (time in
// D1, in the object, in storage commits, in the queue for the one workerd thread), not CPU time.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { ROOT } from "../scripts/local-setup.mjs";
import { HOT, SPREAD_COUNT, consumptionBody, spreadTargets } from "./lib/fixture.mjs";
import { Agent, request as httpRequest } from "node:http";
import { PATH, latencySummary, runAutocannon } from "./lib/load.mjs";
import { cpuMeter } from "./lib/machine.mjs";
import { startSeededService } from "./lib/service.mjs";
import { buildVariant } from "./lib/variant-build.mjs";
import { guard } from "./lib/lifecycle.mjs";

const duration = Number(process.env.BENCH_DURATION ?? 10);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 32);
const cases = (process.env.BENCH_VARIANT_CASES ?? "hot,spread").split(",");
const OUT = join(ROOT, "bench", "results");

const TIMING = {
  entry: "bench/variants/timing/index.js",
  overrides: {
    "src/db/api-keys.ts": "bench/variants/timing/api-keys.js",
    "src/db/license-context.ts": "bench/variants/timing/license-context.js",
    "src/counters.ts": "bench/variants/timing/counters.js",
    "src/consumption-counter.ts": "bench/variants/timing/consumption-counter.js",
  },
};

/** `connections` loops, each sending one request at a time for `durationS`; splits every latency. */
async function closedLoop({ url, connections, durationS, bodies, headers, keepAlive }) {
  const agent = new Agent({ keepAlive, maxSockets: connections });
  const parts = { total: [], "before the Worker runs": [], "in the Worker": [], "after the Worker": [] };
  let cursor = 0;
  let ok = 0;
  let errors = 0;
  const until = Date.now() + durationS * 1000;
  const one = (body) =>
    new Promise((resolve, reject) => {
      const sent = Date.now();
      const req = httpRequest(
        url.origin + PATH,
        { method: "POST", agent, headers: { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body), ...headers() } },
        (res) => {
          res.resume();
          res.on("end", () => resolve({ sent, done: Date.now(), status: res.statusCode, worker: res.headers["x-bench-worker"] }));
          res.on("error", reject);
        },
      );
      req.on("error", reject);
      req.end(body);
    });
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (Date.now() < until) {
        const body = bodies[cursor];
        cursor = (cursor + 1) % bodies.length;
        try {
          const r = await one(body);
          if (r.status !== 200 || !r.worker) {
            errors++;
            continue;
          }
          ok++;
          const [start, inWorker] = r.worker.split(";").map(Number);
          parts.total.push(r.done - r.sent);
          parts["before the Worker runs"].push(start - r.sent);
          parts["in the Worker"].push(inWorker);
          parts["after the Worker"].push(r.done - start - inWorker);
        } catch {
          errors++;
        }
      }
    }),
  );
  agent.destroy();
  return { ok, errors, rps: ok / durationS, parts: Object.fromEntries(Object.entries(parts).map(([k, v]) => [k, latencySummary(v)])) };
}

const workDir = mkdtempSync(join(resolve(process.env.BENCH_STATE_DIR || tmpdir()), "edge-license-stages-"));
let service;
guard(async () => {
  await service?.dispose();
  rmSync(workDir, { recursive: true, force: true });
});
try {
  const build = await buildVariant(TIMING, join(workDir, "build"));
  const started = await startSeededService({ workDir, build });
  service = started.service;
  const lines = [`Stages, ${connections} connections, ${duration} s per run; milliseconds`, ""];
  for (const which of cases) {
    const bodies = which === "spread" ? spreadTargets().map(consumptionBody) : [consumptionBody(HOT)];
    for (const keepAlive of [true, false]) {
      if (which === "spread") await runAutocannon({ url: service.url, connections, amount: SPREAD_COUNT, bodies, headers: started.sign });
      await runAutocannon({ url: service.url, connections, durationS: 3, bodies, headers: started.sign });
      await fetch(new URL("/__bench/timing?reset=1", service.url));
      const meter = cpuMeter(service.pid);
      const result = await closedLoop({ url: service.url, connections, durationS: duration, bodies, headers: started.sign, keepAlive });
      const cpu = meter();
      const stages = await (await fetch(new URL("/__bench/timing?reset=1", service.url))).json();
      const mode = keepAlive ? "keep-alive connections" : "a new connection per request";
      lines.push(
        `### ${which}, ${mode}: ${Math.round(result.rps)} req/s, errors ${result.errors}, workerd ${Math.round((cpu.workerdCpuSeconds / Math.max(1, result.ok)) * 1e6)} µs CPU/req`,
      );
      lines.push("", "| part of the latency | n | mean | p50 | p90 | p99 | max |", "| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
      for (const [part, s] of Object.entries(result.parts))
        lines.push(`| client: ${part} | ${s.samples} | ${s.mean} | ${s.p50} | ${s.p90} | ${s.p99} | ${s.max} |`);
      for (const [stage, s] of Object.entries(stages))
        lines.push(`| Worker: ${stage} | ${s.n} | ${s.mean.toFixed(1)} | ${s.p50} | ${s.p90} | ${s.p99} | ${s.max} |`);
      lines.push("");
      console.log(lines.slice(-(Object.keys(stages).length + Object.keys(result.parts).length + 4)).join("\n"));
    }
  }
  mkdirSync(OUT, { recursive: true });
  writeFileSync(join(OUT, "stages.md"), lines.join("\n"));
  console.log(lines.join("\n"));
} finally {
  await service?.dispose();
  rmSync(workDir, { recursive: true, force: true });
}
