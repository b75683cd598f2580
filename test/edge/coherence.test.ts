// Coherence of what the counter objects and the Worker isolates remember (docs/architecture.md
// "Coherence"): a license-level write is seen by every request that starts after it answered, a
// load that raced a write is never applied, and product defaults and API keys changed elsewhere
// take effect within 60 s (the clock is driven, nothing waits).
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { ConsumptionCounter } from "../../src/counter/consumption-counter";
import { featureCounter } from "../../src/counter/counter-stubs";
import { EDGE_MAX_AGE_MS, forgetIsolateMemory } from "../../src/license-api/edge-state";
import { eventually } from "../support/audit";
import { consume, errorCode, getSigned, postSigned, signedBody } from "../support/client";
import { createApiKey, createFixture, type Credentials } from "../support/fixtures";
import { manageOk, vendorSetup } from "../support/management-client";

let credentials: Credentials;
beforeAll(async () => {
  credentials = await createApiKey();
});
afterEach(() => {
  vi.useRealTimers();
});

const total = async (response: Response) =>
  (await signedBody<{ total_consumptions: number; max_consumptions: number }>(response)).total_consumptions;

describe("license-level writes", () => {
  it("a load that raced a write is thrown away: the request is decided under the new state", async () => {
    const fixture = await createFixture({ feature: { maxConsumption: 100 } });
    const counter = featureCounter(env, fixture.licenseFeatureId);
    await signedBody(await consume(fixture, credentials));
    // Hold the object's next snapshot load after D1 answered it (so it carries the old state).
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let loads = 0;
    await runInDurableObject(counter, async (instance: ConsumptionCounter) => {
      await instance.invalidate();
      const holder = instance as unknown as { env: Env };
      const db = holder.env.DB;
      holder.env = {
        ...holder.env,
        DB: new Proxy(db, {
          get(target, property) {
            if (property === "batch") {
              return async (statements: D1PreparedStatement[]) => {
                const results = await target.batch(statements);
                loads += 1;
                if (loads === 1) await gate; // the first load read the old state; it lands only later
                return results;
              };
            }
            const value = Reflect.get(target, property, target);
            return typeof value === "function" ? value.bind(target) : value;
          },
        }),
      };
    });
    const pending = consume(fixture, credentials);
    while (loads === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    // The vendor disables the license; the write invalidates the object and answers.
    await manageOk("POST", `/api/v1/licenses/${fixture.licenseId}/disable`);
    release();
    expect(await errorCode(await pending)).toBe("license_not_enabled");
    // The raced read was thrown away, not read again: the write passed the snapshot it read after committing.
    expect(loads).toBe(1);
    expect(await errorCode(await consume(fixture, credentials))).toBe("license_not_enabled");
  });

  it("activation and deactivation reach the counter before they answer", async () => {
    const fixture = await createFixture({ feature: { maxConsumption: 100 }, license: { maxActivations: 5 } });
    await signedBody(await consume(fixture, credentials)); // the object has its snapshot
    const newcomer = { ...fixture, identity: { ...fixture.identity, hardware_id: `new-${fixture.hardwareId}` } };
    expect(await errorCode(await consume(newcomer, credentials))).toBe("device_not_found");
    await signedBody(await postSigned("/api/v4/activate_license", newcomer.identity, credentials));
    expect(await total(await consume(newcomer, credentials))).toBe(2);
    expect(await postSigned("/api/v4/deactivate_license", newcomer.identity, credentials).then((r) => r.json())).toBe(
      "license_deactivated",
    );
    expect(await errorCode(await consume(newcomer, credentials))).toBe("device_not_found");
  });

  it("a feature's expiry set through the management API applies to the next request", async () => {
    const fixture = await createFixture({ feature: { maxConsumption: 100 } });
    await signedBody(await consume(fixture, credentials));
    await manageOk("PATCH", `/api/v1/licenses/${fixture.licenseId}/features/${fixture.featureCode}`, {
      expiry_date: "2020-01-01T00:00:00Z",
    });
    expect(await errorCode(await consume(fixture, credentials))).toBe("feature_expired");
    await manageOk("PATCH", `/api/v1/licenses/${fixture.licenseId}/features/${fixture.featureCode}`, { expiry_date: null });
    expect(await total(await consume(fixture, credentials))).toBe(2);
  });
});

describe("routes this isolate remembers", () => {
  it("a user's newer license takes over requests without license_id at once (the old license's object refuses the stale route)", async () => {
    const key = await createApiKey({ companyId: 1 });
    const product = await manageOk("POST", "/api/v1/products", {
      short_code: `route-${crypto.randomUUID().slice(0, 8)}`,
      name: "R",
      authorization_method: "user",
    });
    await manageOk("POST", `/api/v1/products/${product.id}/features`, { code: "units", name: "Units", max_consumption: 100 });
    const username = `route-${crypto.randomUUID().slice(0, 8)}@example.com`;
    const first = await manageOk("POST", "/api/v1/licenses", {
      product_id: product.id,
      users: [{ username, password: "password-1" }],
      max_activations: 2,
    });
    const identity = { product: product.short_code, username, hardware_id: "route-device" };
    await signedBody(await postSigned("/api/v4/activate_license", { ...identity, password: "password-1" }, key));
    const body = { ...identity, feature: "units" };
    const add = async () =>
      signedBody<{ license_id: number; total_consumptions: number }>(await postSigned("/api/v4/add_feature_consumption", body, key));
    expect(await add()).toMatchObject({ license_id: first.id, total_consumptions: 1 }); // this isolate remembers the route to the first license
    const second = await manageOk("POST", "/api/v1/licenses", {
      product_id: product.id,
      users: [{ username, password: "password-1" }],
      max_activations: 2,
    });
    await signedBody(await postSigned("/api/v4/activate_license", { ...identity, password: "password-1" }, key));
    expect(await add()).toMatchObject({ license_id: second.id, total_consumptions: 1 });
    expect(await add()).toMatchObject({ license_id: second.id, total_consumptions: 2 });
    // The first license is still reachable by naming it.
    expect(await signedBody(await postSigned("/api/v4/add_feature_consumption", { ...body, license_id: first.id }, key))).toMatchObject({
      license_id: first.id,
      total_consumptions: 2,
    });
  });
});

describe("changes made elsewhere (another isolate, written straight to D1) take effect within 60 s", () => {
  it("product defaults: the old rules may be used for up to 60 s, never after", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2026-11-23T12:00:00Z"));
    const fixture = await createFixture({ feature: { maxConsumption: 100 } });
    await signedBody(await consume(fixture, credentials));
    // Another isolate lowers the product's default allowance (and bumps the defaults version).
    const { meta } = await env.DB.prepare(
      `UPDATE product_features SET max_consumption = 1 WHERE code = ?1 AND product_id = (SELECT id FROM products WHERE short_code = ?2)`,
    )
      .bind(fixture.featureCode, fixture.productCode)
      .run();
    expect(meta.changes).toBe(1);
    await env.DB.prepare("UPDATE products SET defaults_version = defaults_version + 1 WHERE short_code = ?")
      .bind(fixture.productCode)
      .run();
    // Within the bound this isolate may still carry the old version: the old allowance applies.
    vi.setSystemTime(new Date(Date.parse("2026-11-23T12:00:00Z") + EDGE_MAX_AGE_MS - 1000));
    expect(await total(await consume(fixture, credentials))).toBe(2);
    // Past it, every request is decided under the new defaults.
    vi.setSystemTime(new Date(Date.parse("2026-11-23T12:00:00Z") + EDGE_MAX_AGE_MS + 1));
    expect(await errorCode(await consume(fixture, credentials))).toBe("feature_not_enough_consumptions");
  });

  it("API key revocation: refused everywhere within 60 s", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2026-11-23T12:00:00Z"));
    const key = await createApiKey();
    const fixture = await createFixture({ feature: { maxConsumption: 100 } });
    await signedBody(await consume(fixture, key));
    await env.DB.prepare("UPDATE api_keys SET revoked = 1 WHERE id = ?").bind(key.id).run();
    vi.setSystemTime(new Date(Date.parse("2026-11-23T12:00:00Z") + EDGE_MAX_AGE_MS - 1000));
    expect(await total(await consume(fixture, key))).toBe(2);
    vi.setSystemTime(new Date(Date.parse("2026-11-23T12:00:00Z") + EDGE_MAX_AGE_MS + 1));
    expect(await errorCode(await consume(fixture, key))).toBe("revoked_api_key");
  });

  it("a read-only switch: writes refused everywhere within 60 s", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2026-11-23T12:00:00Z"));
    const key = await createApiKey();
    const fixture = await createFixture({ feature: { maxConsumption: 100 } });
    await signedBody(await consume(fixture, key));
    await env.DB.prepare("UPDATE api_keys SET read_only = 1 WHERE id = ?").bind(key.id).run();
    vi.setSystemTime(new Date(Date.parse("2026-11-23T12:00:00Z") + EDGE_MAX_AGE_MS + 1));
    expect(await errorCode(await consume(fixture, key))).toBe("read_only_api_key");
  });

  it("a steady stream refreshes in the background and never waits: the change still lands within 60 s", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const start = Date.parse("2026-11-23T12:00:00Z");
    vi.setSystemTime(new Date(start));
    const key = await createApiKey();
    const fixture = await createFixture({ feature: { maxConsumption: 1000 } });
    await signedBody(await consume(fixture, key));
    // Past half the age: this request is answered from memory and starts a background refresh.
    vi.setSystemTime(new Date(start + EDGE_MAX_AGE_MS / 2 + 100));
    await env.DB.prepare("UPDATE api_keys SET revoked = 1 WHERE id = ?").bind(key.id).run();
    await signedBody(await consume(fixture, key));
    // The refresh (which read the revocation, after that answer) replaces the entry: refused while
    // the clock still stands at half the bound.
    await eventually(async () => (await consume(fixture, key)).status !== 200, "the refreshed key to be refused", 5_000);
    expect(await errorCode(await consume(fixture, key))).toBe("revoked_api_key");
  });
});

