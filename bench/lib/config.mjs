// The bench's settings, all from the environment (bench/README.md, "Settings").
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { ROOT } from "../../scripts/local-setup.mjs";
import { wrkPath } from "./machine.mjs";

/** @param {string} name @param {number} fallback @param {number} min @param {number} max */
const int = (name, fallback, min, max) => {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${name} must be an integer from ${min} to ${max} (got ${raw})`);
  return n;
};

/** @param {string} name @param {string} fallback @param {string[]} allowed */
const oneOf = (name, fallback, allowed) => {
  const raw = process.env[name] || fallback;
  if (!allowed.includes(raw)) throw new Error(`${name} must be one of ${allowed.join(", ")} (got ${raw})`);
  return raw;
};

export function readConfig() {
  const soakS = int("BENCH_SOAK", 0, 0, 86_400);
  const far = process.env.BENCH_FAR === "1";
  if (soakS && far) throw new Error("BENCH_SOAK and BENCH_FAR are separate modes: set one");
  const loadgenChoice = oneOf("BENCH_LOADGEN", "auto", ["auto", "autocannon", "wrk"]);
  const wrk = loadgenChoice === "autocannon" ? null : wrkPath();
  if (loadgenChoice === "wrk" && !wrk) throw new Error("BENCH_LOADGEN=wrk but wrk is not on PATH");
  const known = soakS
    ? ["hot", "spread"]
    : ["floor", "crypto", "design-hot", "service-hot", "design-spread", "service-spread", "sequential"];
  const cases = process.env.BENCH_CASES ? process.env.BENCH_CASES.split(",").map((key) => key.trim()) : null;
  const unknown = (cases ?? []).filter((key) => !known.includes(key));
  if (unknown.length) throw new Error(`BENCH_CASES: unknown ${unknown.join(", ")} (this mode has ${known.join(", ")})`);
  const poll = /** @type {"gate" | "yield" | "off"} */ (oneOf("BENCH_POLL", "gate", ["gate", "yield", "off"]));
  return {
    mode: soakS ? "soak" : far ? "far" : "standard",
    durationS: int("BENCH_DURATION", 10, 1, 3600),
    warmupS: int("BENCH_WARMUP", 3, 0, 600),
    connections: int("BENCH_CONNECTIONS", 32, 1, 1024),
    rounds: int("BENCH_ROUNDS", 1, 1, 10),
    /** Only these runs of the standard mode (keys: floor, crypto, design-hot, service-hot, design-spread, service-spread, sequential); all if unset. */
    cases,
    sequentialRequests: int("BENCH_SEQUENTIAL", 500, 10, 100_000),
    /** Far mode: requests in each cold run, each after a restart of its Worker's process (bench/README.md, "Far-client model"). */
    coldRequests: int("BENCH_COLD", 60, 0, 10_000),
    wrkThreads: int("BENCH_WRK_THREADS", 1, 1, 64),
    soakS,
    soakIntervalS: int("BENCH_SOAK_INTERVAL", 5, 1, 600),
    /** Soak heap readings: "gc" (live heap, after a forced full GC), "used" (heap in use, no GC) or "off". */
    soakHeap: /** @type {"gc" | "used" | "off"} */ (oneOf("BENCH_SOAK_HEAP", "gc", ["gc", "used", "off"])),
    /** What every Worker's entry does about workerd's event loop (bench/workers/harness.js). */
    harness: {
      poll,
      gateMs: int("BENCH_POLL_GATE_MS", 2, 0, 10_000),
      /** BENCH_AUDIT=drop: Queue sends resolve without sending (no delivery, no audit rows in D1: a diagnostic). */
      dropQueueSends: oneOf("BENCH_AUDIT", "deliver", ["deliver", "drop"]) === "drop",
      far: far
        ? {
            d1Ms: int("BENCH_FAR_D1_MS", 80, 0, 10_000),
            durableObjectMs: int("BENCH_FAR_DO_MS", 20, 0, 10_000),
            queueMs: int("BENCH_FAR_QUEUE_MS", 0, 0, 10_000),
            cacheMs: int("BENCH_FAR_CACHE_MS", 10, 0, 10_000),
          }
        : null,
    },
    // Where D1 and the Durable Objects keep their SQLite files (BENCH_STATE_DIR=/dev/shm: tmpfs, no disk flushes).
    stateDir: resolve(process.env.BENCH_STATE_DIR || tmpdir()),
    viaEntry: process.env.BENCH_VIA_ENTRY === "1",
    /** BENCH_ASSETS=0: the service runs without wrangler.toml's [assets] (./targets.mjs). */
    assets: process.env.BENCH_ASSETS !== "0",
    /** BENCH_PERF=1: split each measured run's workerd CPU by part with Linux perf (./perf.mjs; standard mode). */
    perf: process.env.BENCH_PERF === "1",
    socket:
      process.env.BENCH_VIA_ENTRY === "1"
        ? "Miniflare's entry socket, through its entry Worker"
        : "a socket bound directly to the Worker (Miniflare unsafeDirectSockets)",
    loadGenerator: wrk ? "wrk" : "autocannon",
    wrk,
    label: process.env.BENCH_LABEL ?? "local run",
    out: process.env.BENCH_OUT ? resolve(process.env.BENCH_OUT) : join(ROOT, "bench", "results"),
    /** Dated reports (bench/reports/YYYY-MM-DD-<commit>.md); BENCH_REPORTS=0 writes none. */
    reports: process.env.BENCH_REPORTS === "0" ? null : resolve(process.env.BENCH_REPORTS || join(ROOT, "bench", "reports")),
  };
}

/** @typedef {ReturnType<typeof readConfig>} BenchConfig */
