// The three Workers under test, each in its own workerd process started by Miniflare, each
// reached on a socket that workerd serves directly (no Node proxy, no Miniflare entry worker).
import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Miniflare } from "miniflare";
import { ROOT } from "../../scripts/local-setup.mjs";
import { workerdPids } from "./machine.mjs";

export const COMPATIBILITY_DATE = "2026-04-26";
const WRANGLER = join(ROOT, "node_modules", "wrangler", "bin", "wrangler.js");

/**
 * Bundles the service exactly as `wrangler deploy` would upload it (`--dry-run --outdir`): one
 * ES module, src/ and its dependencies, no dev-only wrapper. Returns the module's folder.
 */
export function buildService(outDir) {
  mkdirSync(outDir, { recursive: true });
  execFileSync(process.execPath, [WRANGLER, "deploy", "--dry-run", "--outdir", outDir], {
    cwd: ROOT,
    stdio: "pipe",
    env: { ...process.env, CI: "true", WRANGLER_SEND_METRICS: "false", WRANGLER_LOG: "error" },
  });
  const compatibilityDate = /^compatibility_date\s*=\s*"([^"]+)"/m.exec(readFileSync(join(ROOT, "wrangler.toml"), "utf8"))?.[1];
  if (compatibilityDate && compatibilityDate > COMPATIBILITY_DATE) {
    throw new Error(
      `wrangler.toml compatibility_date ${compatibilityDate} is newer than the pinned workerd supports (${COMPATIBILITY_DATE})`,
    );
  }
  return { dir: outDir, script: join(outDir, "index.js"), compatibilityDate: compatibilityDate ?? COMPATIBILITY_DATE };
}

/**
 * Starts one Worker in its own workerd process. `direct` is a socket workerd binds to this
 * Worker's default entrypoint (Miniflare's `unsafeDirectSockets`): requests to it reach the
 * Worker without passing through Miniflare's own entry Worker or any Node code. `entry` is
 * Miniflare's usual URL (`mf.ready`), also served by workerd, but routed through Miniflare's entry
 * Worker (one extra in-process hop); the benchmark uses `direct` unless BENCH_VIA_ENTRY=1.
 */
export async function startWorker({
  name,
  scriptPath,
  modulesRoot,
  compatibilityDate = COMPATIBILITY_DATE,
  bindings = {},
  d1 = false,
  durableObjects = false,
  persistDir,
  inspectorPort,
  probe = false,
}) {
  const before = new Set(workerdPids());
  const worker = {
    name,
    modules: true,
    modulesRoot,
    scriptPath,
    compatibilityDate,
    bindings,
    unsafeDirectSockets: [{ host: "127.0.0.1", port: 0 }],
  };
  if (d1) worker.d1Databases = { DB: "bench-db" };
  if (durableObjects) worker.durableObjects = { CONSUMPTION_COUNTER: { className: "ConsumptionCounter", useSQLite: true } };
  const mf = new Miniflare({
    host: "127.0.0.1",
    port: 0,
    ...(inspectorPort !== undefined ? { inspectorPort } : {}),
    ...(persistDir ? { d1Persist: join(persistDir, "d1"), durableObjectsPersist: join(persistDir, "do") } : {}),
    // BENCH_VERBOSE=1: workerd's own diagnostics (--verbose) on stderr, for investigating errors.
    ...(process.env.BENCH_VERBOSE === "1" ? { verbose: true } : {}),
    workers: probe ? [worker, probeWorker(name, compatibilityDate)] : [worker],
  });
  const entry = await mf.ready;
  const direct = await mf.unsafeGetDirectURL(name);
  const pids = workerdPids().filter((pid) => !before.has(pid));
  const url = process.env.BENCH_VIA_ENTRY === "1" ? entry : direct;
  const probeUrl = probe ? new URL((await mf.unsafeGetDirectURL(PROBE)).origin) : null;
  return {
    name,
    mf,
    url: new URL(url.origin),
    entry: new URL(entry.origin),
    direct: new URL(direct.origin),
    probeUrl,
    pid: pids[0] ?? null,
    dispose: () => mf.dispose(),
  };
}

const PROBE = "counter-probe";

/**
 * bench/workers/counter-probe.js, in the service's workerd process with a binding to the service's
 * counter class: how the benchmark reads the counters' totals after a run (idle during load).
 */
function probeWorker(serviceName, compatibilityDate) {
  return {
    name: PROBE,
    modules: true,
    modulesRoot: join(ROOT, "bench", "workers"),
    scriptPath: join(ROOT, "bench", "workers", "counter-probe.js"),
    compatibilityDate,
    durableObjects: { CONSUMPTION_COUNTER: { className: "ConsumptionCounter", scriptName: serviceName, useSQLite: true } },
    unsafeDirectSockets: [{ host: "127.0.0.1", port: 0 }],
  };
}

/** Every SQL file in migrations/, in order (the deploy order wrangler uses). */
export function migrationFiles() {
  const dir = join(ROOT, "migrations");
  return readdirSync(dir)
    .filter((file) => file.endsWith(".sql"))
    .sort()
    .map((file) => join(dir, file));
}