describe("the counter's safety net", () => {
  it("a change that reached D1 without an invalidation (an operator's hand edit) is picked up within 10 minutes", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const start = Date.parse("2026-11-23T12:00:00Z");
    vi.setSystemTime(new Date(start));
    const fixture = await createFixture({ feature: { maxConsumption: 100 } });
    await signedBody(await consume(fixture, credentials));
    await env.DB.prepare("UPDATE licenses SET enabled = 0 WHERE id = ?").bind(fixture.licenseId).run();
    vi.setSystemTime(new Date(start + 9 * 60_000));
    expect(await total(await consume(fixture, credentials))).toBe(2); // the object's snapshot is still in use
    vi.setSystemTime(new Date(start + 10 * 60_000 + 1000));
    expect(await total(await consume(fixture, credentials))).toBe(3); // served, and a background reload starts
    await eventually(async () => (await consume(fixture, credentials)).status === 400, "the reloaded snapshot to refuse", 5_000);
    expect(await errorCode(await consume(fixture, credentials))).toBe("license_not_enabled");
  });
});

describe("writes that answer an error after committing", () => {
  it("an activation refused for its variables still reaches the counter (the device was activated)", async () => {
    const fixture = await createFixture({ feature: { maxConsumption: 100 }, license: { maxActivations: 5 } });
    await signedBody(await consume(fixture, credentials)); // the object has its snapshot
    const newcomer = { ...fixture, identity: { ...fixture.identity, hardware_id: `vars-${fixture.hardwareId}` } };
    expect(await errorCode(await consume(newcomer, credentials))).toBe("device_not_found");
    // The device holds the most variables it may (100); it is then deactivated, and re-activated
    // with one more: the variables are refused after the activation itself committed.
    const hundred = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`v${i}`, "x"]));
    await signedBody(await postSigned("/api/v4/activate_license", { ...newcomer.identity, variables: hundred }, credentials));
    expect(await postSigned("/api/v4/deactivate_license", newcomer.identity, credentials).then((r) => r.json())).toBe(
      "license_deactivated",
    );
    expect(await errorCode(await consume(newcomer, credentials))).toBe("device_not_found");
    const refused = await postSigned("/api/v4/activate_license", { ...newcomer.identity, variables: { one_more: "x" } }, credentials);
    expect(await errorCode(refused)).toBe("validation_error");
    // The device is activated (documented: it stays activated), so the counter must know it.
    expect(await total(await consume(newcomer, credentials))).toBe(2);
  });
});

