/**
 * How callers reach a counter: one ConsumptionCounter object per license feature and per license.
 * Also the retry that makes a consumption safe to resend (src/license-api/idempotency.ts), and
 * the invalidation every license-level write runs before it answers (docs/architecture.md "What each layer remembers").
 */
import { snapshotReadOf, snapshotStatements } from "../db/counter-snapshot";
import type { License, LicenseFeature } from "../db/license-context";
import type { ConsumptionCounter } from "./consumption-counter";
import type { CounterTarget, SnapshotRead } from "./snapshot";
import type { ConsumeOutcome, ConsumeRequest, CounterState } from "./types";

/** Pauses before each retry: a reset object is usually back within milliseconds. */
const RETRY_DELAYS_MS = [0, 25, 100, 250];

// Object ids are derived from names with a hash: computed once per isolate and counter.
const ids = new Map<string, DurableObjectId>();
const MAX_IDS = 50_000;

export function counterName(target: CounterTarget): string {
  return target.licenseFeatureId === null ? `license:${target.licenseId}` : `feature:${target.licenseFeatureId}`;
}

export function counterStub(env: Env, target: CounterTarget): DurableObjectStub<ConsumptionCounter> {
  const name = counterName(target);
  let id = ids.get(name);
  if (!id) {
    id = env.CONSUMPTION_COUNTER.idFromName(name);
    if (ids.size >= MAX_IDS) ids.clear();
    ids.set(name, id);
  }
  return env.CONSUMPTION_COUNTER.get(id);
}

/** The stub of a license feature's counter (its name needs only the feature's id). */
export const featureCounter = (env: Env, licenseFeatureId: number) => counterStub(env, { licenseId: 0, licenseFeatureId });
/** The stub of a license's own counter. */
export const licenseCounter = (env: Env, licenseId: number) => counterStub(env, licenseTarget(licenseId));

export const featureTarget = (licenseId: number, licenseFeatureId: number): CounterTarget => ({ licenseId, licenseFeatureId });
export const licenseTarget = (licenseId: number): CounterTarget => ({ licenseId, licenseFeatureId: null });

/**
 * Live totals (after any due periodic reset) of a license's consumption features, asked of their
 * objects in parallel; `seed`, the license's snapshot the caller holds, spares an object without
 * one its own D1 read.
 */
export async function liveFeatureStates(
  env: Env,
  licenseId: number,
  features: Array<LicenseFeature & { id: number }>,
  productVersion?: number,
  seed?: SnapshotRead,
): Promise<Map<number, CounterState>> {
  const consumption = features.filter((feature) => feature.featureType === "consumption");
  const states = await Promise.all(
    consumption.map((feature) =>
      counterStub(env, featureTarget(licenseId, feature.id)).state(featureTarget(licenseId, feature.id), productVersion, seed),
    ),
  );
  return new Map(consumption.map((feature, i) => [feature.id, states[i]!]));
}

/** The live license-level total, for consumption licenses. */
export async function liveLicenseState(
  env: Env,
  license: License,
  productVersion?: number,
  seed?: SnapshotRead,
): Promise<CounterState | null> {
  if (license.licenseType !== "consumption") return null;
  return counterStub(env, licenseTarget(license.id)).state(licenseTarget(license.id), productVersion, seed);
}

/**
 * Calls `consume` on the counter, retrying with a fresh stub when the call fails (the object was
 * reset, evicted, moved, or the connection broke), up to 4 attempts over about 400 ms. Safe whatever
 * the failure: the request key makes consume idempotent, so an attempt that had committed is
 * answered from its stored outcome instead of charging again (retries say so, so the object looks
 * the key up). An overloaded object is not retried (that would add to its load); the error goes
 * to the client, which may retry later with its own key.
 */
export async function consumeWithRetry(env: Env, request: ConsumeRequest): Promise<ConsumeOutcome> {
  return withStubRetries<ConsumeOutcome>(
    async (attempt) => await counterStub(env, request.target).consume(attempt === 0 ? request : { ...request, retry: true }),
    (error) => !(typeof error === "object" && error !== null && (error as { overloaded?: unknown }).overloaded === true),
  );
}

