// The central promise, measured by instrumentation (no timing): the calls a request waits for,
// counted case by case as a real client population meets them (warm or fresh isolate, object alive
// or evicted, after idle time, a license's first use; add_feature_consumption and check_license):
// a consumption makes one remote call (its counter object) and check_license two in sequence (the
// license's object, then its features' objects in parallel), with no D1 statement in the Worker or
// in the objects once a license has been used; what happens after the answer is listed apart.
// Under spread load D1 sees at most one write transaction per 20 accepted consumptions.
import { createExecutionContext, evictDurableObject, runInDurableObject, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { auditWrites } from "../../src/audit/audit-consumer";
import type { ConsumptionCounter } from "../../src/counter/consumption-counter";
import { featureCounter, licenseCounter } from "../../src/counter/counter-stubs";
import worker from "../../src/index";
import { forgetIsolateMemory } from "../../src/license-api/edge-state";
import { eventually, flushAudit } from "../support/audit";
import { consume, signedBody } from "../support/client";
import { CallTrace, countObjectD1, instrumentedEnv, traceLocationCache, tracedEnv } from "../support/counting";
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

const START = Date.parse("2026-11-23T12:00:00Z");
beforeEach(() => {
  // A driven clock: idle time is a jump, and no cached entry reaches its refresh age unless a test says so.
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(new Date(START));
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

// ---------------------------------------------------------------- case by case

const trace = new CallTrace();
const traced = tracedEnv(trace).env;
/** What each case measured, printed as the table of docs/architecture.md at the end. */
const table: string[] = [];

afterAll(() => {
  console.log(
    [
      "| case | calls before the answer | remote calls in sequence | D1 statements (Worker + objects) | location-cache reads | after the answer |",
      "| --- | --- | ---: | ---: | ---: | --- |",
      ...table,
    ].join("\n"),
  );
});

interface Measured {
  status: number;
  body: string;
  critical: ReturnType<CallTrace["criticalPath"]>;
  background: string[];
  order: string;
}

/** One request through the Worker with every remote call traced. */
async function measure(method: "GET" | "POST", path: string, credentials: Credentials, payload?: unknown): Promise<Measured> {
  trace.reset();
  const untrace = traceLocationCache(trace);
  try {
    // The Worker hands what it leaves for after the answer to waitUntil once the answer is built
    // (src/license-api/after-answer.ts): calls from then on are background work.
    const real = createExecutionContext();
    const ctx = new Proxy(real, {
      get(target, property) {
        if (property === "waitUntil")
          return (work: Promise<unknown>) => {
            trace.responded = true;
            target.waitUntil(work);
          };
        const value = Reflect.get(target, property, target);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    const request = new Request(`http://license.test${path}`, {
      method,
      headers: { ...(await authHeaders(credentials)), ...(payload === undefined ? {} : { "Content-Type": "application/json" }) },
      ...(payload === undefined ? {} : { body: JSON.stringify(payload) }),
    });
    const response = await worker.fetch(request as Request<unknown, IncomingRequestCfProperties>, traced, ctx);
    trace.responded = true;
    const body = await response.text();
    await waitOnExecutionContext(real);
    const before = trace.calls.filter((call) => !call.background && !(call.kind === "cache" && call.what !== "match"));
    const order = [...new Set(before.map((call) => call.depth))]
      .sort((a, b) => a - b)
      .map((depth) => {
        const step = before.filter((call) => call.depth === depth);
        const names = step.map((call) => (call.kind === "d1" ? "D1 batch" : call.kind === "cache" ? "location cache" : "object"));
        const counted = [...new Set(names)].map((name) => {
          const n = names.filter((other) => other === name).length;
          return n > 1 ? `${n} × ${name}` : name;
        });
        return counted.join(" ‖ ");
      })
      .join(" → ");
    const critical = trace.criticalPath();
    // Location-cache writes never hold the answer: they are queued for after it (src/license-api/after-answer.ts).
    const writes = trace.calls.filter((call) => !call.background && call.kind === "cache" && call.what !== "match").length;
    return {
      status: response.status,
      body,
      critical: { ...critical, locationCacheCalls: critical.locationCacheCalls - writes },
      background: trace.background(),
      order,
    };
  } finally {
    untrace();
  }
}

const consumeBody = (fixture: Fixture) => ({ ...fixture.identity, feature: fixture.featureCode, consumptions: 1 });
const consumeMeasured = (fixture: Fixture, credentials: Credentials) =>
  measure("POST", "/api/v4/add_feature_consumption", credentials, consumeBody(fixture));
const checkMeasured = (fixture: Fixture, credentials: Credentials, endpoint = "check_license", extra: Record<string, string> = {}) =>
  measure("GET", `/api/v4/${endpoint}?${new URLSearchParams({ ...fixture.identity, ...extra })}`, credentials);

/** Counts the D1 statements of each object from now on (each started afresh if it was evicted). */
async function objectsD1(stubs: Array<DurableObjectStub<ConsumptionCounter>>) {
  const counted = await Promise.all(stubs.map(countObjectD1));
  return () => counted.reduce((n, c) => n + c.statements, 0);
}

function record(name: string, measured: Measured, inObjects: number) {
  const { critical } = measured;
  const background = [...new Set(measured.background)].join(", ") || "–";
  table.push(
    `| ${name} | ${measured.order} | ${critical.remoteInSequence} | ${critical.d1Statements} + ${inObjects} | ${critical.locationCacheCalls} | ${background} |`,
  );
}

/** A second consumption feature on the fixture's license (check_license fans out to both). */
async function addSecondFeature(fixture: Fixture): Promise<number> {
  const { product_id } = (await env.DB.prepare("SELECT product_id FROM licenses WHERE id = ?")
    .bind(fixture.licenseId)
    .first<{ product_id: number }>())!;
  const feature = await env.DB.prepare(
    "INSERT INTO product_features (product_id, code, name, feature_type, max_consumption) VALUES (?, ?, 'Second', 'consumption', 50) RETURNING id",
  )
    .bind(product_id, `${fixture.featureCode}-second`)
    .first<{ id: number }>();
  const row = await env.DB.prepare("INSERT INTO license_features (license_id, product_feature_id) VALUES (?, ?) RETURNING id")
    .bind(fixture.licenseId, feature!.id)
    .first<{ id: number }>();
  return row!.id;
}

describe("add_feature_consumption, case by case: the calls before the answer", () => {
  it("warm isolate, warm object: the object, nothing else", async () => {
    const credentials = await createApiKey();
    const fixture = await createFixture({ feature: { maxConsumption: 1000 } });
    expect((await consumeMeasured(fixture, credentials)).status).toBe(200);
    const inObjects = await objectsD1([featureCounter(env, fixture.licenseFeatureId)]);
    const measured = await consumeMeasured(fixture, credentials);
    expect(measured.status).toBe(200);
    expect(measured.critical).toEqual({ remoteInSequence: 1, d1Statements: 0, objectCalls: 1, locationCacheCalls: 0, queueSends: 0 });
    expect(inObjects()).toBe(0);
    record("warm isolate, warm object", measured, inObjects());
  });

  it("the same client after 6 s idle (its API key read more than 5 s ago), object alive: the object, nothing else", async () => {
    const credentials = await createApiKey();
    const fixture = await createFixture({ feature: { maxConsumption: 1000 } });
    expect((await consumeMeasured(fixture, credentials)).status).toBe(200);
    vi.setSystemTime(new Date(START + 6_000));
    const inObjects = await objectsD1([featureCounter(env, fixture.licenseFeatureId)]);
    const measured = await consumeMeasured(fixture, credentials);
    expect(measured.status).toBe(200);
    expect(measured.critical).toEqual({ remoteInSequence: 1, d1Statements: 0, objectCalls: 1, locationCacheCalls: 0, queueSends: 0 });
    expect(measured.background).toEqual([]);
    expect(inObjects()).toBe(0);
    record("same client after 6 s idle, object alive", measured, inObjects());
  });

  it("after 40 s idle (past half the key's 60 s): still the object alone; the key and the product version are read again after the answer", async () => {
    const credentials = await createApiKey();
    const fixture = await createFixture({ feature: { maxConsumption: 1000 } });
    expect((await consumeMeasured(fixture, credentials)).status).toBe(200);
    vi.setSystemTime(new Date(START + 40_000));
    const measured = await consumeMeasured(fixture, credentials);
    expect(measured.status).toBe(200);
    expect(measured.critical).toEqual({ remoteInSequence: 1, d1Statements: 0, objectCalls: 1, locationCacheCalls: 0, queueSends: 0 });
    expect(measured.background).toEqual(["d1 batch of 2", "cache put", "cache put"]);
    record("same client after 40 s idle, object alive", measured, 0);
  });

  it("fresh isolate, warm object: the location's cache (key, route, version at once), then the object; no D1", async () => {
    const credentials = await createApiKey();
    const fixture = await createFixture({ feature: { maxConsumption: 1000 } });
    expect((await consumeMeasured(fixture, credentials)).status).toBe(200);
    forgetIsolateMemory();
    const inObjects = await objectsD1([featureCounter(env, fixture.licenseFeatureId)]);
    const measured = await consumeMeasured(fixture, credentials);
    expect(measured.status).toBe(200);
    expect(measured.critical).toEqual({ remoteInSequence: 1, d1Statements: 0, objectCalls: 1, locationCacheCalls: 3, queueSends: 0 });
    expect(measured.order).toBe("3 × location cache → object");
    expect(inObjects()).toBe(0);
    record("fresh isolate, warm object", measured, inObjects());
  });

  it("warm isolate, evicted object: the object, which decides from its own storage", async () => {
    const credentials = await createApiKey();
    const fixture = await createFixture({ feature: { maxConsumption: 1000 } });
    expect((await consumeMeasured(fixture, credentials)).status).toBe(200);
    await evictDurableObject(featureCounter(env, fixture.licenseFeatureId));
    const inObjects = await objectsD1([featureCounter(env, fixture.licenseFeatureId)]);
    const measured = await consumeMeasured(fixture, credentials);
    expect(JSON.parse(measured.body)).toMatchObject({ total_consumptions: 2 });
    expect(measured.critical).toEqual({ remoteInSequence: 1, d1Statements: 0, objectCalls: 1, locationCacheCalls: 0, queueSends: 0 });
    expect(inObjects()).toBe(0);
    record("warm isolate, evicted object", measured, inObjects());
  });

  it("fresh isolate, evicted object: the location's cache, then the object; no D1 anywhere", async () => {
    const credentials = await createApiKey();
    const fixture = await createFixture({ feature: { maxConsumption: 1000 } });
    expect((await consumeMeasured(fixture, credentials)).status).toBe(200);
    forgetIsolateMemory();
    await evictDurableObject(featureCounter(env, fixture.licenseFeatureId));
    const inObjects = await objectsD1([featureCounter(env, fixture.licenseFeatureId)]);
    const measured = await consumeMeasured(fixture, credentials);
    expect(JSON.parse(measured.body)).toMatchObject({ total_consumptions: 2 });
    expect(measured.critical).toEqual({ remoteInSequence: 1, d1Statements: 0, objectCalls: 1, locationCacheCalls: 3, queueSends: 0 });
    expect(inObjects()).toBe(0);
    record("fresh isolate, evicted object", measured, inObjects());
  });

  it("a license feature's first consumption: one D1 batch in the Worker, with the license's snapshot for the object, which reads none", async () => {
    const credentials = await createApiKey();
    const known = await createFixture();
    expect((await consumeMeasured(known, credentials)).status).toBe(200); // the key is known; the new license is not
    const fixture = await createFixture({ feature: { maxConsumption: 1000 } });
    const inObjects = await objectsD1([featureCounter(env, fixture.licenseFeatureId)]);
    const measured = await consumeMeasured(fixture, credentials);
    expect(JSON.parse(measured.body)).toMatchObject({ total_consumptions: 1 });
    // The route and the new product's version are looked for in the location first (both unknown there).
    expect(measured.order).toBe("2 × location cache → D1 batch → object");
    expect(measured.critical.remoteInSequence).toBe(2);
    expect(measured.critical.objectCalls).toBe(1);
    expect(inObjects()).toBe(0);
    record("a license feature's first consumption", measured, inObjects());
  });

  it("a license feature's first consumption in a fresh isolate: the same single D1 batch (key, context and snapshot together)", async () => {
    const credentials = await createApiKey();
    const fixture = await createFixture({ feature: { maxConsumption: 1000 } });
    forgetIsolateMemory();
    const inObjects = await objectsD1([featureCounter(env, fixture.licenseFeatureId)]);
    const measured = await consumeMeasured(fixture, credentials);
    expect(measured.status).toBe(200);
    expect(measured.order).toBe("3 × location cache → D1 batch → object");
    expect(inObjects()).toBe(0);
    record("first consumption, fresh isolate", measured, inObjects());
  });
});

describe("check_license and check_license_feature, case by case", () => {
  it("check_license, warm: the license's object, then its features' objects in parallel; no D1", async () => {
    const credentials = await createApiKey();
    const fixture = await createFixture({ feature: { maxConsumption: 1000 } });
    const second = await addSecondFeature(fixture);
    expect((await checkMeasured(fixture, credentials)).status).toBe(200);
    const stubs = [licenseCounter(env, fixture.licenseId), featureCounter(env, fixture.licenseFeatureId), featureCounter(env, second)];
    const inObjects = await objectsD1(stubs);
    const measured = await checkMeasured(fixture, credentials);
    expect(measured.status).toBe(200);
    expect(measured.order).toBe("object → 2 × object");
    expect(measured.critical).toEqual({ remoteInSequence: 2, d1Statements: 0, objectCalls: 3, locationCacheCalls: 0, queueSends: 0 });
    expect(inObjects()).toBe(0);
    record("check_license, warm (two features)", measured, inObjects());
  });

  it("check_license, cold (fresh isolate, every object evicted): the location's cache, then the same two calls; no D1", async () => {
    const credentials = await createApiKey();
    const fixture = await createFixture({ feature: { maxConsumption: 1000 } });
    const second = await addSecondFeature(fixture);
    expect((await checkMeasured(fixture, credentials)).status).toBe(200);
    forgetIsolateMemory();
    const stubs = [licenseCounter(env, fixture.licenseId), featureCounter(env, fixture.licenseFeatureId), featureCounter(env, second)];
    for (const stub of stubs) await evictDurableObject(stub);
    const inObjects = await objectsD1(stubs);
    const measured = await checkMeasured(fixture, credentials);
    expect(measured.status).toBe(200);
    expect(measured.order).toBe("3 × location cache → object → 2 × object");
    expect(measured.critical.remoteInSequence).toBe(2);
    expect(measured.critical.d1Statements).toBe(0);
    expect(inObjects()).toBe(0);
    record("check_license, fresh isolate, objects evicted", measured, inObjects());
  });

  it("check_license, the license's first use: one D1 batch, then the objects, seeded with what it read", async () => {
    const credentials = await createApiKey();
    const known = await createFixture();
    expect((await checkMeasured(known, credentials)).status).toBe(200);
    const fixture = await createFixture({ feature: { maxConsumption: 1000 } });
    const second = await addSecondFeature(fixture);
    const stubs = [licenseCounter(env, fixture.licenseId), featureCounter(env, fixture.licenseFeatureId), featureCounter(env, second)];
    const inObjects = await objectsD1(stubs);
    const measured = await checkMeasured(fixture, credentials);
    expect(measured.status).toBe(200);
    expect(measured.order).toBe("2 × location cache → D1 batch → object → 2 × object");
    expect(inObjects()).toBe(0);
    record("check_license, the license's first use", measured, inObjects());
  });

  it("check_license_feature, warm and cold: the feature's object alone", async () => {
    const credentials = await createApiKey();
    const fixture = await createFixture({ feature: { maxConsumption: 1000 } });
    const extra = { feature: fixture.featureCode };
    expect((await checkMeasured(fixture, credentials, "check_license_feature", extra)).status).toBe(200);
    const warm = await checkMeasured(fixture, credentials, "check_license_feature", extra);
    expect(warm.critical).toEqual({ remoteInSequence: 1, d1Statements: 0, objectCalls: 1, locationCacheCalls: 0, queueSends: 0 });
    record("check_license_feature, warm", warm, 0);
    forgetIsolateMemory();
    await evictDurableObject(featureCounter(env, fixture.licenseFeatureId));
    const inObjects = await objectsD1([featureCounter(env, fixture.licenseFeatureId)]);
    const cold = await checkMeasured(fixture, credentials, "check_license_feature", extra);
    expect(cold.status).toBe(200);
    expect(cold.critical).toMatchObject({ remoteInSequence: 1, d1Statements: 0, objectCalls: 1 });
    expect(inObjects()).toBe(0);
    record("check_license_feature, fresh isolate, object evicted", cold, inObjects());
  });
});

describe("requests that must not reach a counter object", () => {
  it("a bad signature for a known identity, and an identity no license has, wake no object, even where the location knows the route", async () => {
    const credentials = await createApiKey();
    const fixture = await createFixture({ feature: { maxConsumption: 1000 } });
    expect((await consumeMeasured(fixture, credentials)).status).toBe(200); // the route is in this isolate and its location
    const forged = await consumeMeasured(fixture, { ...credentials, sharedKey: "not-the-shared-key" });
    expect(forged.status).not.toBe(200);
    expect(forged.critical.objectCalls).toBe(0);
    forgetIsolateMemory();
    const unknown = await consumeMeasured(
      { ...fixture, identity: { ...fixture.identity, license_key: `NO-${crypto.randomUUID()}` } },
      credentials,
    );
    expect(unknown.status).not.toBe(200);
    expect(unknown.critical.objectCalls).toBe(0);
    const stranger = await consumeMeasured(fixture, { ...credentials, apiKey: `no-such-key-${crypto.randomUUID()}` });
    expect(stranger.status).not.toBe(200);
    expect(stranger.critical.objectCalls).toBe(0);
  });
});

describe("activate_license and deactivate_license: one D1 read, then one write", () => {
  it("activation reads D1 once (context, license, user), writes once (device, variables, the change), then tells the objects", async () => {
    const credentials = await createApiKey();
    const fixture = await createFixture({ feature: { maxConsumption: 1000 }, license: { maxActivations: 5 } });
    expect((await consumeMeasured(fixture, credentials)).status).toBe(200); // the key is known
    const identity = { ...fixture.identity, hardware_id: `new-${fixture.hardwareId}` };
    const activated = await measure("POST", "/api/v4/activate_license", credentials, { ...identity, variables: { os: "linux" } });
    expect(activated.status).toBe(200);
    expect(JSON.parse(activated.body)).toMatchObject({ times_activated: 2, variables: [{ variable: "os", value: "linux" }] });
    const d1 = trace.calls.filter((call) => call.kind === "d1" && !call.background);
    expect(d1.map((call) => call.what)).toEqual([expect.stringMatching(/^batch of/), expect.stringMatching(/^batch of/)]);
    expect(activated.order).toMatch(/^D1 batch → D1 batch → \d+ × object/);
    record("activate_license (key-based)", activated, 0);
    const deactivated = await measure("POST", "/api/v4/deactivate_license", credentials, identity);
    expect(JSON.parse(deactivated.body)).toBe("license_deactivated");
    expect(deactivated.order).toMatch(/^D1 batch → D1 batch → \d+ × object$/);
    record("deactivate_license", deactivated, 0);
  });
});