describe("what check_license answers from the license's object", () => {
  const check = (identity: Record<string, string>, as: Credentials) => getSigned("/api/v4/check_license", identity, as);

  it("a change to the license's details (metadata, order reference, customer, custom field) is in the very next check_license", async () => {
    const { credentials: key, identity, license } = await vendorSetup();
    await signedBody(await check(identity, key)); // the license's object has its snapshot
    await manageOk("PATCH", `/api/v1/licenses/${license.id}`, {
      metadata: { plan: "gold" },
      order_store_id: "order-42",
      customer: { email: "buyer@example.com", first_name: "Ada" },
    });
    const body = await signedBody<Record<string, any>>(await check(identity, key));
    expect(body.metadata).toEqual({ plan: "gold" });
    expect(body.order_store_id).toBe("order-42");
    expect(body.customer).toMatchObject({ email: "buyer@example.com", first_name: "Ada" });
  });

  it("a changed password is in the very next check_license (the user is no longer on an initial password)", async () => {
    const key = await createApiKey({ companyId: 1 });
    const product = await manageOk("POST", "/api/v1/products", {
      short_code: `pw-${crypto.randomUUID().slice(0, 8)}`,
      name: "P",
      authorization_method: "user",
    });
    const username = `pw-${crypto.randomUUID().slice(0, 8)}@example.com`;
    await manageOk("POST", "/api/v1/licenses", {
      product_id: product.id,
      users: [{ username, password: "password-1" }],
      max_activations: 2,
    });
    const identity = { product: product.short_code, username, hardware_id: "pw-device" };
    await signedBody(await postSigned("/api/v4/activate_license", { ...identity, password: "password-1" }, key));
    const before = await signedBody<Record<string, any>>(await check(identity, key));
    expect(before.user.is_initial_password).toBe(true);
    await signedBody(await postSigned("/api/v4/change_password", { username, password: "password-1", new_password: "password-2" }, key));
    const after = await signedBody<Record<string, any>>(await check(identity, key));
    expect(after.user.is_initial_password).toBe(false);
  });

  it("a change to the product (its name) is in every check_license within 60 s, and at once where the change was made", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const start = Date.parse("2026-11-23T12:00:00Z");
    vi.setSystemTime(new Date(start));
    const { credentials: key, identity, product } = await vendorSetup();
    await signedBody(await check(identity, key));
    // Through the management API (this isolate, this location): the next check has the new name.
    await manageOk("PATCH", `/api/v1/products/${product.id}`, { name: "Renamed" });
    expect((await signedBody<Record<string, any>>(await check(identity, key))).product_details.product_name).toBe("Renamed");
    // Written elsewhere (straight to D1, with the product's version raised as every product change raises it):
    // the old name may be answered for up to 60 s after this isolate read the version, never after.
    await env.DB.prepare("UPDATE products SET name = 'Elsewhere', defaults_version = defaults_version + 1 WHERE id = ?")
      .bind(product.id)
      .run();
    vi.setSystemTime(new Date(start + EDGE_MAX_AGE_MS - 1000));
    expect((await signedBody<Record<string, any>>(await check(identity, key))).product_details.product_name).toBe("Renamed");
    vi.setSystemTime(new Date(start + EDGE_MAX_AGE_MS + 1));
    expect((await signedBody<Record<string, any>>(await check(identity, key))).product_details.product_name).toBe("Elsewhere");
  });
});

