// Soak mode (BENCH_SOAK=<seconds>): the service alone under the standard closed-loop load for
// <seconds> on the hot feature, then as long spread over the 1,000 features, sampling every
// BENCH_SOAK_INTERVAL (5) seconds: the resident set of its workerd process, the live JavaScript
// heap of its isolate and of local D1's (after a forced GC), the requests it answered (by status
// class) and how long its event loop took to poll. Passes with zero errors, memory that levels off
// and an exact audit log.
import { auditQuietMs, auditTracker } from "./audit.mjs";
import { HOT, SEQUENTIAL, SPREAD_COUNT, consumptionBody, spreadTargets } from "./fixture.mjs";
import { touchUntilWarm } from "./warm.mjs";
import { runAutocannon, runWrk } from "./load.mjs";
import { heapReader, rssMiB } from "./memory.mjs";
import { harnessStats, smokeCheck, startTargets } from "./setup.mjs";
import { errorsOf } from "./standard.mjs";

/** Memory "levels off" when the last third of a phase's samples peaks at most this far above the middle third's peak. */
export const LEVEL = { rssFraction: 0.05, rssMinMiB: 4, heapMiB: 1 };

const sleep = (/** @type {number} */ ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * @param {{ config: import("./config.mjs").BenchConfig, workDir: string, started: Array<{ dispose(): Promise<unknown> }>, log: (...args: unknown[]) => void }} input
 */
export async function soakRun({ config, workDir, started, log }) {
  const t = await startTargets({ workDir, harness: config.harness, references: [], started, log, inspectorPort: 0 });
  const { service, db, sign } = t;
  await smokeCheck({ targets: [service], sign, publicKey: t.keys.publicKey });
  let serviceOk = 1;
  const audit = auditTracker({ service, quietMs: auditQuietMs(t.config) });
  const heap = await heapReader(service.mf, {
    include: (id) => id === `core:user:${service.name}` || id.startsWith("d1:"),
    // When idle, a request through the service and a D1 query enter the isolates so that a requested GC runs.
    wake: () => Promise.all([harnessStats(service.url), db.prepare("SELECT 1").first()]),
  });
  log(
    `soak: ${config.soakS} s hot, then ${config.soakS} s spread; sampling every ${config.soakIntervalS} s: RSS of workerd ${service.pid}, live heap of ${heap.isolates.join(", ")}`,
  );

  const sample = async (/** @type {string} */ phase, /** @type {number} */ t0, live = config.soakHeap === "gc") => {
    const begin = performance.now();
    const stats = await harnessStats(service.url, true);
    const rss = rssMiB(service.pid);
    const statsMs = performance.now() - begin;
    const heapMiB = config.soakHeap === "off" ? {} : live ? await heap.live() : await heap.used();
    return {
      phase,
      atS: Math.round((begin - t0) / 100) / 10,
      rssMiB: rss,
      heapMiB,
      /** How long reading the counters and the heaps took (the service is busy: both wait their turn). */
      readMs: { stats: Math.round(statsMs), heap: Math.round(performance.now() - begin - statsMs) },
      answered: stats.requests,
      non2xx: Object.entries(stats.responses).reduce((n, [klass, count]) => n + (klass === "2xx" ? 0 : count), 0),
      thrown: stats.thrown,
      pollDelayMaxMs: stats.pollDelayMaxMs,
      held: stats.held,
    };
  };

  const startedAt = performance.now();
  const samples = [await sample("idle, before", startedAt, config.soakHeap !== "off")];
  const phases = [];
  let warmupErrors = 0;
  for (const which of ["hot", "spread"].filter((phase) => !config.cases || config.cases.includes(phase))) {
    const bodies = which === "spread" ? spreadTargets().map(consumptionBody) : [consumptionBody(HOT)];
    await audit.beforeNextRequests();
    if (which === "spread") {
      const touched = await touchUntilWarm(() =>
        runAutocannon({ url: service.url, connections: config.connections, amount: SPREAD_COUNT, bodies, headers: sign }),
      );
      for (const pass of touched.results) {
        warmupErrors += errorsOf(pass);
        serviceOk += pass.ok;
      }
    }
    if (config.warmupS > 0) {
      const warm = await runAutocannon({
        url: service.url,
        connections: config.connections,
        durationS: config.warmupS,
        bodies,
        headers: sign,
      });
      warmupErrors += errorsOf(warm);
      serviceOk += warm.ok;
    }
    serviceOk = (
      await audit.settle({
        phase: `${which} warm-up`,
        clientOkTotal: serviceOk,
        stoppedAt: performance.now(),
        settleMs: audit.warmupSettleMs,
      })
    ).rowsInD1;
    await audit.beforeNextRequests();
    log(`soak: ${which}, ${config.soakS} s, ${config.connections} connections …`);
    await harnessStats(service.url, true);
    const phaseStart = performance.now();
    let done = false;
    const running = (
      config.wrk
        ? runWrk({
            wrk: config.wrk,
            url: service.url,
            connections: config.connections,
            durationS: config.soakS,
            bodies,
            headers: sign,
            threads: config.wrkThreads,
          })
        : runAutocannon({ url: service.url, connections: config.connections, durationS: config.soakS, bodies, headers: sign })
    ).finally(() => (done = true));
    const phaseSamples = [];
    for (let due = phaseStart + config.soakIntervalS * 1000; !done; due = Math.max(due + config.soakIntervalS * 1000, performance.now())) {
      while (!done && performance.now() < due) await sleep(Math.min(250, due - performance.now()));
      if (done) break;
      const s = await sample(which, startedAt);
      phaseSamples.push(s);
      log(
        `  +${Math.round((performance.now() - phaseStart) / 1000)} s: RSS ${s.rssMiB} MiB, live heap ${Object.entries(s.heapMiB)
          .map(([id, mib]) => `${id} ${mib ?? "?"}`)
          .join(
            ", ",
          )} MiB; ${s.answered} answered (${s.non2xx} non-2xx), loop polled within ${s.pollDelayMaxMs} ms; read in ${s.readMs.stats} + ${s.readMs.heap} ms`,
      );
    }
    const result = await running;
    const stoppedAt = performance.now();
    serviceOk += result.ok;
    const settled = await audit.settle({
      phase: which,
      clientOkTotal: serviceOk,
      stoppedAt,
      maxInFlight: config.connections + result.errors + (result.timeouts ?? 0),
    });
    serviceOk = settled.rowsInD1;
    samples.push(...phaseSamples);
    phases.push({
      which,
      rps: result.rps,
      latency: result.latency,
      requests: result.requests,
      ok: result.ok,
      errors: errorsOf(result),
      errorDetail: { non2xx: result.non2xx, socket: result.errors, timeouts: result.timeouts ?? 0, codes: result.errorCodes ?? null },
      audit: settled,
      memory: levels(phaseSamples),
      pollDelayMaxMs: Math.max(0, ...phaseSamples.map((s) => s.pollDelayMaxMs)),
    });
    log(
      `  ${which}: ${Math.round(result.rps)} req/s, p99 ${result.latency.p99} ms, errors ${errorsOf(result)}; audit all in D1 after ${settled.allInD1AfterMs ?? "never"} ms`,
    );
  }
  await sleep(2000);
  samples.push(await sample("idle, after", startedAt, config.soakHeap !== "off"));
  const verification = await audit.verifyAgainstCounters([
    HOT.licenseFeatureId,
    SEQUENTIAL.licenseFeatureId,
    ...spreadTargets().map((s) => s.licenseFeatureId),
  ]);

  const errors = phases.reduce((n, p) => n + p.errors, 0);
  const targets = [
    {
      name: "errors",
      required: "0 in both phases (warm-ups reported apart)",
      measured: `${errors} (warm-ups: ${warmupErrors})`,
      pass: errors === 0,
    },
    ...phases.map((p) => ({
      name: `${p.which}: memory levels off`,
      required: `last third of the samples peaks ≤ max(${LEVEL.rssFraction * 100}%, ${LEVEL.rssMinMiB} MiB) above the middle third (RSS), ≤ ${LEVEL.heapMiB} MiB (live heap)`,
      measured: p.memory.summary,
      pass: p.memory.levelsOff,
    })),
    ...phases.map((p) => ({
      name: `${p.which}: audit rows in D1`,
      required: "all, exact",
      measured: `all there ${p.audit.allInD1AfterMs ?? "never"} ms after the load stopped${p.audit.exact ? ", exact" : ", NOT exact"}`,
      pass: p.audit.allInD1AfterMs !== null && p.audit.exact === true,
    })),
  ];
  return { phases, samples, warmupErrors, auditVerification: verification, isolates: heap.isolates, pid: service.pid, targets };
}

/**
 * Whether RSS and each isolate's live heap level off over one phase's samples.
 * @param {Array<{ rssMiB: number | null, heapMiB: Record<string, number | null> }>} samples
 */
function levels(samples) {
  const third = Math.floor(samples.length / 3);
  if (third < 1) return { levelsOff: false, summary: `too few samples (${samples.length}) to tell`, series: {} };
  const peak = (/** @type {Array<number | null>} */ values) => Math.max(...values.filter((v) => v !== null).map(Number));
  /** @type {Record<string, Array<number | null>>} */
  const series = { RSS: samples.map((s) => s.rssMiB) };
  for (const id of Object.keys(samples[0]?.heapMiB ?? {})) series[`heap ${id}`] = samples.map((s) => s.heapMiB[id] ?? null);
  const parts = [];
  let levelsOff = true;
  for (const [name, values] of Object.entries(series)) {
    const middle = peak(values.slice(third, 2 * third));
    const last = peak(values.slice(2 * third));
    const allowed = name === "RSS" ? Math.max(middle * LEVEL.rssFraction, LEVEL.rssMinMiB) : LEVEL.heapMiB;
    const ok = Number.isFinite(middle) && Number.isFinite(last) && last - middle <= allowed;
    levelsOff &&= ok;
    parts.push(
      `${name}: first ${values[0] ?? "?"}, middle-third peak ${middle}, last-third peak ${last} MiB${ok ? "" : " (still growing)"}`,
    );
  }
  return { levelsOff, summary: parts.join("; "), series };
}
