// Object restarts: consumptions accepted before a counter object is evicted or restarted are all
// still counted after it, and its audit outbox still drains.
import { abortAllDurableObjects, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { featureCounter } from "../../src/counter/counter-stubs";
import type { ConsumptionCounter } from "../../src/counter/consumption-counter";
import { auditRows, flushAudit } from "../support/audit";
import { consume, errorCode, signedBody } from "../support/client";
import { createApiKey, createFixture } from "../support/fixtures";

describe("counter object restarts", () => {
  it("restarting the object mid-load loses no accepted consumption and charges none twice", async () => {
    const credentials = await createApiKey();
    const fixture = await createFixture({ feature: { maxConsumption: 10_000 } });
    // Steady load: the isolate knows the key and the route. (abortAllDurableObjects also aborts
    // the local rate limiter's own object, which a cold burst would still be calling.)
    const first = (await signedBody<{ total_consumptions: number }>(await consume(fixture, credentials))).total_consumptions;
    expect(first).toBe(1);
    const inFlight = Array.from({ length: 150 }, (_, i) => consume(fixture, credentials, { consumptions: (i % 4) + 1 }));
    await Promise.all(inFlight.slice(0, 30));
    await abortAllDurableObjects();
    const late = Array.from({ length: 50 }, () => consume(fixture, credentials));
    const responses = await Promise.all([...inFlight, ...late]);

    // Calls that died with the object were retried by the Worker under the same request key:
    // every client got an answer, and none was charged twice.
    expect(responses.map((response) => response.status)).toEqual(responses.map(() => 200));
    const totals = await Promise.all(
      responses.map(async (response) => (await signedBody<{ total_consumptions: number }>(response)).total_consumptions),
    );
    const requested = [...Array.from({ length: 150 }, (_, i) => (i % 4) + 1), ...late.map(() => 1)];
    const expectedTotal = 1 + requested.reduce((sum, n) => sum + n, 0);
    expect(Math.max(...totals)).toBe(expectedTotal);
    expect(new Set(totals).size).toBe(200);

    await flushAudit(fixture.licenseFeatureId);
    const rows = await auditRows(fixture.licenseFeatureId);
    expect(rows).toHaveLength(201);
    expect(new Set(rows.map((row) => row.event_id)).size).toBe(201);
    expect(rows.reduce((sum, row) => sum + row.consumptions, 0)).toBe(expectedTotal);
    expect((await signedBody<{ total_consumptions: number }>(await consume(fixture, credentials))).total_consumptions).toBe(
      expectedTotal + 1,
    );
  });

  it("an evicted object keeps its total and its unsent audit rows, and sends them after restart", async () => {
    const credentials = await createApiKey();
    const fixture = await createFixture({ feature: { maxConsumption: 20 } });
    await signedBody(await consume(fixture, credentials, { consumptions: 3 }));
    await flushAudit(fixture.licenseFeatureId);
    // The queue refuses sends (injected at the object's binding), so rows pile up; then the object is evicted.
    await runInDurableObject(featureCounter(env, fixture.licenseFeatureId), (instance: ConsumptionCounter) => {
      const holder = instance as unknown as { env: Env };
      const refuse = () => Promise.reject(new Error("queue unavailable"));
      holder.env = { ...holder.env, AUDIT_QUEUE: { send: refuse, sendBatch: refuse } as unknown as Queue };
    });
    for (let i = 0; i < 4; i++) await signedBody(await consume(fixture, credentials, { consumptions: 3 }));
    await abortAllDurableObjects();
    const counter = featureCounter(env, fixture.licenseFeatureId); // stubs made before an abort are broken
    expect(await counter.pendingAuditRows()).toBe(4);
    // The retry alarm set before the eviction survives it; the restarted object (real queue) sends everything.
    expect(await runDurableObjectAlarm(counter)).toBe(true);
    expect(await counter.pendingAuditRows()).toBe(0);
    await flushAudit(fixture.licenseFeatureId);
    expect((await auditRows(fixture.licenseFeatureId)).map((row) => row.total_after)).toEqual([3, 6, 9, 12, 15]);
    // The total survived too: 15 of 20 used.
    expect(await errorCode(await consume(fixture, credentials, { consumptions: 6 }))).toBe("feature_not_enough_consumptions");
    expect(
      (await signedBody<{ total_consumptions: number }>(await consume(fixture, credentials, { consumptions: 5 }))).total_consumptions,
    ).toBe(20);
  });
});
