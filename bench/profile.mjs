#!/usr/bin/env node
// Where the service's CPU goes: V8 CPU profiles of the service's isolate (the Worker and its
// Durable Objects) and of Miniflare's local D1 isolates, taken through workerd's inspector while
// the hot-feature load runs. Not part of `npm run bench` (the inspector costs a little); run it as
//
//   node bench/profile.mjs            (BENCH_PROFILE_CASE=hot|spread, BENCH_DURATION=10, BENCH_CONNECTIONS=32)
//
// Writes bench/results/profile-<isolate>.cpuprofile (open in Chrome DevTools → Performance, or
// https://www.speedscope.app) and prints the functions with the most self time.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import WebSocket from "ws";
import { ROOT } from "../scripts/local-setup.mjs";
import { HOT, consumptionBody, spreadTargets } from "./lib/fixture.mjs";
import { runAutocannon } from "./lib/load.mjs";
import { cpuMeter } from "./lib/machine.mjs";
import { startSeededService } from "./lib/service.mjs";
import { guard } from "./lib/lifecycle.mjs";

const durationS = Number(process.env.BENCH_DURATION ?? 10);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 32);
const which = process.env.BENCH_PROFILE_CASE ?? "hot";
const OUT = join(ROOT, "bench", "results");

function inspector(url) {
  const socket = new WebSocket(url);
  let next = 1;
  const waiting = new Map();
  socket.on("message", (data) => {
    const message = JSON.parse(String(data));
    if (message.id && waiting.has(message.id)) {
      const { resolve, reject } = waiting.get(message.id);
      waiting.delete(message.id);
      message.error ? reject(new Error(JSON.stringify(message.error))) : resolve(message.result);
    }
  });
  const opened = new Promise((resolve, reject) => {
    socket.once("open", resolve);
    socket.once("error", reject);
  });
  return {
    opened,
    send: (method, params = {}) =>
      new Promise((resolve, reject) => {
        const id = next++;
        waiting.set(id, { resolve, reject });
        socket.send(JSON.stringify({ id, method, params }));
      }),
    close: () => socket.close(),
  };
}

/** Self time per function (ms), heaviest first. */
function selfTimes(profile) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map();
  profile.samples.forEach((id, i) => {
    const node = byId.get(id);
    const frame = node.callFrame;
    const file = frame.url ? frame.url.split("/").pop() : "";
    const key = `${frame.functionName || "(anonymous)"}${file ? ` ${file}:${frame.lineNumber + 1}` : ""}`;
    self.set(key, (self.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  });
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  return { total, top: [...self.entries()].sort((a, b) => b[1] - a[1]) };
}

const workDir = mkdtempSync(join(tmpdir(), "edge-license-profile-"));
let service;
guard(async () => {
  await service?.dispose();
  rmSync(workDir, { recursive: true, force: true });
});
try {
  const started = await startSeededService({ workDir, inspectorPort: 0 });
  service = started.service;
  const bodies = which === "spread" ? spreadTargets().map(consumptionBody) : [consumptionBody(HOT)];
  const base = (await service.mf.getInspectorURL()).host;
  const list = await (await fetch(`http://${base}/json/list`)).json();
  const targets = list.filter((t) => t.id === "core:user:service" || t.id.startsWith("d1:db"));

  // Warm up, then profile every interesting isolate over the same load.
  await runAutocannon({ url: service.url, connections, durationS: 3, bodies, headers: started.sign });
  const sessions = [];
  for (const target of targets) {
    const session = inspector(target.webSocketDebuggerUrl);
    await session.opened;
    await session.send("Profiler.enable");
    await session.send("Profiler.setSamplingInterval", { interval: 100 });
    await session.send("Profiler.start");
    sessions.push({ id: target.id, session });
  }
  const meter = cpuMeter(service.pid);
  const result = await runAutocannon({ url: service.url, connections, durationS, bodies, headers: started.sign });
  const cpu = meter();
  mkdirSync(OUT, { recursive: true });
  console.log(
    `${which}: ${Math.round(result.rps)} req/s, p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms (inspector attached: slower than npm run bench)`,
  );
  console.log(
    `workerd process CPU: ${Math.round((cpu.workerdCpuSeconds / result.requests) * 1e6)} µs per request (${cpu.workerdCpuSeconds.toFixed(2)} s over ${result.requests} requests)\n`,
  );
  for (const { id, session } of sessions) {
    const { profile } = await session.send("Profiler.stop");
    session.close();
    const file = join(OUT, `profile-${which}-${id.replace(/[^a-z0-9-]+/gi, "_")}.cpuprofile`);
    writeFileSync(file, JSON.stringify(profile));
    const { total, top } = selfTimes(profile);
    const busy = top.filter(([key]) => key !== "(idle)").reduce((a, [, v]) => a + v, 0);
    // All isolates share workerd's one thread, and each isolate's sampler also counts time the
    // thread spent elsewhere: read the shares within an isolate, not the sum across isolates.
    console.log(`${id}: ${Math.round(busy)} ms sampled as busy of ${Math.round(total)} ms (shares within this isolate; isolates overlap)`);
    for (const [key, msSelf] of top.filter(([key]) => key !== "(idle)").slice(0, 18)) {
      console.log(`  ${((msSelf / busy) * 100).toFixed(1).padStart(5)}%  ${key}`);
    }
    console.log(`  → ${file}\n`);
  }
} finally {
  await service?.dispose();
  rmSync(workDir, { recursive: true, force: true });
}