describe("the location's cache keeps the same bound", () => {
  it("a fresh isolate uses a key its location read up to 60 s ago, never older", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const start = Date.parse("2026-11-23T12:00:00Z");
    vi.setSystemTime(new Date(start));
    const key = await createApiKey();
    const fixture = await createFixture({ feature: { maxConsumption: 100 } });
    await signedBody(await consume(fixture, key)); // read from D1 at `start`, shared with the location
    await env.DB.prepare("UPDATE api_keys SET revoked = 1 WHERE id = ?").bind(key.id).run();
    vi.setSystemTime(new Date(start + 20_000));
    forgetIsolateMemory(); // a new isolate in the same location
    expect(await total(await consume(fixture, key))).toBe(2); // the location's copy, read 20 s ago
    vi.setSystemTime(new Date(start + EDGE_MAX_AGE_MS + 1));
    forgetIsolateMemory();
    expect(await errorCode(await consume(fixture, key))).toBe("revoked_api_key"); // too old anywhere: D1 again
  });

  it("a revocation through the management API applies at once in its isolate and its location", async () => {
    const { credentials: key, identity, featureCode } = await vendorSetup();
    const body = { ...identity, feature: featureCode };
    await signedBody(await postSigned("/api/v4/add_feature_consumption", body, key)); // the key is in memory and in the location
    await manageOk("POST", `/api/v1/api-keys/${key.id}/revoke`);
    expect(await errorCode(await postSigned("/api/v4/add_feature_consumption", body, key))).toBe("revoked_api_key");
    forgetIsolateMemory();
    expect(await errorCode(await postSigned("/api/v4/add_feature_consumption", body, key))).toBe("revoked_api_key");
  });
});
