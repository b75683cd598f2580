// Where a workerd process's CPU goes, by part, from Linux `perf` (BENCH_PERF=1; bench/README.md
// "Where the CPU goes").
//
// V8's inspector profiler cannot split the CPU of one workerd process: every isolate of the process
// runs on one thread, and each isolate's profiler keeps sampling while another isolate runs (three
// isolates profiled together summed to 2.6 times the wall-clock time of their one thread). `perf` samples the process's
// threads as the kernel sees them, native frames included, and with V8's `--perf-basic-prof`
// (workerd takes V8 flags from Miniflare's MINIFLARE_WORKERD_V8_FLAGS) it names every JavaScript
// frame with its function and script, so a sample can be charged to the script it ran for: ours,
// Miniflare's D1, Queues or assets Workers, the bench's entry, or the runtime alone.
import { spawn, spawnSync } from "node:child_process";
import { rmSync } from "node:fs";

/** The rows of the split, in the order reports show them. */
export const PARTS = /** @type {const} */ ([
  "RSA-2048 signature (BoringSSL)",
  "the Worker's JavaScript (request, objects, queue consumer)",
  "SQLite in the Worker's objects",
  "V8 garbage collection and compiler",
  "workerd and V8 native (HTTP, RPC, promises, I/O; no script frame)",
  "kernel (syscalls, page faults; no script frame)",
  "Miniflare: D1",
  "Miniflare: Queues",
  "Miniflare: D1 and Queues, shared code",
  "Miniflare: assets routing",
  "bench entry (poll gate)",
]);

/** @typedef {(typeof PARTS)[number]} Part */

/** Scripts (as V8 names them in frames) that are not the Worker's own, and whose part they are. */
const SCRIPTS = /** @type {Array<[RegExp, Part]>} */ ([
  [/\bdatabase\.worker\.js:/, "Miniflare: D1"],
  [/\bbroker\.worker\.js:/, "Miniflare: Queues"],
  [/ (router-worker|asset-worker|assets-proxy-worker)\.mjs:/, "Miniflare: assets routing"],
  [/ (miniflare:|node-internal:)/, "Miniflare: D1 and Queues, shared code"],
  [/ bench-harness\.mjs:/, "bench entry (poll gate)"],
]);

const RSA = /\b(bn_|BN_|RSA_|rsa_|__bn_|mulx4x|sqrx8x|bn_mul|rsaz_)/;
const V8_HEAP =
  /v8::internal::(Heap|Scavenger|MarkCompact|MinorMarkSweep|ConcurrentMarking|Sweeper|MarkingVisitor|GCTracer|Evacuat|ArrayBufferSweeper|compiler::|maglev::|Compiler::|Parser)|cppgc::internal|Turboshaft|turboshaft/;

/** Whether `perf` can record here (Linux, installed, allowed). */
export function perfAvailable() {
  const probe = spawnSync("perf", ["record", "-q", "-o", "/dev/null", "--", "true"], { stdio: "ignore" });
  return probe.status === 0;
}

/**
 * Starts sampling process `pid` (999 Hz, with call chains) into `file`. `stop()` signals perf at
 * once and resolves when it has written the file.
 * @param {number} pid @param {string} file
 */
export function startPerf(pid, file) {
  const child = spawn("perf", ["record", "-q", "-F", "999", "-g", "-p", String(pid), "-o", file], { stdio: "ignore" });
  const exited = new Promise((resolve) => child.once("exit", resolve));
  return {
    stop: () => {
      child.kill("SIGINT");
      return exited;
    },
  };
}

/**
 * Which part one sample's CPU belongs to. `frames` run from the leaf (where the CPU was) to the root.
 * The first frame of a known script decides for its script's part; otherwise the leaf and the
 * native frames decide.
 * @param {string[]} frames
 * @returns {Part}
 */
export function partOf(frames) {
  const leaf = frames[0] ?? "";
  if (RSA.test(leaf)) return "RSA-2048 signature (BoringSSL)";
  const firstScript = frames.find((frame) => /\.map\)$|\bJS:/.test(frame));
  if (firstScript) for (const [pattern, part] of SCRIPTS) if (pattern.test(firstScript)) return part;
  if (frames.some((frame) => /\bsqlite3|Sqlite/.test(frame))) return "SQLite in the Worker's objects";
  if (frames.some((frame) => V8_HEAP.test(frame))) return "V8 garbage collection and compiler";
  if (firstScript) return "the Worker's JavaScript (request, objects, queue consumer)";
  if (leaf.includes("[kernel.kallsyms]")) return "kernel (syscalls, page faults; no script frame)";
  return "workerd and V8 native (HTTP, RPC, promises, I/O; no script frame)";
}

/**
 * The share of samples of each part in `file` (then deletes it). Uses `perf script` output: one
 * sample per block, a header line then one indented line per frame ("address symbol (dso)").
 * @param {string} file
 * @returns {{ samples: number, shares: Record<Part, number> }}
 */
export function splitRecording(file) {
  const script = spawnSync("perf", ["script", "-i", file, "-F", "comm,ip,sym,dso"], { maxBuffer: 1 << 30, encoding: "utf8" });
  rmSync(file, { force: true });
  const counts = /** @type {Record<Part, number>} */ (Object.fromEntries(PARTS.map((part) => [part, 0])));
  let samples = 0;
  /** @type {string[]} */
  let frames = [];
  const flush = () => {
    if (!frames.length) return;
    counts[partOf(frames)] += 1;
    samples += 1;
    frames = [];
  };
  for (const line of (script.stdout ?? "").split("\n")) {
    if (!line.trim()) flush();
    else if (/^\s/.test(line)) frames.push(line.trim());
    else flush();
  }
  flush();
  const shares = /** @type {Record<Part, number>} */ (
    Object.fromEntries(PARTS.map((part) => [part, samples ? counts[part] / samples : 0]))
  );
  return { samples, shares };
}
