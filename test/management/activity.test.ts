// The activity log: every vendor action records who (key name, Access e-mail or MANAGEMENT_KEY), what,
// to what, before → after and when, in the transaction of the change; listed newest first and
// filtered by actor, action, target, license and time. Nothing is recorded for a change that did not
// happen, and no secret is ever recorded.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { ACTIVITY_ACTIONS } from "../../src/models/activity";
import { managementRoutes } from "../../src/management/routes";
import { licenseSpringId, licenseSpringSharedKey } from "../support/import-client";
import { consumeAs, createManagementKey, manage, manageOk, managementError, uniqueCode, vendorSetup } from "../support/management-client";

type Entry = { id: number; actor: string; action: string; target_type: string; target_id: number | null; before: any; after: any };

const as = (key: string) => (method: string, path: string, body?: unknown) => manage(method, path, body, { key });
async function ok(response: Promise<Response>): Promise<any> {
  const answered = await response;
  const text = await answered.text();
  expect(answered.status, text).toBeLessThan(300);
  return JSON.parse(text);
}
const entries = async (query: string): Promise<Entry[]> => (await manageOk("GET", `/api/v1/activity?limit=200&${query}`)).data;

describe("the activity log", () => {
  it("records a support person's day with their key's name, before and after, newest first", async () => {
    const setup = await vendorSetup({ max_consumption: 10 });
    const support = await createManagementKey("support");
    const call = as(support.key);
    const from = new Date().toISOString();
    const licenseId = setup.license.id;

    expect((await consumeAs(setup, 10)).status).toBe(200);
    await ok(call("PATCH", `/api/v1/licenses/${licenseId}/features/${setup.featureCode}`, { max_consumption: 20 }));
    await ok(call("POST", `/api/v1/licenses/${licenseId}/features/${setup.featureCode}/reset`));
    await ok(call("PATCH", `/api/v1/licenses/${licenseId}`, { max_activations: 6, metadata: { note: "called in" } }));
    await ok(call("POST", `/api/v1/devices/${setup.deviceId}/blacklist`));
    await ok(call("POST", `/api/v1/licenses/${licenseId}/disable`));

    const mine = await entries(`actor=${encodeURIComponent(support.name.toUpperCase())}`);
    expect(mine.map((entry) => entry.action)).toEqual([
      "license.disabled",
      "device.blacklisted",
      "license.updated",
      "license_feature.reset",
      "license_feature.updated",
    ]);
    expect(mine.every((entry) => entry.actor === support.name)).toBe(true);
    expect(mine).toMatchObject([
      { target_type: "license", target_id: licenseId, before: { enabled: true }, after: { enabled: false } },
      { target_type: "device", target_id: setup.deviceId, before: { blacklisted: false }, after: { blacklisted: true } },
      { before: { max_activations: 5, metadata: {} }, after: { max_activations: 6, metadata: { note: "called in" } } },
      {
        target_type: "license_feature",
        target_id: setup.licenseFeatureId,
        before: { code: setup.featureCode, total_consumptions: 10 },
        after: { total_consumptions: 0 },
      },
      { before: { code: setup.featureCode, max_consumption: null }, after: { code: setup.featureCode, max_consumption: 20 } },
    ]);

    // Filters combine: the license's whole history includes its issue by the bootstrap key.
    const history = await entries(`license_id=${licenseId}`);
    expect(history.map((entry) => [entry.actor, entry.action])).toEqual([
      ...mine.map((entry) => [support.name, entry.action]),
      ["MANAGEMENT_KEY", "license.issued"],
    ]);
    expect((await entries(`license_id=${licenseId}&action=license.disabled`)).map((entry) => entry.id)).toEqual([mine[0]!.id]);
    expect((await entries(`target_type=device&target_id=${setup.deviceId}`)).map((entry) => entry.id)).toEqual([mine[1]!.id]);
    expect(await entries(`license_id=${licenseId}&from=${encodeURIComponent(from)}&to=${encodeURIComponent(from)}`)).toEqual([]);
    expect((await entries(`license_id=${licenseId}&from=${encodeURIComponent(from)}`)).length).toBe(5);

    // Pages, newest first.
    const first = await manageOk("GET", `/api/v1/activity?license_id=${licenseId}&limit=2`);
    expect(first.data.map((entry: Entry) => entry.id)).toEqual([mine[0]!.id, mine[1]!.id]);
    const second = await manageOk("GET", `/api/v1/activity?license_id=${licenseId}&limit=2&cursor=${first.next_cursor}`);
    expect(second.data.map((entry: Entry) => entry.id)).toEqual([mine[2]!.id, mine[3]!.id]);
    expect((await managementError(await manage("GET", "/api/v1/activity?action=license.deleted"))).code).toBe("validation_error");
  });

  it("records nothing for a change that did not happen: a refused write, a no-op, a write that failed in D1", async () => {
    const setup = await vendorSetup();
    const count = async () => (await entries(`license_id=${setup.license.id}`)).length;
    const before = await count();
    await manageOk("POST", `/api/v1/licenses/${setup.license.id}/enable`);
    await manageOk("POST", `/api/v1/devices/${setup.deviceId}/unblacklist`);
    expect((await managementError(await manage("PATCH", `/api/v1/licenses/${setup.license.id}`, { max_activations: -1 }))).code).toBe(
      "validation_error",
    );
    expect(await count()).toBe(before);

    // Issuing a license under a taken key fails as a whole: no license, no entry.
    const issued = await entries("action=license.issued");
    const taken = await manage("POST", "/api/v1/licenses", { product_id: setup.product.id, license_key: setup.license.license_key });
    expect((await managementError(taken)).code).toBe("conflict");
    expect(await entries("action=license.issued")).toEqual(issued);
  });

  it("records creations and revocations of credentials and imports, never a secret", async () => {
    const admin = await createManagementKey("admin");
    const call = as(admin.key);
    const apiKey = await ok(call("POST", "/api/v1/api-keys", { read_only: true }));
    await ok(call("POST", `/api/v1/api-keys/${apiKey.id}/revoke`));
    const other = await ok(call("POST", "/api/v1/management-keys", { name: uniqueCode("other"), role: "read-only" }));
    await ok(call("POST", `/api/v1/management-keys/${other.id}/revoke`));
    const product = await ok(call("POST", "/api/v1/products", { short_code: uniqueCode("p"), name: "P", authorization_method: "user" }));
    const licenseId = licenseSpringId();
    const username = `${uniqueCode("u")}@acme.test`;
    await ok(
      manage(
        "POST",
        "/api/v1/import/licenses",
        [{ id: licenseId, product: product.short_code, users: [{ username, password: "imported secret" }] }],
        { key: admin.key },
      ),
    );
    const issuedWithPassword = await ok(
      call("POST", "/api/v1/licenses", { product_id: product.id, users: [{ username: `b.${username}`, password: "a password here" }] }),
    );

    const mine = await entries(`actor=${encodeURIComponent(admin.name)}`);
    expect(mine.map((entry) => entry.action)).toEqual([
      "license.issued",
      "import.licenses",
      "product.created",
      "management_key.revoked",
      "management_key.created",
      "api_key.revoked",
      "api_key.created",
    ]);
    expect(mine[0]).toMatchObject({ target_id: issuedWithPassword.id, after: { users: [`b.${username}`] } });
    expect(mine[1]).toMatchObject({ target_type: "import", target_id: null, after: { rows: 1, licenses_created: [licenseId] } });
    expect(mine[4]).toMatchObject({ target_id: other.id, after: { role: "read-only", key_prefix: other.key_prefix } });
    expect(mine[6]).toMatchObject({ target_id: apiKey.id, after: { api_key: apiKey.api_key, read_only: true } });
    const stored = JSON.stringify(await env.DB.prepare("SELECT * FROM activity").all());
    for (const secret of [apiKey.shared_key, other.key, admin.key, "imported secret", "a password here", env.MANAGEMENT_KEY]) {
      expect(stored).not.toContain(secret);
    }
  });

  it("records webhook endpoints created and changed, their URL cut to its origin (a path may be a token), never their secret", async () => {
    const admin = await createManagementKey("admin");
    const url = "https://hooks.example.test/services/T0001/B0002/kB3xT0ken";
    const created = await ok(manage("POST", "/api/v1/webhooks", { url, events: ["license.disabled"] }, { key: admin.key }));
    await ok(manage("PATCH", `/api/v1/webhooks/${created.id}`, { enabled: false, url: `${url}-2` }, { key: admin.key }));
    const logged = await entries(`target_type=webhook_endpoint&target_id=${created.id}`);
    expect(logged).toMatchObject([
      {
        actor: admin.name,
        action: "webhook_endpoint.updated",
        before: { enabled: true, url: "https://hooks.example.test/…" },
        after: { enabled: false, url: "https://hooks.example.test/…" },
      },
      { action: "webhook_endpoint.created", after: { url: "https://hooks.example.test/…", events: ["license.disabled"] } },
    ]);
    const stored = JSON.stringify(await env.DB.prepare("SELECT * FROM activity WHERE target_type = 'webhook_endpoint'").all());
    expect(stored).not.toContain("kB3xT0ken");
    expect(stored).not.toContain(created.secret);
  });

  it("records every kind of vendor action: each write route of the management API, called once, leaves its entry", async () => {
    const admin = await createManagementKey("admin");
    const writes = managementRoutes.filter((route) => route.method !== "get");
    const called = new Set<string>();
    /** A call with the admin key that must succeed; remembers which route it reached. */
    const call = async (method: string, path: string, body?: unknown): Promise<any> => {
      const route = writes.find(
        (candidate) =>
          candidate.method === method.toLowerCase() && new RegExp(`^${candidate.path.replace(/\{\w+\}/g, "[^/]+")}$`).test(path),
      );
      if (route) called.add(route.operationId);
      return ok(manage(method, path, body, { key: admin.key }));
    };

    // Credentials and webhook endpoints (the endpoint switched off, so that nothing is delivered).
    const apiKey = await call("POST", "/api/v1/api-keys", {});
    await call("POST", `/api/v1/api-keys/${apiKey.id}/read-only`);
    await call("POST", `/api/v1/api-keys/${apiKey.id}/revoke`);
    const other = await call("POST", "/api/v1/management-keys", { name: uniqueCode("other"), role: "support" });
    await call("POST", `/api/v1/management-keys/${other.id}/revoke`);
    const webhook = await call("POST", "/api/v1/webhooks", { url: "https://hooks.example.test/in", events: ["license.disabled"] });
    await call("PATCH", `/api/v1/webhooks/${webhook.id}`, { enabled: false });

    // The catalogue.
    const product = await call("POST", "/api/v1/products", { short_code: uniqueCode("all"), name: "All" });
    await call("PATCH", `/api/v1/products/${product.id}`, { name: "All actions" });
    await call("POST", `/api/v1/products/${product.id}/custom-fields`, { name: "seat" });
    const version = await call("POST", `/api/v1/products/${product.id}/versions`, {
      version: "1.0.0",
      release_date: "2031-01-01T00:00:00Z",
    });
    await call("PATCH", `/api/v1/products/${product.id}/versions/${version.id}`, { enabled: false });
    const feature = uniqueCode("f");
    await call("POST", `/api/v1/products/${product.id}/features`, { code: feature, name: "F", max_consumption: 10 });
    await call("PATCH", `/api/v1/products/${product.id}/features/${feature}`, { max_consumption: 20 });
    const unused = uniqueCode("unused");
    await call("POST", `/api/v1/products/${product.id}/features`, { code: unused, name: "Unused" });
    await call("DELETE", `/api/v1/products/${product.id}/features/${unused}`);
    const empty = await call("POST", "/api/v1/products", { short_code: uniqueCode("empty"), name: "Empty" });
    await call("DELETE", `/api/v1/products/${empty.id}`);

    // Customers and licenses.
    const customer = await call("POST", "/api/v1/customers", { email: `${uniqueCode("c")}@acme.test` });
    await call("PATCH", `/api/v1/customers/${customer.id}`, { company_name: "Acme" });
    const license = await call("POST", "/api/v1/licenses", { product_id: product.id, customer_id: customer.id });
    const licensePath = `/api/v1/licenses/${license.id}`;
    await call("PATCH", licensePath, { max_activations: 3 });
    for (const change of ["disable", "enable", "archive", "restore"]) await call("POST", `${licensePath}/${change}`);
    const later = uniqueCode("later");
    await call("POST", `/api/v1/products/${product.id}/features`, { code: later, name: "Later" });
    await call("POST", `${licensePath}/features`, { code: later });
    await call("PATCH", `${licensePath}/features/${later}`, { max_consumption: 5 });
    await call("POST", `${licensePath}/features/${later}/reset`);
    await call("DELETE", `${licensePath}/features/${later}`);
    const rollout = uniqueCode("rollout");
    await call("POST", `/api/v1/products/${product.id}/features`, { code: rollout, name: "Rollout" });
    await call("POST", `/api/v1/products/${product.id}/features/${rollout}/add-to-licenses`, {});
    const consumption = await call("POST", "/api/v1/licenses", { product_id: product.id, license_type: "consumption" });
    await call("PATCH", `/api/v1/licenses/${consumption.id}/consumption`, { max_consumptions: 9 });
    await call("POST", `/api/v1/licenses/${consumption.id}/consumption/reset`);

    // A migration: keys, a license, its device and a total; then the device is handled.
    await call("POST", "/api/v1/import/api-keys", [{ api_key: uniqueCode("imported"), shared_key: licenseSpringSharedKey() }]);
    // Issued licenses take the ids after the highest, imported ones included: stay clear of those issued after earlier imports.
    const importedId = licenseSpringId() + 1_000_000;
    await call("POST", "/api/v1/import/licenses", [{ id: importedId, product: product.short_code, license_key: uniqueCode("KEY") }]);
    await call("POST", "/api/v1/import/devices", [{ license_id: importedId, hardware_id: uniqueCode("hw") }]);
    await call("POST", "/api/v1/import/totals", [{ license_id: importedId, feature, total: 3 }]);
    const [device] = (await manageOk("GET", `/api/v1/licenses/${importedId}/devices`)).data;
    for (const change of ["blacklist", "unblacklist", "deactivate"]) await call("POST", `/api/v1/devices/${device.id}/${change}`);

    // Resending a delivery needs a delivered event: test/management/webhooks.test.ts checks its entry.
    expect(writes.map((route) => route.operationId).filter((id) => !called.has(id))).toEqual(["resendWebhookDelivery"]);
    const recorded = new Set((await entries(`actor=${encodeURIComponent(admin.name)}`)).map((entry) => entry.action));
    expect(ACTIVITY_ACTIONS.filter((action) => !recorded.has(action))).toEqual(["webhook_delivery.resent"]);
  });
});
