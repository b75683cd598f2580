// Starting what a bench mode needs: the service (built and started from wrangler.toml, migrated,
// seeded) and the reference Workers, each in its own workerd process, all behind the same entry
// (bench/workers/harness.js with the run's poll mode and far delays), and a smoke check of each.
import { createVerify } from "node:crypto";
import { join } from "node:path";
import { generateSigningKeyPair, randomCredentials } from "../../scripts/local-setup.mjs";
import { HOT, SPREAD_COUNT, consumptionBody, signer } from "./fixture.mjs";
import { PATH } from "./load.mjs";
import { startSeededService } from "./service.mjs";
import { buildService, serviceConfig, startReferenceWorker } from "./targets.mjs";

/** The reference Workers (bench/workers/), by key. */
export const REFERENCE = {
  floor: { name: "runtime-floor", file: "constant.js", label: "runtime floor (constant response)", short: "runtime floor" },
  crypto: { name: "crypto-floor", file: "crypto-floor.js", label: "crypto floor (HMAC verify + RSA-2048 sign)", short: "crypto floor" },
  design: {
    name: "design-floor",
    file: "design-floor.js",
    label: "design floor (HMAC + one Durable Object transaction + RSA-2048; the service's [assets] and one queue send per consumption)",
    short: "design floor",
  },
};

/**
 * Builds and starts the service and the reference Workers listed in `references` (keys of
 * REFERENCE). Everything started is pushed onto `started` (disposed by the caller, whatever happens).
 * @param {{ workDir: string, harness: import("../workers/harness.js").HarnessOptions, references: Array<keyof typeof REFERENCE>, started: Array<{ dispose(): Promise<unknown> }>, inspectorPort?: number, log: (...args: unknown[]) => void }} options
 */
export async function startTargets({ workDir, harness, references, started, inspectorPort, log }) {
  const config = serviceConfig();
  const build = buildService(join(workDir, "build"));
  log(
    `built the service with wrangler deploy --dry-run; wrangler.toml: compatibility_date ${config.compatibilityDate}, D1 ${config.d1Binding}, counter objects ${config.counterBinding}` +
      (config.queues.producers.length || config.queues.consumers.length
        ? `, queues: producers ${config.queues.producers.join(", ") || "none"}, consumers ${config.queues.consumers.join(", ") || "none"}`
        : ""),
  );
  const keys = generateSigningKeyPair();
  const credentials = randomCredentials();
  const sign = signer(credentials);
  // A second API key, for requests that must not leave the measured key in an isolate's memory.
  const otherCredentials = randomCredentials();
  /** @type {Record<string, Awaited<ReturnType<typeof startReferenceWorker>>>} */
  const workers = {};
  for (const key of references) {
    const ref = REFERENCE[key];
    const worker = await startReferenceWorker({
      name: ref.name,
      file: ref.file,
      workDir,
      config,
      harness,
      bindings: key === "floor" ? {} : { SHARED_KEY: credentials.sharedKey, LICENSE_SIGNING_KEY: keys.privateKey },
      durableObjects: key === "design" ? { DESIGN_COUNTER: "DesignCounter" } : {},
      persistDir: join(workDir, `state-${ref.name}`),
      runtime: key === "design",
    });
    started.push(worker);
    workers[key] = worker;
  }
  const seeded = await startSeededService({ workDir, build, config, harness, keys, credentials, otherCredentials, inspectorPort });
  started.push(seeded.service);
  log(
    [
      ...references.map((key) => `${REFERENCE[key].short} ${workers[key]?.url.origin} (pid ${workers[key]?.pid})`),
      `service ${seeded.service.url.origin} (pid ${seeded.service.pid})`,
    ].join(" · "),
  );
  log(
    `D1 migrated and seeded: 1 hot feature (unlimited), ${SPREAD_COUNT} licenses × 1 metered feature + device, 1 license for the one-at-a-time runs`,
  );
  log(
    `every Worker behind the bench entry: poll ${harness.poll}${harness.poll === "gate" ? ` (${harness.gateMs} ms)` : ""}${harness.far ? `, far: D1 +${harness.far.d1Ms} ms, Durable Objects +${harness.far.durableObjectMs} ms, Queue sends +${harness.far.queueMs} ms, Cache API +${harness.far.cacheMs ?? 0} ms per call` : ""}`,
  );
  return {
    config,
    build,
    keys,
    credentials,
    sign,
    signOther: signer(otherCredentials),
    workers,
    service: seeded.service,
    db: seeded.db,
  };
}

