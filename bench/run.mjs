#!/usr/bin/env node
// `npm run bench`: the License API's add_feature_consumption in the Workers runtime (workerd,
// started by Miniflare from wrangler.toml, reached directly on loopback) under load, side by side
// with three reference Workers in the same runtime: the runtime floor (a constant response), the
// crypto floor (HMAC verify + RSA-2048 sign) and the design floor (crypto + one Durable Object
// transaction per request). bench/README.md explains the method and how to read the figures.
//
//   npm run bench                        standard run (~2 min; BENCH_ROUNDS=3 for the reference figures)
//   BENCH_SOAK=180 npm run bench         soak: 180 s hot + 180 s spread, memory and errors every 5 s
//   BENCH_FAR=1 npm run bench            far-client model: D1 +80 ms, Durable Objects +20 ms per call
//   npm run bench -- --table             print the last standard run's tables
//
// Writes bench/results/latest<suffix>.{json,md,svg} (git-ignored) and the dated report
// bench/reports/YYYY-MM-DD-<commit>[-soak|-far][-no-assets][-audit-dropped].md.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as prettier from "prettier";
import { loadavg } from "node:os";
import { join, relative } from "node:path";
import { readConfig } from "./lib/config.mjs";
import { farRun } from "./lib/far.mjs";
import { guard } from "./lib/lifecycle.mjs";
import { gitCommit, machineInfo } from "./lib/machine.mjs";
import { farMarkdown, soakMarkdown, soakSvg, standardMarkdown, svgChart } from "./lib/report.mjs";
import { soakRun } from "./lib/soak.mjs";
import { standardRun } from "./lib/standard.mjs";
import { serviceConfig } from "./lib/targets.mjs";

const config = readConfig();
// Knock-out variants (bench/README.md "Where the service's CPU goes") get their own file names.
const suffix = `${config.mode === "standard" ? "" : `-${config.mode}`}${config.assets ? "" : "-no-assets"}${config.harness.dropQueueSends ? "-audit-dropped" : ""}`;

if (process.argv.includes("--table")) {
  const file = join(config.out, `latest${suffix}.md`);
  if (!existsSync(file)) {
    console.error(`No results yet (${file}): run \`npm run bench\` first.`);
    process.exit(1);
  }
  process.stdout.write(readFileSync(file, "utf8"));
  process.exit(0);
}

const log = (/** @type {unknown[]} */ ...args) => console.log("bench:", ...args);
/** @type {Array<{ dispose(): Promise<unknown> }>} */
const started = [];
/** @type {string | null} */
let workDir = null;

async function cleanup() {
  for (const target of started.splice(0).reverse()) await target.dispose().catch(() => {});
  if (workDir) rmSync(workDir, { recursive: true, force: true });
  workDir = null;
}
guard(cleanup);

// Everything is bounded (runs, warm-ups, audit waits of 30 s at most); a generous overall deadline
// ends the process even if something hangs.
const perRun = config.durationS + config.warmupS + 40;
const budgetS =
  config.mode === "soak"
    ? 2 * (config.soakS + config.warmupS + 60) + 300
    : config.mode === "far"
      ? 5 * (config.sequentialRequests + 50) * 0.5 + 4 * config.coldRequests * 5 + 300
      : config.rounds * 6 * perRun + 5 * (config.sequentialRequests + 50) * 0.1 + 300;
const deadline = setTimeout(() => {
  console.error(`bench: overall deadline (${Math.round(budgetS)} s) passed; giving up`);
  void cleanup().finally(() => process.exit(2));
}, budgetS * 1000);
deadline.unref();

async function main() {
  const startedAt = new Date().toISOString();
  const machine = machineInfo();
  log(
    `${machine.cpuModel}, ${machine.logicalCpus} CPUs, load average ${machine.loadAverageAtStart.join(" / ")}, Node ${machine.node}, ${machine.workerd}; mode ${config.mode}; load generator ${config.loadGenerator}`,
  );
  mkdirSync(config.stateDir, { recursive: true });
  workDir = mkdtempSync(join(config.stateDir, "edge-license-bench-"));
  const run = config.mode === "soak" ? soakRun : config.mode === "far" ? farRun : standardRun;
  const measured = await run({ config, workDir, started, log });
  const results = {
    startedAt,
    finishedAt: new Date().toISOString(),
    label: config.label,
    commit: gitCommit(),
    machine,
    loadAverageAtEnd: loadavg().map((n) => Math.round(n * 100) / 100),
    compatibilityDate: serviceConfig().compatibilityDate,
    config: { ...config, wrk: undefined },
    ...measured,
  };
  // Formatted as `npm run format` would (aligned tables), so a committed report passes the format check.
  const md = await formatted(
    config.mode === "soak" ? soakMarkdown(results) : config.mode === "far" ? farMarkdown(results) : standardMarkdown(results),
  );
  const svg = config.mode === "soak" ? soakSvg(results) : config.mode === "standard" ? svgChart(results) : null;

  mkdirSync(config.out, { recursive: true });
  writeFileSync(join(config.out, `latest${suffix}.json`), JSON.stringify(results, null, 2) + "\n");
  writeFileSync(join(config.out, `latest${suffix}.md`), md);
  if (svg) writeFileSync(join(config.out, `latest${suffix}.svg`), svg);
  console.log("\n" + md);
  log(`wrote ${relative(process.cwd(), join(config.out, `latest${suffix}.json`))}, .md${svg ? ", .svg" : ""}`);
  if (config.reports) {
    mkdirSync(config.reports, { recursive: true });
    const commit = (results.commit ?? "unknown").replace("+changes", "-dirty");
    const file = join(config.reports, `${startedAt.slice(0, 10)}-${commit}${suffix}.md`);
    const title = { standard: "Benchmark", soak: "Soak", far: "Far-client model" }[config.mode];
    writeFileSync(
      file,
      await formatted(
        `# ${title}: ${startedAt.slice(0, 10)}, commit ${results.commit ?? "?"}\n\nWritten by \`${commandLine()}\`; bench/README.md explains the method and how to read it.\n\n${md}`,
      ),
    );
    log(`wrote ${relative(process.cwd(), file)}`);
  }
  const failed = results.targets.filter((/** @type {{ pass: boolean | null }} */ t) => t.pass === false);
  log(failed.length ? `targets missed: ${failed.map((/** @type {{ name: string }} */ t) => t.name).join("; ")}` : "every target met");
}

/** Markdown through the repository's Prettier settings. @param {string} markdown */
async function formatted(markdown) {
  const options = (await prettier.resolveConfig(join(config.out, "x.md"))) ?? {};
  return prettier.format(markdown, { ...options, parser: "markdown" });
}

/** The settings that differ from the defaults, as the command that reproduces the run. */
function commandLine() {
  const set = Object.entries(process.env)
    .filter(([name]) => name.startsWith("BENCH_") && !["BENCH_OUT", "BENCH_REPORTS", "BENCH_LABEL"].includes(name))
    .map(([name, value]) => `${name}=${value}`)
    .sort();
  return [...set, "npm run bench"].join(" ");
}

try {
  await main();
} catch (error) {
  console.error(error);
  process.exitCode = 1;
} finally {
  await cleanup();
  clearTimeout(deadline);
}