/**
 * Makes `call` (one call on a fresh counter stub) up to 4 times over about 400 ms, for calls that
 * are safe to repeat (idempotent, or keyed as consume is), while `retryable` says the error is
 * worth another attempt.
 */
export async function withStubRetries<T>(
  call: (attempt: number) => Promise<T>,
  retryable: (error: unknown) => boolean = () => true,
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await call(attempt);
    } catch (error) {
      const delay = RETRY_DELAYS_MS[attempt + 1];
      if (!retryable(error) || delay === undefined) throw error;
      await scheduler.wait(delay);
    }
  }
}

/**
 * Tells every counter object of the license that it changed, so the next request is decided under
 * what D1 holds now. Call it after a license-level write committed and before answering; it
 * resolves once every object has acknowledged (each has then marked its stored snapshot stale).
 *
 * One D1 batch (one transaction) raises each license's write version, finds its license features
 * and, for a single license, reads its snapshot after the raise: each object is told the new
 * version, so it refuses any snapshot read before the write, and takes the one read here, so it
 * needs no D1 read of its own. Objects that never ran are created with it. A write that has a batch
 * of its own runs `licenseChangeStatements` at its end instead, then `tellLicenseCounters`.
 */
export async function invalidateLicenseCounters(env: Env, licenseIds: number | readonly number[]): Promise<void> {
  const change = licenseChangeStatements(env.DB, licenseIds);
  if (change.statements.length === 0) return;
  await tellLicenseCounters(env, change, await env.DB.batch(change.statements));
}

/** The statements of a license-level change (see invalidateLicenseCounters), to end a write's batch with. */
export function licenseChangeStatements(db: D1Database, licenseIds: number | readonly number[]) {
  const licenses = [...new Set(typeof licenseIds === "number" ? [licenseIds] : licenseIds)];
  // One JSON parameter, not one per license: D1 binds at most 100 values per statement.
  const ids = JSON.stringify(licenses);
  const statements =
    licenses.length === 0
      ? []
      : [
          db
            .prepare(
              "UPDATE licenses SET write_version = write_version + 1 WHERE id IN (SELECT value FROM json_each(?)) RETURNING id, write_version",
            )
            .bind(ids),
          db.prepare("SELECT id, license_id FROM license_features WHERE license_id IN (SELECT value FROM json_each(?))").bind(ids),
          ...(licenses.length === 1 ? snapshotStatements(db, licenses[0]!) : []),
        ];
  return { licenses, statements, readAt: Date.now() };
}

/**
 * Tells the license's objects, from what `licenseChangeStatements` answered (`results`: their
 * results, in order, at the end of the batch that ran them). Answers the snapshot read after the
 * change (a single license), for the caller's own answer.
 */
export async function tellLicenseCounters(
  env: Env,
  change: ReturnType<typeof licenseChangeStatements>,
  results: D1Result[],
): Promise<SnapshotRead | undefined> {
  const [versions, features, ...snapshot] = results.slice(-change.statements.length);
  const writeVersions = new Map(
    (versions!.results as Array<{ id: number; write_version: number }>).map((row) => [row.id, row.write_version]),
  );
  const seed = snapshot.length > 0 ? snapshotReadOf(snapshot, change.readAt) : undefined;
  const targets = [
    ...change.licenses.map(licenseTarget),
    ...(features!.results as Array<{ id: number; license_id: number }>).map((row) => featureTarget(row.license_id, row.id)),
  ].filter((target) => writeVersions.has(target.licenseId));
  await Promise.all(
    targets.map((target) => invalidateWithRetry(env, target, { target, writeVersion: writeVersions.get(target.licenseId)!, seed })),
  );
  return seed;
}

async function invalidateWithRetry(
  env: Env,
  target: CounterTarget,
  change: Parameters<ConsumptionCounter["invalidate"]>[0],
): Promise<void> {
  await withStubRetries(async () => {
    await counterStub(env, target).invalidate(change);
  });
}
