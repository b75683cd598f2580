// Load generators: autocannon (npm, in this process) or wrk (if installed), closed-loop, a fixed
// number of keep-alive connections, one request in flight per connection (no pipelining), and
// plain sequential clients (node:http, and the official SDK) for one-at-a-time latency.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { Agent, request as httpRequest } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";

export const PATH = "/api/v4/add_feature_consumption";

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export function latencySummary(samplesMs) {
  const sorted = Float64Array.from(samplesMs).sort();
  const sum = sorted.reduce((a, b) => a + b, 0);
  const round = (n) => (n === null ? null : Math.round(n * 1000) / 1000);
  return {
    samples: sorted.length,
    p50: round(percentile(sorted, 50)),
    p90: round(percentile(sorted, 90)),
    p99: round(percentile(sorted, 99)),
    max: round(sorted.length ? sorted[sorted.length - 1] : null),
    mean: round(sorted.length ? sum / sorted.length : null),
  };
}

/**
 * One closed-loop load run with autocannon. `bodies` rotate globally over all connections (one
 * shared cursor), so the spread case has the connections on different features at any moment.
 * `headers()` gives the current signed headers (re-signed once per second). Latencies are taken
 * from autocannon's per-response hrtime (2xx only, as autocannon does), not from its 1 ms histogram.
 */
/**
 * @param {{ url: URL, connections: number, durationS?: number, amount?: number, bodies: string[], headers: () => Record<string, string> }} options
 */
export function runAutocannon({ url, connections, durationS, amount, bodies, headers }) {
  let cursor = 0;
  const latencies = [];
  const statusCodes = {};
  const errorCodes = {};
  const errorTimes = [];
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: url.origin,
        connections,
        pipelining: 1,
        timeout: 10,
        ...(amount ? { amount } : { duration: durationS }),
        requests: [
          {
            method: "POST",
            path: PATH,
            setupRequest: (req) => {
              const body = bodies[cursor];
              cursor = (cursor + 1) % bodies.length;
              return { ...req, headers: { "Content-Type": "application/json", ...headers() }, body };
            },
          },
        ],
      },
      (error, result) => {
        if (error) return reject(error);
        const ok = result["2xx"];
        const durationSeconds = result.duration;
        resolve({
          loadGenerator: "autocannon",
          connections,
          durationS: durationSeconds,
          requests: ok + result.non2xx,
          ok,
          non2xx: result.non2xx,
          // autocannon counts a timeout as an error too; here errors are the other socket errors.
          errors: result.errors - result.timeouts,
          timeouts: result.timeouts,
          rps: durationSeconds > 0 ? ok / durationSeconds : 0,
          latency: latencySummary(latencies),
          statusCodes,
          errorCodes,
          errorTimes,
        });
      },
    );
    const startedAt = performance.now();
    instance.on("reqError", (error) => {
      const code = error?.code ?? error?.message ?? String(error);
      errorCodes[code] = (errorCodes[code] ?? 0) + 1;
      // When in the run (seconds), for the first few: tells a burst at start from one at the end.
      errorTimes.length < 5 && errorTimes.push(Math.round((performance.now() - startedAt) / 10) / 100);
    });
    instance.on("response", (_client, statusCode, _bytes, responseTimeMs) => {
      statusCodes[statusCode] = (statusCodes[statusCode] ?? 0) + 1;
      if (statusCode >= 200 && statusCode < 300) latencies.push(responseTimeMs);
    });
  });
}

const luaString = (text) => `"${text.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;

/**
 * The same run with wrk (C, far lighter than autocannon on a 2-core machine). wrk's headers are
 * static, so the request is signed once when the run starts (valid: the server accepts a Date up
 * to 15 minutes old). Bodies rotate in a Lua request() hook; each wrk thread starts at its own offset.
 */
/**
 * @param {{ wrk: string, url: URL, connections: number, durationS: number, bodies: string[], headers: () => Record<string, string>, threads?: number }} options
 */
export async function runWrk({ wrk, url, connections, durationS, bodies, headers, threads = 1 }) {
  const dir = mkdtempSync(join(tmpdir(), "bench-wrk-"));
  try {
    const out = join(dir, "result.json");
    const signed = headers();
    const script = `
