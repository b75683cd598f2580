// The Workers under test, each in its own workerd process started by Miniflare, each reached on a
// socket that workerd serves directly (no Node proxy, no Miniflare entry Worker), each behind the
// bench's entry module (bench/lib/entry.mjs, bench/workers/harness.js).
//
// The service is started from wrangler.toml: Miniflare options come from wrangler's own
// `unstable_getMiniflareWorkerOptions`, so whatever the config declares (D1, Durable Objects,
// queues and their consumers, assets, compatibility date and flags) runs as `wrangler dev` would
// run it. The bench only overrides what it must: the code (the `wrangler deploy --dry-run`
// bundle behind the bench entry), secrets, a direct socket and where state is kept.
import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { Miniflare, convertV4MiniflareOptions } from "miniflare";
import { unstable_getMiniflareWorkerOptions } from "wrangler";
import { ROOT } from "../../scripts/local-setup.mjs";
import { bundleWorker, writeHarnessedEntry } from "./entry.mjs";
import { workerdPids } from "./machine.mjs";

/** The Worker's config: wrangler.toml, or BENCH_CONFIG (a variant of it, e.g. to try a binding before adding it). */
export const CONFIG_PATH = resolve(ROOT, process.env.BENCH_CONFIG || "wrangler.toml");
const WRANGLER = join(ROOT, "node_modules", "wrangler", "bin", "wrangler.js");
export const WORKERS_DIR = join(ROOT, "bench", "workers");
/** The class of the service's counter objects: the bench's audit check asks them for their totals. */
export const COUNTER_CLASS = "ConsumptionCounter";

/**
 * wrangler.toml as wrangler turns it into Miniflare options (v4 shape), read once. Throws if the
 * config names something this bench cannot run locally.
 */
export function serviceConfig() {
  const { workerOptions, externalWorkers } = unstable_getMiniflareWorkerOptions(CONFIG_PATH);
  // BENCH_ASSETS=0: the service without its static files (the console), so requests reach the
  // Worker without Miniflare's asset router Worker in front of it (bench/README.md "Where the CPU goes").
  if (process.env.BENCH_ASSETS === "0") delete workerOptions.assets;
  // No rate limits: one bench run sends more from one API key than wrangler.toml allows a key, and
  // locally each count is a call to Miniflare's simulated limiter object, a cost the binding does not
  // have on Cloudflare. The service runs unlimited without the bindings (src/auth/rate-limit.ts).
  delete workerOptions.ratelimits;
  const d1Bindings = Object.keys(workerOptions.d1Databases ?? {});
  if (d1Bindings.length === 0) throw new Error("wrangler.toml declares no D1 database: the bench seeds and audits one");
  const counter = Object.entries(workerOptions.durableObjects ?? {}).find(
    ([, designator]) => (typeof designator === "string" ? designator : designator.className) === COUNTER_CLASS,
  );
  if (!counter)
    throw new Error(`wrangler.toml binds no Durable Object of class ${COUNTER_CLASS}: bench/workers/counter-probe.js needs one`);
  return {
    workerOptions,
    externalWorkers: externalWorkers ?? [],
    compatibilityDate: /** @type {string} */ (workerOptions.compatibilityDate),
    compatibilityFlags: /** @type {string[]} */ (workerOptions.compatibilityFlags ?? []),
    /** The D1 binding the bench migrates, seeds and reads the audit log from (the first declared). */
    d1Binding: d1Bindings[0],
    counterBinding: counter[0],
    queues: {
      producers: Object.keys(workerOptions.queueProducers ?? {}),
      consumers: Object.keys(workerOptions.queueConsumers ?? {}),
    },
  };
}

/**
 * Bundles the service exactly as `wrangler deploy` would upload it (`--dry-run --outdir`): one ES
 * module, src/ and its dependencies, no dev-only wrapper.
 */
export function buildService(outDir) {
  mkdirSync(outDir, { recursive: true });
  execFileSync(process.execPath, [WRANGLER, "deploy", "--dry-run", "--outdir", outDir, "--config", CONFIG_PATH], {
    cwd: ROOT,
    stdio: "pipe",
    env: { ...process.env, CI: "true", WRANGLER_SEND_METRICS: "false", WRANGLER_LOG: "error" },
  });
  return { dir: outDir, main: "index.js", script: join(outDir, "index.js") };
}

