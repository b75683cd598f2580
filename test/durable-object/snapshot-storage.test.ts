// A counter object keeps its snapshot in its own storage (src/counter/snapshot-store.ts): after an
// eviction it decides with no D1 read; an invalidation marks the stored snapshot stale before it is
// acknowledged; the safety refresh counts from the stored read time; a snapshot read elsewhere (a
// seed) is taken only if it is not older than the last write the object was told of.
import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { ConsumptionCounter } from "../../src/counter/consumption-counter";
import { featureCounter, featureTarget, invalidateLicenseCounters } from "../../src/counter/counter-stubs";
import { readCounterSnapshot } from "../../src/db/counter-snapshot";
import { eventually } from "../support/audit";
import { consume, errorCode, signedBody } from "../support/client";
import { countObjectD1 } from "../support/counting";
import { createApiKey, createFixture, type Fixture } from "../support/fixtures";
import { manageOk, uniqueCode } from "../support/management-client";

afterEach(() => {
  vi.useRealTimers();
});

const total = async (response: Response) => (await signedBody<{ total_consumptions: number }>(response)).total_consumptions;
const counterOf = (fixture: Fixture) => featureCounter(env, fixture.licenseFeatureId);
const targetOf = (fixture: Fixture) => featureTarget(fixture.licenseId, fixture.licenseFeatureId);
/** A change straight to D1, as an operator's hand edit: no counter object is told. */
const disableInD1 = (fixture: Fixture) => env.DB.prepare("UPDATE licenses SET enabled = 0 WHERE id = ?").bind(fixture.licenseId).run();

describe("the snapshot survives an eviction", () => {
  it("an evicted object decides with its stored snapshot: no D1 statement", async () => {
    const credentials = await createApiKey();
    const fixture = await createFixture({ feature: { maxConsumption: 100 } });
    expect(await total(await consume(fixture, credentials))).toBe(1);
    await evictDurableObject(counterOf(fixture));
    const inObject = await countObjectD1(counterOf(fixture)); // a new instance
    expect(await total(await consume(fixture, credentials))).toBe(2);
    expect(inObject.statements).toBe(0);
  });

  it("an invalidation wakes an evicted object and marks its stored snapshot stale before it is acknowledged: the next instance reads D1", async () => {
    const credentials = await createApiKey();
    const fixture = await createFixture({ feature: { maxConsumption: 100 } });
    await signedBody(await consume(fixture, credentials));
    await disableInD1(fixture);
    await evictDurableObject(counterOf(fixture));
    // Not told: the stored snapshot is what the object decides with (the safety refresh catches such edits).
    expect(await total(await consume(fixture, credentials))).toBe(2);
    await evictDurableObject(counterOf(fixture)); // asleep: the invalidation wakes it to mark its storage
    await counterOf(fixture).invalidate();
    await evictDurableObject(counterOf(fixture));
    const inObject = await countObjectD1(counterOf(fixture));
    expect(await errorCode(await consume(fixture, credentials))).toBe("license_not_enabled");
    expect(inObject.statements).toBeGreaterThan(0);
  });

  it("rows stored by other statements (another shape) are not used", async () => {
    const credentials = await createApiKey();
    const fixture = await createFixture({ feature: { maxConsumption: 100 } });
    await signedBody(await consume(fixture, credentials));
    await runInDurableObject(counterOf(fixture), (_instance: ConsumptionCounter, state) => {
      state.storage.sql.exec("UPDATE snapshot SET shape = 'older statements'");
    });
    await evictDurableObject(counterOf(fixture));
    const inObject = await countObjectD1(counterOf(fixture));
    expect(await total(await consume(fixture, credentials))).toBe(2);
    expect(inObject.statements).toBeGreaterThan(0);
  });

  it("the safety refresh counts from the stored read time, not from the object's start", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const start = Date.parse("2026-11-23T12:00:00Z");
    vi.setSystemTime(new Date(start));
    const credentials = await createApiKey();
    const fixture = await createFixture({ feature: { maxConsumption: 100 } });
    await signedBody(await consume(fixture, credentials));
    await disableInD1(fixture);
    vi.setSystemTime(new Date(start + 9 * 60_000));
    await evictDurableObject(counterOf(fixture));
    expect(await total(await consume(fixture, credentials))).toBe(2); // a new instance, the stored snapshot: 9 minutes old
    vi.setSystemTime(new Date(start + 10 * 60_000 + 1000));
    await evictDurableObject(counterOf(fixture));
    expect(await total(await consume(fixture, credentials))).toBe(3); // served, and a background read starts
    await eventually(async () => (await consume(fixture, credentials)).status === 400, "the refreshed snapshot to refuse", 5_000);
    expect(await errorCode(await consume(fixture, credentials))).toBe("license_not_enabled");
  });
});