local bodies = { ${bodies.map(luaString).join(",\n")} }
local cursor = 0
local counter = 0
function setup(thread)
  thread:set("start", counter * math.floor(#bodies / ${threads}))
  counter = counter + 1
end
function init(args)
  cursor = tonumber(start) or 0
end
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Date"] = ${luaString(signed.Date)}
wrk.headers["Authorization"] = ${luaString(signed.Authorization)}
function request()
  cursor = cursor % #bodies + 1
  return wrk.format(nil, ${luaString(PATH)}, nil, bodies[cursor])
end
function done(summary, latency, requests)
  local f = io.open(${luaString(out)}, "w")
  f:write(string.format('{"requests":%d,"duration_us":%d,"status":%d,"connect":%d,"read":%d,"write":%d,"timeout":%d,"p50":%d,"p90":%d,"p99":%d,"max":%d,"mean":%f}',
    summary.requests, summary.duration, summary.errors.status, summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
  f:close()
end
`;
    const scriptFile = join(dir, "bench.lua");
    writeFileSync(scriptFile, script);
    await new Promise((resolve, reject) => {
      execFile(
        wrk,
        ["-t", String(threads), "-c", String(connections), "-d", `${durationS}s`, "--timeout", "10s", "-s", scriptFile, url.origin + PATH],
        { maxBuffer: 1 << 20 },
        (error, stdout, stderr) => (error ? reject(new Error(`wrk failed: ${error.message}\n${stderr}`)) : resolve(stdout)),
      );
    });
    const r = JSON.parse(readFileSync(out, "utf8"));
    const ms = (us) => Math.round(us) / 1000;
    const durationSeconds = r.duration_us / 1e6;
    const ok = r.requests - r.status;
    return {
      loadGenerator: "wrk",
      connections,
      durationS: durationSeconds,
      requests: r.requests,
      ok,
      non2xx: r.status,
      errors: r.connect + r.read + r.write,
      timeouts: r.timeout,
      rps: ok / durationSeconds,
      // wrk's histogram covers every response (2xx or not); with zero errors that is the same thing.
      latency: { samples: r.requests, p50: ms(r.p50), p90: ms(r.p90), p99: ms(r.p99), max: ms(r.max), mean: ms(r.mean) },
      statusCodes: null,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * One request at a time over one keep-alive connection (node:http, as axios uses), N times: a POST
 * of each body in turn to add_feature_consumption, or, with `get`, a GET of that path (check_license).
 * @param {{ url: URL, count: number, bodies?: string[], get?: string, headers: () => Record<string, string> }} options
 */
export async function runSequential({ url, count, bodies = [], get, headers }) {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const latencies = [];
  const statusCodes = {};
  let ok = 0;
  let errors = 0;
  const started = performance.now();
  try {
    for (let i = 0; i < count; i++) {
      const body = get === undefined ? bodies[i % bodies.length] : undefined;
      const t0 = performance.now();
      try {
        const status = await new Promise((resolve, reject) => {
          const req = httpRequest(
            url.origin + (get ?? PATH),
            {
              method: get === undefined ? "POST" : "GET",
              agent,
              headers:
                body === undefined
                  ? headers()
                  : { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body), ...headers() },
            },
            (res) => {
              res.on("data", () => {});
              res.on("end", () => resolve(res.statusCode));
              res.on("error", reject);
            },
          );
          req.on("error", reject);
          req.end(body);
        });
        statusCodes[status] = (statusCodes[status] ?? 0) + 1;
        if (status >= 200 && status < 300) {
          ok++;
          latencies.push(performance.now() - t0);
        }
      } catch {
        errors++;
      }
    }
  } finally {
    agent.destroy();
  }
  const durationS = (performance.now() - started) / 1000;
  return {
    client: "node:http",
    requests: count,
    ok,
    non2xx: count - ok - errors,
    errors,
    durationS,
    rps: ok / durationS,
    latency: latencySummary(latencies),
    statusCodes,
  };
}

/** The official SDK's call path: LicenseAPI.addFeatureConsumption, one call at a time, N times. */
export async function runSdk({ api, count, args }) {
  const latencies = [];
  const failures = {};
  let ok = 0;
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    const t0 = performance.now();
    try {
      await api.addFeatureConsumption(args);
      ok++;
      latencies.push(performance.now() - t0);
    } catch (error) {
      const code = /** @type {any} */ (error)?.code ?? String(/** @type {any} */ (error)?.message ?? error);
      failures[code] = (failures[code] ?? 0) + 1;
    }
  }
  const durationS = (performance.now() - started) / 1000;
  const errors = count - ok;
  return {
    client: "@licensespring/node-sdk",
    requests: count,
    ok,
    non2xx: errors,
    errors: 0,
    durationS,
    rps: ok / durationS,
    latency: latencySummary(latencies),
    failures,
  };
}