/**
 * Starts the service (a `buildService` bundle) from wrangler.toml, with `secrets` as bindings,
 * state kept under `persistDir`, and bench/workers/counter-probe.js beside it (same process).
 */
/**
 * @param {{ name?: string, build: { dir: string, main: string }, config?: ReturnType<typeof serviceConfig>, harness: import("../workers/harness.js").HarnessOptions,
 *   secrets: Record<string, string>, persistDir: string, inspectorPort?: number }} options
 */
export async function startService({ name = "service", build, config = serviceConfig(), harness, secrets, persistDir, inspectorPort }) {
  const modules = await writeHarnessedEntry({
    dir: build.dir,
    main: build.main,
    options: harness,
    moduleRules: config.workerOptions.modulesRules ?? [],
  });
  const { rootPath: _rootPath, modulesRules: _rules, ...fromConfig } = config.workerOptions;
  const worker = {
    ...fromConfig,
    name,
    modules: modules.modules,
    modulesRoot: modules.modulesRoot,
    bindings: { ...(fromConfig.bindings ?? {}), ...secrets },
    unsafeDirectSockets: [{ host: "127.0.0.1", port: 0 }],
  };
  const probe = {
    name: PROBE,
    modules: [{ type: /** @type {const} */ ("ESModule"), path: join(WORKERS_DIR, "counter-probe.js") }],
    modulesRoot: WORKERS_DIR,
    compatibilityDate: config.compatibilityDate,
    durableObjects: { COUNTER: { className: COUNTER_CLASS, scriptName: name, useSQLite: true } },
    unsafeDirectSockets: [{ host: "127.0.0.1", port: 0 }],
  };
  const target = await startMiniflare({
    name,
    workers: [worker, probe, ...config.externalWorkers],
    persistDir,
    inspectorPort,
    afterStart: async (t) => {
      t.probeUrl = new URL((await t.mf.unsafeGetDirectURL(PROBE)).origin);
      t.db = await t.mf.getD1Database(config.d1Binding, name);
    },
  });
  target.exports = modules.exports;
  return target;
}

/**
 * Starts one of bench/workers/*.js (a reference Worker) behind the same entry as the service, with
 * the service's compatibility date and flags. `durableObjects`: binding → class exported by the file.
 * `runtime`: the service's own runtime configuration where the design needs it (the design floor):
 * wrangler.toml's [assets] in front, and an audit queue (producer AUDIT_QUEUE, consumed by the
 * Worker itself, with the service's consumer settings) whose rows go to a D1 database (DB).
 * @param {{ name: string, file: string, workDir: string, config: ReturnType<typeof serviceConfig>, harness: import("../workers/harness.js").HarnessOptions,
 *   bindings?: Record<string, string>, durableObjects?: Record<string, string>, persistDir?: string, runtime?: boolean }} options
 */
export async function startReferenceWorker({
  name,
  file,
  workDir,
  config,
  harness,
  bindings = {},
  durableObjects = {},
  persistDir,
  runtime = false,
}) {
  const dir = join(workDir, "workers", name);
  mkdirSync(dir, { recursive: true });
  await bundleWorker(join(WORKERS_DIR, file), join(dir, "worker.js"));
  const modules = await writeHarnessedEntry({ dir, main: "worker.js", options: harness });
  const worker = {
    name,
    modules: modules.modules,
    modulesRoot: modules.modulesRoot,
    compatibilityDate: config.compatibilityDate,
    compatibilityFlags: config.compatibilityFlags,
    bindings,
    durableObjects: Object.fromEntries(
      Object.entries(durableObjects).map(([binding, className]) => [binding, { className, useSQLite: true }]),
    ),
    unsafeDirectSockets: [{ host: "127.0.0.1", port: 0 }],
    ...(runtime ? designRuntime(config, name) : {}),
  };
  return startMiniflare({
    name,
    workers: [worker],
    persistDir,
    afterStart: runtime
      ? async (t) => {
          t.db = await t.mf.getD1Database("DB", name);
          await t.db.exec(DESIGN_AUDIT_TABLE);
        }
      : undefined,
  });
}