/**
 * Every Worker answers a signed request with 200 and (except the runtime floor) a LicenseSignature
 * that verifies with the public key; the service's body is the real thing. Returns how many
 * consumptions this added on the service's hot feature.
 * @param {{ targets: Array<{ name: string, url: URL }>, runtimeFloor?: { url: URL } | undefined, sign: () => Record<string, string>, publicKey: string }} input
 */
export async function smokeCheck({ targets, runtimeFloor, sign, publicKey }) {
  const body = consumptionBody(HOT);
  for (const target of targets) {
    const response = await fetch(target.url.origin + PATH, {
      method: "POST",
      headers: { "Content-Type": "application/json", ...sign() },
      body,
    });
    const text = await response.text();
    const signature = response.headers.get("LicenseSignature") ?? "";
    const verifies = createVerify("sha256").update(text).verify(publicKey, signature, "base64");
    if (response.status !== 200 || !verifies)
      throw new Error(`${target.name} smoke check failed: ${response.status} ${text} (signature verifies: ${verifies})`);
  }
  if (runtimeFloor) {
    const check = await fetch(runtimeFloor.url.origin + PATH, { method: "POST", body });
    if (check.status !== 200) throw new Error(`runtime floor smoke check failed: ${check.status}`);
  }
}

/** The bench entry's counters of one Worker (bench/workers/harness.js), optionally reset. @param {URL} url */
export async function harnessStats(url, reset = false) {
  const response = await fetch(new URL(`/__bench/harness${reset ? "?reset=1" : ""}`, url));
  if (!response.ok) throw new Error(`${url.origin}/__bench/harness: ${response.status}`);
  return /** @type {HarnessStats} */ (await response.json());
}

/**
 * @typedef {{ requests: number, responses: Record<string, number>, thrown: number, held: number, polls: number,
 *   bindingCalls: Record<"worker" | "objects", { d1: number, durableObject: number, queue: number, cache?: number }>, bindings: Record<string, string>,
 *   pollDelaySumMs: number, pollDelayMaxMs: number, pollDelayBuckets: number[], bucketsMs: number[], probePendingMs: number | null, cacheLocalMs?: number }} HarnessStats
 */

/**
 * Binding calls per request answered, by caller and kind (e.g. "Worker: D1 1.00, DO 1.00; objects: D1 0.31").
 * @param {HarnessStats} stats
 */
export function callsPerRequest(stats) {
  const n = Math.max(1, stats.requests);
  const per = (/** @type {number} */ calls) => Math.round((calls / n) * 100) / 100;
  const { worker, objects } = stats.bindingCalls;
  return {
    workerD1: per(worker.d1),
    workerDurableObject: per(worker.durableObject),
    workerQueue: per(worker.queue),
    workerCache: per(worker.cache ?? 0),
    /** ms per request inside the local Cache API (not the far delay): Miniflare's share of a cache call. */
    cacheLocalMs: per(stats.cacheLocalMs ?? 0),
    objectsD1: per(objects.d1),
    objectsDurableObject: per(objects.durableObject),
    objectsQueue: per(objects.queue),
  };
}

/** p99 of the poll-delay histogram: the bucket's upper bound (ms); null without polls. @param {HarnessStats} stats */
export function pollDelayP99(stats) {
  const total = stats.pollDelayBuckets.reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  let seen = 0;
  for (let i = 0; i < stats.pollDelayBuckets.length; i++) {
    seen += stats.pollDelayBuckets[i] ?? 0;
    if (seen >= total * 0.99) return stats.bucketsMs[i] ?? stats.pollDelayMaxMs;
  }
  return stats.pollDelayMaxMs;
}