describe("seeds: a snapshot read by the caller", () => {
  it("a new object takes a seed and reads nothing from D1; without one it reads", async () => {
    const seeded = await createFixture({ feature: { maxConsumption: 100 } });
    const seed = await readCounterSnapshot(env.DB, seeded.licenseId);
    const inSeeded = await countObjectD1(counterOf(seeded));
    expect(await counterOf(seeded).state(targetOf(seeded), undefined, seed)).toMatchObject({ total: 0 });
    expect(inSeeded.statements).toBe(0);

    const unseeded = await createFixture({ feature: { maxConsumption: 100 } });
    const inUnseeded = await countObjectD1(counterOf(unseeded));
    expect(await counterOf(unseeded).state(targetOf(unseeded))).toMatchObject({ total: 0 });
    expect(inUnseeded.statements).toBeGreaterThan(0);
  });

  it("a seed read before a write never wins over it, even when it arrives after the invalidation and an eviction", async () => {
    const credentials = await createApiKey();
    const fixture = await createFixture({ feature: { maxConsumption: 100 } });
    const other = await createFixture();
    await signedBody(await consume(fixture, credentials));
    const before = await readCounterSnapshot(env.DB, fixture.licenseId); // read before the write
    await disableInD1(fixture);
    // The write tells the objects (two licenses at once: no seed comes with it), then the object restarts.
    await invalidateLicenseCounters(env, [fixture.licenseId, other.licenseId]);
    await evictDurableObject(counterOf(fixture));
    const inObject = await countObjectD1(counterOf(fixture));
    await counterOf(fixture).state(targetOf(fixture), undefined, before); // the old seed arrives late: refused
    expect(inObject.statements).toBeGreaterThan(0); // the object read D1 instead
    expect(await errorCode(await consume(fixture, credentials))).toBe("license_not_enabled");

    // A seed read after the write is taken.
    const after = await readCounterSnapshot(env.DB, fixture.licenseId);
    await counterOf(fixture).invalidate({ target: targetOf(fixture), writeVersion: 99 }); // a later write the seed predates
    await evictDurableObject(counterOf(fixture));
    const again = await countObjectD1(counterOf(fixture));
    await counterOf(fixture).state(targetOf(fixture), undefined, after);
    expect(again.statements).toBeGreaterThan(0); // write version below 99: refused too
  });

  it("a license issued through the management API starts its objects with it: none reads D1 for it", async () => {
    const product = await manageOk("POST", "/api/v1/products", { short_code: uniqueCode("seeded"), name: "Seeded" });
    await manageOk("POST", `/api/v1/products/${product.id}/features`, { code: "units", name: "Units", max_consumption: 10 });
    const issued = await manageOk("POST", "/api/v1/licenses", { product_id: product.id });
    const feature = issued.features.find((f: { code: string }) => f.code === "units");
    await evictDurableObject(featureCounter(env, feature.id));
    const inObject = await countObjectD1(featureCounter(env, feature.id));
    expect(await featureCounter(env, feature.id).state(featureTarget(issued.id, feature.id))).toMatchObject({ total: 0 });
    expect(inObject.statements).toBe(0);
  });

  it("the write that invalidates passes its own read along: the objects decide with it, no D1 read of theirs", async () => {
    const credentials = await createApiKey();
    const fixture = await createFixture({ feature: { maxConsumption: 100 } });
    await signedBody(await consume(fixture, credentials));
    await disableInD1(fixture);
    await invalidateLicenseCounters(env, fixture.licenseId); // one license: its snapshot travels with the invalidation
    await evictDurableObject(counterOf(fixture));
    const inObject = await countObjectD1(counterOf(fixture));
    expect(await errorCode(await consume(fixture, credentials))).toBe("license_not_enabled");
    expect(inObject.statements).toBe(0);
  });
});