const DESIGN_AUDIT_TABLE =
  "CREATE TABLE IF NOT EXISTS design_audit (event_id TEXT PRIMARY KEY, license_key TEXT NOT NULL, feature_code TEXT NOT NULL, hardware_id TEXT NOT NULL, consumptions INTEGER NOT NULL, total_after INTEGER NOT NULL, created_at TEXT NOT NULL)";

/**
 * The design floor's share of the service's runtime configuration: the same [assets] (the asset
 * router in front of every request, as wrangler.toml configures it, when the service has it), and
 * one audit queue with the settings of the service's first consumer, consumed by the Worker itself.
 * @param {ReturnType<typeof serviceConfig>} config @param {string} name
 */
function designRuntime(config, name) {
  const [consumer] = Object.values(config.workerOptions.queueConsumers ?? {});
  const queue = `${name}-audit`;
  // wrangler's own option object, passed on as the service gets it.
  const assets = /** @type {any} */ (config.workerOptions.assets);
  return {
    ...(assets ? { assets } : {}),
    queueProducers: { AUDIT_QUEUE: { queueName: queue } },
    queueConsumers: {
      [queue]: { maxBatchSize: consumer?.maxBatchSize ?? 100, maxBatchTimeout: consumer?.maxBatchTimeout ?? 1, maxRetries: 100 },
    },
    d1Databases: { DB: `${name}-audit-db` },
  };
}

const PROBE = "counter-probe";

/**
 * One Miniflare instance (one workerd process). `url` is the socket workerd binds directly to the
 * first Worker (Miniflare's `unsafeDirectSockets`): requests reach it without Miniflare's entry
 * Worker or any Node code; BENCH_VIA_ENTRY=1 uses Miniflare's usual URL instead (one extra hop).
 */
/**
 * @typedef {{ name: string, mf: Miniflare, url: URL, pid: number | null, probeUrl: URL | null, db: D1Database | null, exports: string[],
 *   restart(): Promise<void>, dispose(): Promise<void> }} Target
 */

/**
 * @param {{ name: string, workers: import("miniflare").V4WorkerOptions[], persistDir?: string, inspectorPort?: number,
 *   afterStart?: ((target: Target) => Promise<void>) | undefined }} options
 * @returns {Promise<Target>}
 */
async function startMiniflare({ name, workers, persistDir, inspectorPort, afterStart }) {
  const before = new Set(workerdPids());
  const options = convertV4MiniflareOptions({
    host: "127.0.0.1",
    port: 0,
    ...(inspectorPort !== undefined ? { inspectorPort } : {}),
    ...(persistDir ? { resourcePersistencePath: persistDir } : {}),
    // BENCH_VERBOSE=1: workerd's own diagnostics (--verbose) on stderr, for investigating errors.
    ...(process.env.BENCH_VERBOSE === "1" ? { verbose: true } : {}),
    workers,
  });
  const mf = new Miniflare(options);
  /** @type {Target} */
  const target = {
    name,
    mf,
    url: new URL("http://127.0.0.1"),
    pid: null,
    probeUrl: null,
    db: null,
    exports: [],
    // A new workerd process on the same state: new isolates (nothing in their memory), every
    // Durable Object evicted (its storage kept), the same sockets. The far mode's cold requests.
    restart: async () => {
      const running = new Set(workerdPids());
      await mf.setOptions(options);
      await located(running);
    },
    dispose: () => mf.dispose(),
  };
  /** @param {Set<number>} previous */
  const located = async (previous) => {
    const entry = await mf.ready;
    const direct = await mf.unsafeGetDirectURL(name);
    const pids = workerdPids().filter((pid) => !previous.has(pid));
    target.url = new URL((process.env.BENCH_VIA_ENTRY === "1" ? entry : direct).origin);
    target.pid = pids[0] ?? target.pid;
    if (afterStart) await afterStart(target);
  };
  await located(before);
  return target;
}

/** Every SQL file in migrations/, in order (the deploy order wrangler uses). */
export function migrationFiles() {
  const dir = join(ROOT, "migrations");
  return readdirSync(dir)
    .filter((file) => file.endsWith(".sql"))
    .sort()
    .map((file) => join(dir, file));
}
