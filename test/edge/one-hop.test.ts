// The central promise, measured by instrumentation (no timing): at steady state an
// add_feature_consumption makes exactly one remote call (the counter object) and no D1 statement,
// in the Worker or in the object; under spread load D1 sees at most one write transaction per 20
// accepted consumptions (the audit queue's consumer batches them).
import { createExecutionContext, runInDurableObject, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { auditWrites } from "../../src/audit/audit-consumer";
import type { ConsumptionCounter } from "../../src/counter/consumption-counter";
import { featureCounter } from "../../src/counter/counter-stubs";
import worker from "../../src/index";
import { eventually, flushAudit } from "../support/audit";
import { consume, signedBody } from "../support/client";
import { countObjectD1, instrumentedEnv } from "../support/counting";
import { createApiKey, createFixture, type Credentials, type Fixture } from "../support/fixtures";
import { authHeaders } from "../support/signing";

async function consumeThrough(testEnv: Env, fixture: Fixture, credentials: Credentials): Promise<Response> {
  const ctx = createExecutionContext();
  const request = new Request("http://license.test/api/v4/add_feature_consumption", {
    method: "POST",
    headers: { ...(await authHeaders(credentials)), "Content-Type": "application/json" },
    body: JSON.stringify({ ...fixture.identity, feature: fixture.featureCode, consumptions: 1 }),
  });
  const response = await worker.fetch(request as Request<unknown, IncomingRequestCfProperties>, testEnv, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

beforeEach(() => {
  // A frozen clock: no cached entry reaches its refresh age during the measurement.
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(new Date("2026-11-23T12:00:00Z"));
});
afterEach(() => {
  vi.useRealTimers();
});

describe("add_feature_consumption at steady state", () => {
  it("makes one remote call (the counter object) and runs no D1 statement, in the Worker or in the object", async () => {
    const credentials = await createApiKey();
    const fixture = await createFixture({ feature: { maxConsumption: 1000 } });
    const warm = instrumentedEnv();
    await signedBody(await consumeThrough(warm.env, fixture, credentials)); // warms this isolate's caches and the object's snapshot
    expect(warm.calls.counter).toBe(1);
    expect(warm.d1.statements).toBeGreaterThan(0); // the first request did read D1

    // Count what the object itself sends to D1 from now on.
    const inObject = await countObjectD1(featureCounter(env, fixture.licenseFeatureId));

    const measured = instrumentedEnv();
    const requests = 25;
    for (let i = 0; i < requests; i++) {
      const body = await signedBody<{ total_consumptions: number }>(await consumeThrough(measured.env, fixture, credentials));
      expect(body.total_consumptions).toBe(i + 2);
    }
    expect(measured.d1.statements).toBe(0);
    expect(measured.calls.counter).toBe(requests);
    expect(measured.calls.queue).toBe(0);
    expect(inObject.statements).toBe(0);
  });

  it("an unknown license, product or feature is answered from D1 and reaches no counter object", async () => {
    const credentials = await createApiKey();
    const fixture = await createFixture();
    const unknown = [
      { ...fixture, identity: { ...fixture.identity, license_key: "NO-SUCH-KEY" } },
      { ...fixture, identity: { ...fixture.identity, product: "no-such-product" } },
      { ...fixture, featureCode: "no-such-feature" },
    ];
    const probe = instrumentedEnv();
    const codes = [];
    for (const target of unknown)
      codes.push(((await (await consumeThrough(probe.env, target, credentials)).json()) as { code: string }).code);
    expect(codes).toEqual(["license_not_found", "unknown_product", "unsupported_product_feature"]);
    expect(probe.calls.counter).toBe(0);
  });

  it("a route learned for one company's key is not used for another company's key: answered as a product that does not exist", async () => {
    const owner = await createApiKey();
    const stranger = await createApiKey({ companyId: 99 });
    const fixture = await createFixture({ feature: { maxConsumption: 1000 } });
    await signedBody(await consumeThrough(instrumentedEnv().env, fixture, owner)); // this isolate now knows the route
    const elsewhere = { ...fixture, identity: { ...fixture.identity, product: "no-such-product" } };
    await (await consumeThrough(instrumentedEnv().env, elsewhere, stranger)).text(); // this isolate now knows the stranger's key
    const probe = instrumentedEnv();
    const foreign = await consumeThrough(probe.env, fixture, stranger);
    const missing = await consumeThrough(probe.env, elsewhere, stranger);
    expect(foreign.status).toBe(400);
    expect(await foreign.text()).toBe(await missing.text());
    expect(probe.calls.counter).toBe(0);
    expect(probe.d1.batches).toBe(2); // one read each, the same path
  });

  it("requests from unknown devices write nothing in the counter object", async () => {
    const credentials = await createApiKey();
    const fixture = await createFixture({ feature: { maxConsumption: 1000 } });
    await signedBody(await consume(fixture, credentials));
    const stored = () =>
      runInDurableObject(
        featureCounter(env, fixture.licenseFeatureId),
        (_instance: ConsumptionCounter, state) =>
          state.storage.sql.exec<{ n: number }>("SELECT (SELECT COUNT(*) FROM requests) + (SELECT COUNT(*) FROM outbox) AS n").one().n,
      );
    const before = await stored();
    for (let i = 0; i < 30; i++) {
      const response = await consume({ ...fixture, identity: { ...fixture.identity, hardware_id: `stranger-${i}` } }, credentials);
      expect(((await response.json()) as { code: string }).code).toBe("device_not_found");
    }
    expect(await stored()).toBe(before);
  });
});

describe("audit writes under spread load", () => {
  it("D1 sees at most one write transaction per 20 accepted consumptions", async () => {
    vi.useRealTimers();
    const credentials = await createApiKey();
    const fixtures: Fixture[] = [];
    for (let i = 0; i < 60; i++) fixtures.push(await createFixture({ feature: { maxConsumption: 1000 } }));
    // Warm: every object exists and its first rows are written, so the measured window is steady state.
    for (const fixture of fixtures) await signedBody(await consume(fixture, credentials));
    for (const fixture of fixtures) await flushAudit(fixture.licenseFeatureId);

    const before = { ...auditWrites };
    const perFeature = 10;
    let accepted = 0;
    for (let round = 0; round < perFeature; round++) {
      const responses = await Promise.all(fixtures.map((fixture) => consume(fixture, credentials)));
      for (const response of responses) if ((await signedBody(response)) !== undefined) accepted += 1;
    }
    expect(accepted).toBe(fixtures.length * perFeature);
    await eventually(async () => auditWrites.rows - before.rows >= accepted, `${accepted} rows written by the consumer`, 30_000);
    const transactions = auditWrites.transactions - before.transactions;
    expect(auditWrites.rows - before.rows).toBe(accepted);
    expect(transactions / accepted).toBeLessThanOrEqual(0.05);
  });
});
