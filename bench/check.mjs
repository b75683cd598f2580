#!/usr/bin/env node
// `npm run bench:check` (part of `npm test`, a few seconds): everything the bench runs still builds,
// without running a benchmark. Type-checking (bench/tsconfig.json, bench/workers/tsconfig.json)
// covers the bench's own code and the counter probe's calls into the service's class; this adds:
//   - wrangler.toml still gives the bench what it needs (a D1 database, the counter class) and
//     .dev.vars.example names no secret the bench does not set;
//   - each Worker under bench/workers/ bundles (esbuild, as wrangler bundles Workers);
//   - the bench entry (bench/lib/entry.mjs) builds around each of them and around the service
//     (src/index.ts bundled the same way), whatever the service exports.
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import { ROOT, generateSigningKeyPair } from "../scripts/local-setup.mjs";
import { bundleWorker, writeHarnessedEntry } from "./lib/entry.mjs";
import { benchSecrets } from "./lib/service.mjs";
import { COUNTER_CLASS, WORKERS_DIR, serviceConfig } from "./lib/targets.mjs";

const WORKERS = ["constant.js", "crypto-floor.js", "design-floor.js", "counter-probe.js"];
const harness = { poll: /** @type {const} */ ("gate"), gateMs: 2, far: { d1Ms: 80, durableObjectMs: 20, queueMs: 0 } };
const started = performance.now();
const dir = mkdtempSync(join(tmpdir(), "bench-check-"));
try {
  const config = serviceConfig();
  benchSecrets(generateSigningKeyPair());
  const lines = [
    `wrangler.toml: compatibility date ${config.compatibilityDate}, D1 ${config.d1Binding}, counter objects ${config.counterBinding}, queues ${[...config.queues.producers, ...config.queues.consumers].join(", ") || "none"}`,
  ];

  /** Bundles the entry written into `at` (the harness, the Worker and what it imports). @param {string} at */
  const bundleEntry = async (at) => {
    await build({
      entryPoints: [join(at, "bench-entry.mjs")],
      bundle: true,
      format: "esm",
      platform: "browser",
      target: "es2022",
      conditions: ["workerd", "worker", "browser"],
      external: ["cloudflare:*", "node:*"],
      write: false,
      outfile: join(at, "out.js"),
      logLevel: "silent",
    });
  };

  for (const file of WORKERS) {
    const at = join(dir, file.replace(/\.js$/, ""));
    mkdirSync(at, { recursive: true });
    await bundleWorker(join(WORKERS_DIR, file), join(at, "worker.js"));
    const entry = await writeHarnessedEntry({ dir: at, main: "worker.js", options: harness });
    await bundleEntry(at);
    lines.push(`bench/workers/${file}: bundles; entry exports ${entry.exports.join(", ")}`);
  }

  // The service as wrangler bundles it (esbuild, src/index.ts), behind the same entry.
  const at = join(dir, "service");
  mkdirSync(at, { recursive: true });
  await build({
    entryPoints: [join(ROOT, "src", "index.ts")],
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    conditions: ["workerd", "worker", "browser"],
    external: ["cloudflare:*", "node:*"],
    outfile: join(at, "index.js"),
    logLevel: "silent",
  });
  const entry = await writeHarnessedEntry({
    dir: at,
    main: "index.js",
    options: harness,
    moduleRules: config.workerOptions.modulesRules ?? [],
  });
  await bundleEntry(at);
  if (!entry.exports.includes(COUNTER_CLASS)) throw new Error(`src/index.ts no longer exports ${COUNTER_CLASS}`);
  lines.push(`service (src/index.ts): bundles behind the bench entry; exports ${entry.exports.join(", ")}`);
  console.log(lines.map((line) => `bench:check: ${line}`).join("\n"));
  console.log(`bench:check: ok (${Math.round(performance.now() - started)} ms)`);
} catch (error) {
  console.error("bench:check: FAILED:", error);
  process.exitCode = 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
