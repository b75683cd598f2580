// The machine the numbers come from, and CPU accounting from /proc (Linux), so a run says how
// much CPU each Worker spent per request and how busy the rest of the machine was meanwhile.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { join } from "node:path";
import { createRequire } from "node:module";
import { ROOT } from "../../scripts/local-setup.mjs";

const require = createRequire(import.meta.url);
const HAS_PROC = existsSync("/proc/self/stat");
let clockTicks = 100;
try {
  clockTicks = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
} catch {
  // keep the Linux default
}

function readProc(path) {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return null;
  }
}

/** PIDs of workerd processes that are children of this Node process (one per Miniflare). */
export function workerdPids() {
  if (!HAS_PROC) return [];
  const pids = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = parseStat(readProc(`/proc/${entry}/stat`));
    if (stat && stat.ppid === process.pid && stat.comm === "workerd") pids.push(Number(entry));
  }
  return pids;
}

function parseStat(text) {
  if (!text) return null;
  const close = text.lastIndexOf(")");
  const comm = text.slice(text.indexOf("(") + 1, close);
  const fields = text.slice(close + 2).split(" ");
  // fields[0] is field 3 (state): utime is field 14, stime 15, cutime 16, cstime 17, ppid 4.
  return {
    comm,
    ppid: Number(fields[1]),
    utime: Number(fields[11]),
    stime: Number(fields[12]),
    cutime: Number(fields[13]),
    cstime: Number(fields[14]),
  };
}

/** CPU seconds of this process's children that have exited and been waited for (wrk runs). */
function exitedChildrenCpuSeconds() {
  const stat = parseStat(readProc("/proc/self/stat"));
  return stat ? (stat.cutime + stat.cstime) / clockTicks : 0;
}

/** System (kernel) CPU seconds a process has used so far; null if unknown. @param {number | null} pid */
export function processSystemCpuSeconds(pid) {
  const stat = pid ? parseStat(readProc(`/proc/${pid}/stat`)) : null;
  return stat ? stat.stime / clockTicks : null;
}

/** CPU seconds (user + system, all threads) a process has used so far; null if unknown. */
export function processCpuSeconds(pid) {
  const stat = pid ? parseStat(readProc(`/proc/${pid}/stat`)) : null;
  return stat ? (stat.utime + stat.stime) / clockTicks : null;
}

/** Busy CPU seconds of the whole machine so far (all cores), from /proc/stat. */
export function machineBusySeconds() {
  const text = readProc("/proc/stat");
  if (!text) return null;
  const [user, nice, system, , , irq, softirq, steal] = text.split("\n")[0].trim().split(/\s+/).slice(1).map(Number);
  return (user + nice + system + irq + softirq + steal) / clockTicks;
}

/**
 * Starts a CPU meter over a phase: the target's workerd, the load generator (autocannon in this
 * Node process, or wrk, its child; Miniflare's Node side is idle during load) and everything else.
 */
export function cpuMeter(workerdPid) {
  const start = {
    t: performance.now(),
    workerd: processCpuSeconds(workerdPid),
    workerdSystem: processSystemCpuSeconds(workerdPid),
    self: process.cpuUsage(),
    children: exitedChildrenCpuSeconds(),
    machine: machineBusySeconds(),
  };
  return () => {
    const seconds = (performance.now() - start.t) / 1000;
    const workerd = processCpuSeconds(workerdPid);
    const selfUsage = process.cpuUsage(start.self);
    // This process (autocannon runs in it) plus wrk, a child that has exited by now.
    const self = (selfUsage.user + selfUsage.system) / 1e6 + (exitedChildrenCpuSeconds() - start.children);
    const machine = machineBusySeconds();
    const workerdSeconds = workerd !== null && start.workerd !== null ? workerd - start.workerd : null;
    const machineSeconds = machine !== null && start.machine !== null ? machine - start.machine : null;
    // Children of this process other than the target's workerd (the other Workers, idle) count as "other" too.
    const other = machineSeconds !== null && workerdSeconds !== null ? Math.max(0, machineSeconds - workerdSeconds - self) : null;
    const system = processSystemCpuSeconds(workerdPid);
    const workerdSystemSeconds = system !== null && start.workerdSystem !== null ? system - start.workerdSystem : null;
    return {
      seconds,
      workerdCpuSeconds: workerdSeconds,
      workerdSystemCpuSeconds: workerdSystemSeconds,
      loadGeneratorCpuSeconds: self,
      otherCpuSeconds: other,
    };
  };
}

/** The installed version of a package as the bench resolves it: its own (bench/node_modules), else the product's. */
function packageVersion(name) {
  try {
    return JSON.parse(readFileSync(require.resolve(`${name}/package.json`), "utf8")).version;
  } catch {
    return null;
  }
}

export function workerdVersion() {
  try {
    const bin = require.resolve("workerd/bin/workerd", { paths: [ROOT] });
    return execFileSync(bin, ["--version"], { encoding: "utf8" }).trim();
  } catch {
    return null;
  }
}

export function machineInfo() {
  const cpuinfo = readProc("/proc/cpuinfo") ?? "";
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? cpus()[0]?.model ?? "unknown";
  return {
    cpuModel: model,
    logicalCpus: cpus().length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    kernel: readProc("/proc/sys/kernel/osrelease")?.trim() ?? process.platform,
    node: process.version,
    workerd: workerdVersion(),
    miniflare: packageVersion("miniflare"),
    wrangler: packageVersion("wrangler"),
    autocannon: packageVersion("autocannon"),
    sdk: packageVersion("@licensespring/node-sdk"),
    loadAverageAtStart: loadavg().map((n) => Math.round(n * 100) / 100),
  };
}

export function gitCommit() {
  try {
    const commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: ROOT, encoding: "utf8" }).trim();
    const dirty =
      execFileSync(
        "git",
        [
          "status",
          "--porcelain",
          "--",
          "src",
          "migrations",
          "schema.sql",
          "wrangler.toml",
          "bench",
          ":(exclude)bench/reports",
          "package.json",
        ],
        {
          cwd: ROOT,
          encoding: "utf8",
        },
      ).trim() !== "";
    return dirty ? `${commit}+changes` : commit;
  } catch {
    return null;
  }
}

export const wrkPath = () => {
  for (const dir of (process.env.PATH ?? "").split(":")) {
    if (dir && existsSync(join(dir, "wrk"))) return join(dir, "wrk");
  }
  return null;
};
