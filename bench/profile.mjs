#!/usr/bin/env node
// Where the service's CPU goes: a V8 CPU profile of the service's isolate (the Worker and its
// counter objects), taken through workerd's inspector while the standard load runs. Not part of
// `npm run bench` (the inspector costs a little); run it as
//
//   npm --prefix bench run profile    (BENCH_PROFILE_CASE=hot|spread, BENCH_PROFILE_ISOLATE=core:user:service|d1:db,
//                                      BENCH_DURATION=10, BENCH_CONNECTIONS=32, BENCH_POLL as npm run bench)
//
// (from the repository root, once `npm run bench` or `npm run bench:check` has installed the bench)
//
// Writes bench/results/profile-<case>-<isolate>.cpuprofile (open in Chrome DevTools → Performance,
// or https://www.speedscope.app) and prints the functions with the most self time. workerd's
// inspector serves one session at a time, so one isolate per run.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "../scripts/local-setup.mjs";
import { readConfig } from "./lib/config.mjs";
import { HOT, SPREAD_COUNT, consumptionBody, spreadTargets } from "./lib/fixture.mjs";
import { guard } from "./lib/lifecycle.mjs";
import { runAutocannon } from "./lib/load.mjs";
import { cpuMeter } from "./lib/machine.mjs";
import { inspectorSession } from "./lib/memory.mjs";
import { startSeededService } from "./lib/service.mjs";
import { touchUntilWarm } from "./lib/warm.mjs";

const config = readConfig();
const which = process.env.BENCH_PROFILE_CASE ?? "hot";
const isolate = process.env.BENCH_PROFILE_ISOLATE ?? "core:user:service";
const OUT = join(ROOT, "bench", "results");

/**
 * Self time per function (ms), heaviest first.
 * @param {{ nodes: Array<{ id: number, callFrame: { functionName: string, url: string, lineNumber: number } }>, samples: number[], timeDeltas: number[] }} profile
 */
function selfTimes(profile) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  /** @type {Map<string, number>} */
  const self = new Map();
  profile.samples.forEach((id, i) => {
    const frame = byId.get(id)?.callFrame;
    if (!frame) return;
    const file = frame.url ? frame.url.split("/").pop() : "";
    const key = `${frame.functionName || "(anonymous)"}${file ? ` ${file}:${frame.lineNumber + 1}` : ""}`;
    self.set(key, (self.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  });
  return [...self.entries()].sort((a, b) => b[1] - a[1]);
}

const workDir = mkdtempSync(join(tmpdir(), "edge-license-profile-"));
/** @type {Awaited<ReturnType<typeof startSeededService>>["service"] | undefined} */
let service;
guard(async () => {
  await service?.dispose();
  rmSync(workDir, { recursive: true, force: true });
});
try {
  const started = await startSeededService({ workDir, harness: config.harness, inspectorPort: 0 });
  service = started.service;
  const url = service.url;
  const bodies = which === "spread" ? spreadTargets().map(consumptionBody) : [consumptionBody(HOT)];
  const base = (await service.mf.getInspectorURL()).host;
  const list = /** @type {Array<{ id: string, webSocketDebuggerUrl: string }>} */ (await (await fetch(`http://${base}/json/list`)).json());
  const target = list.find((t) => t.id === isolate);
  if (!target) throw new Error(`no isolate ${isolate}; there are: ${list.map((t) => t.id).join(", ")}`);

  if (which === "spread")
    await touchUntilWarm(() =>
      runAutocannon({ url, connections: config.connections, amount: SPREAD_COUNT, bodies, headers: started.sign }),
    );
  await runAutocannon({ url: service.url, connections: config.connections, durationS: 3, bodies, headers: started.sign });
  const session = inspectorSession(target.webSocketDebuggerUrl);
  await session.opened;
  await session.send("Profiler.enable");
  await session.send("Profiler.setSamplingInterval", { interval: 100 });
  await session.send("Profiler.start");
  const meter = cpuMeter(service.pid);
  const result = await runAutocannon({
    url: service.url,
    connections: config.connections,
    durationS: config.durationS,
    bodies,
    headers: started.sign,
  });
  const cpu = meter();
  const { profile } = /** @type {{ profile: any }} */ (await session.send("Profiler.stop"));
  await session.close();
  console.log(
    `${which}: ${Math.round(result.rps)} req/s, p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms (inspector attached: slower than npm run bench)`,
  );
  if (cpu.workerdCpuSeconds !== null)
    console.log(`workerd process CPU: ${Math.round((cpu.workerdCpuSeconds / Math.max(1, result.requests)) * 1e6)} µs per request\n`);
  mkdirSync(OUT, { recursive: true });
  const file = join(OUT, `profile-${which}-${isolate.replace(/[^a-z0-9-]+/gi, "_")}.cpuprofile`);
  writeFileSync(file, JSON.stringify(profile));
  const top = selfTimes(profile).filter(([key]) => !key.startsWith("(idle)"));
  const busy = top.reduce((a, [, v]) => a + v, 0);
  console.log(`${isolate}: ${Math.round(busy)} ms sampled as busy`);
  for (const [key, msSelf] of top.slice(0, 20)) console.log(`  ${((msSelf / busy) * 100).toFixed(1).padStart(5)}%  ${key}`);
  console.log(`  → ${file}`);
} finally {
  await service?.dispose();
  rmSync(workDir, { recursive: true, force: true });
}
