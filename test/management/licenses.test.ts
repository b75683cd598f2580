// Licenses through the management API: issue (key- and user-based), get, list and filter,
// enable/disable, feature allowances, consumption reset. Each change is checked through the License API.
import { describe, expect, it } from "vitest";
import { errorCode, getSigned, postSigned, signedBody } from "../support/client";
import { flushAudit } from "../support/audit";
import { consumeAs, manage, manageOk, managementError, uniqueCode, vendorSetup } from "../support/management-client";

async function product(authorizationMethod: "license-key" | "user" = "license-key") {
  const created = await manageOk("POST", "/api/v1/products", {
    short_code: uniqueCode("app"),
    name: "App",
    authorization_method: authorizationMethod,
  });
  await manageOk("POST", `/api/v1/products/${created.id}/features`, {
    code: "exports",
    name: "Exports",
    max_consumption: 100,
    allow_overages: true,
    max_overages: 10,
  });
  await manageOk("POST", `/api/v1/products/${created.id}/features`, { code: "pro", name: "Pro", feature_type: "activation" });
  return created as { id: number; short_code: string };
}

describe("issuing licenses", () => {
  it("issues a key-based license with a generated key, carrying every product feature with its defaults", async () => {
    const { id } = await product();
    const response = await manage("POST", "/api/v1/licenses", { product_id: id });
    expect(response.status).toBe(201);
    const license = (await response.json()) as any;
    expect(license.license_key).toMatch(/^[A-HJ-NP-Z2-9]{4}(-[A-HJ-NP-Z2-9]{4}){3}$/);
    expect(license).toMatchObject({
      product_id: id,
      users: [],
      enabled: true,
      active: false,
      license_type: "perpetual",
      max_activations: 1,
      validity_period: null,
    });
    expect(license.features).toHaveLength(2);
    expect(license.features[0]).toMatchObject({
      code: "exports",
      max_consumption: 100,
      allow_overages: true,
      max_overages: 10,
      total_consumptions: 0,
      overrides: { max_consumption: null },
    });
    expect(license.features[1]).toMatchObject({ code: "pro", feature_type: "activation", total_consumptions: null });
    const activationReset = await manage("POST", `/api/v1/licenses/${license.id}/features/pro/reset`);
    expect((await managementError(activationReset)).message).toMatch(/activation feature/);
    const second = await manageOk("POST", "/api/v1/licenses", { product_id: id });
    expect(second.license_key).not.toBe(license.license_key);
  });

  it("issues a supplied key with per-license feature values; a taken key is 409", async () => {
    const { id } = await product();
    const key = uniqueCode("KEY");
    const license = await manageOk("POST", "/api/v1/licenses", {
      product_id: id,
      license_key: key,
      validity_period: "2099-01-01T00:00:00+02:00",
      max_activations: 3,
      features: { exports: { max_consumption: 7, allow_overages: false, expiry_date: "2098-06-30T00:00:00Z" } },
    });
    expect(license).toMatchObject({ license_key: key, validity_period: "2098-12-31T22:00:00.000Z", max_activations: 3 });
    expect(license.features[0]).toMatchObject({
      code: "exports",
      max_consumption: 7,
      allow_overages: false,
      max_overages: 10,
      expiry_date: "2098-06-30T00:00:00.000Z",
      overrides: { max_consumption: 7, allow_overages: false, max_overages: null },
    });
    const taken = await manage("POST", "/api/v1/licenses", { product_id: id, license_key: key });
    expect((await managementError(taken)).code).toBe("conflict");
    // The failed issue left nothing behind.
    expect((await manageOk("GET", `/api/v1/licenses?license_key=${key}`)).data).toHaveLength(1);
  });

  it("issues a user-based license whose users activate with their password", async () => {
    const created = await product("user");
    const username = `${uniqueCode("user")}@example.com`;
    const license = await manageOk("POST", "/api/v1/licenses", {
      product_id: created.id,
      users: [{ username, password: "correct horse" }, { username: `b.${username}` }],
    });
    expect(license).toMatchObject({ license_key: null, users: [username, `b.${username}`] });
    const apiKey = await manageOk("POST", "/api/v1/api-keys", {});
    const credentials = { id: apiKey.id, apiKey: apiKey.api_key, sharedKey: apiKey.shared_key };
    const identity = { product: created.short_code, username, hardware_id: uniqueCode("hw") };
    expect(await errorCode(await postSigned("/api/v4/activate_license", { ...identity, password: "wrong password" }, credentials))).toBe(
      "invalid_password",
    );
    const activated = await signedBody<{ id: number }>(
      await postSigned("/api/v4/activate_license", { ...identity, password: "correct horse" }, credentials),
    );
    expect(activated.id).toBe(license.id);
  });

  it("refuses bodies that do not fit the product", async () => {
    const keyProduct = await product();
    const userProduct = await product("user");
    const cases: Array<[unknown, string, RegExp]> = [
      [{ product_id: keyProduct.id, users: [{ username: "a@example.com" }] }, "validation_error", /key-based/],
      [{ product_id: userProduct.id, license_key: "ABC" }, "validation_error", /user-based/],
      [{ product_id: userProduct.id }, "missing_parameters", /at least one user/],
      [{ product_id: userProduct.id, users: [{ username: "a@example.com" }, { username: "A@example.com" }] }, "validation_error", /once/],
      [{ product_id: userProduct.id, users: [{ username: "not-an-email" }] }, "validation_error", /e-mail/],
      [{ product_id: userProduct.id, users: [{ username: "a@example.com", password: "short" }] }, "validation_error", /at least 8/],
      [{ product_id: keyProduct.id, features: { nope: { max_consumption: 1 } } }, "validation_error", /no feature "nope"/],
      [{ product_id: keyProduct.id, features: { exports: { max_consumptions: 1 } } }, "validation_error", /Unrecognized key/],
      [{ product_id: keyProduct.id, validity_period: "tomorrow" }, "validation_error", /ISO-8601/],
      [{ product_id: keyProduct.id, max_activations: 0 }, "validation_error", /at least 1/],
      [{ product_id: keyProduct.id, license_key: "has space" }, "validation_error", /license_key/],
      [{}, "missing_parameters", /product_id/],
      [
        { product_id: String(keyProduct.id) },
        "validation_error",
        new RegExp(`^product_id: expected a number, got the string "${keyProduct.id}"$`),
      ],
    ];
    for (const [body, code, message] of cases) {
      const error = await managementError(await manage("POST", "/api/v1/licenses", body));
      expect(error.code, JSON.stringify(body)).toBe(code);
      expect(error.message, JSON.stringify(body)).toMatch(message);
    }
    expect((await managementError(await manage("POST", "/api/v1/licenses", { product_id: 999999 }))).code).toBe("not_found");
  });
});

describe("finding licenses", () => {
  it("gets a license with live totals (from the counter object, before any audit flush)", async () => {
    const setup = await vendorSetup({ max_consumption: 50 });
    for (let i = 0; i < 3; i++) expect((await consumeAs(setup, 4)).status).toBe(200);
    const license = await manageOk("GET", `/api/v1/licenses/${setup.license.id}`);
    expect(license).toMatchObject({ id: setup.license.id, active: true, enabled: true });
    expect(license.features.find((f: { code: string }) => f.code === setup.featureCode).total_consumptions).toBe(12);
    expect((await managementError(await manage("GET", "/api/v1/licenses/999999"))).code).toBe("not_found");
  });

  it("lists and filters by product, key, user (case-insensitive) and enabled state, in pages", async () => {
    const keyProduct = await product();
    const userProduct = await product("user");
    const a = await manageOk("POST", "/api/v1/licenses", { product_id: keyProduct.id });
    const b = await manageOk("POST", "/api/v1/licenses", { product_id: keyProduct.id, enabled: false });
    const username = `${uniqueCode("user")}@example.com`;
    const c = await manageOk("POST", "/api/v1/licenses", { product_id: userProduct.id, users: [{ username }] });
    const ids = async (query: string) =>
      (await manageOk("GET", `/api/v1/licenses?${query}`)).data.map((license: { id: number }) => license.id);
    expect(await ids(`product_id=${keyProduct.id}`)).toEqual([a.id, b.id]);
    expect(await ids(`license_key=${a.license_key}`)).toEqual([a.id]);
    expect(await ids(`username=${encodeURIComponent(username.toUpperCase())}`)).toEqual([c.id]);
    expect(await ids(`product_id=${keyProduct.id}&enabled=false`)).toEqual([b.id]);
    expect(await ids(`product_id=${keyProduct.id}&enabled=true`)).toEqual([a.id]);
    const first = await manageOk("GET", `/api/v1/licenses?product_id=${keyProduct.id}&limit=1`);
    expect(first.data.map((l: { id: number }) => l.id)).toEqual([a.id]);
    const second = await manageOk("GET", `/api/v1/licenses?product_id=${keyProduct.id}&limit=1&cursor=${first.next_cursor}`);
    expect(second).toMatchObject({ data: [{ id: b.id }], next_cursor: null });
    expect((await managementError(await manage("GET", "/api/v1/licenses?enabled=maybe"))).code).toBe("validation_error");
  });
});

describe("changing licenses", () => {
  it("disables and enables a license: the License API follows on the next request", async () => {
    const setup = await vendorSetup();
    expect((await consumeAs(setup)).status).toBe(200);
    expect(await manageOk("POST", `/api/v1/licenses/${setup.license.id}/disable`)).toMatchObject({ id: setup.license.id, enabled: false });
    expect(await errorCode(await consumeAs(setup))).toBe("license_not_enabled");
    expect(await errorCode(await getSigned("/api/v4/check_license", setup.identity, setup.credentials))).toBe("license_not_enabled");
    expect(await manageOk("POST", `/api/v1/licenses/${setup.license.id}/enable`)).toMatchObject({ enabled: true });
    expect((await consumeAs(setup)).status).toBe(200);
    expect((await managementError(await manage("POST", "/api/v1/licenses/999999/disable"))).code).toBe("not_found");
  });

  it("changes a feature's allowance (override, then back to the product default with null)", async () => {
    const setup = await vendorSetup({ max_consumption: 10 });
    const path = `/api/v1/licenses/${setup.license.id}/features/${setup.featureCode}`;
    expect((await consumeAs(setup, 8)).status).toBe(200);
    const lowered = await manageOk("PATCH", path, { max_consumption: 8 });
    expect(lowered).toMatchObject({ max_consumption: 8, total_consumptions: 8, overrides: { max_consumption: 8 } });
    expect(await errorCode(await consumeAs(setup))).toBe("feature_not_enough_consumptions");
    await manageOk("PATCH", path, { allow_overages: true, max_overages: 1 });
    expect((await consumeAs(setup)).status).toBe(200);
    expect(await errorCode(await consumeAs(setup))).toBe("feature_not_enough_consumptions");
    const inherited = await manageOk("PATCH", path, { max_consumption: null, allow_overages: null, max_overages: null });
    expect(inherited).toMatchObject({
      max_consumption: 10,
      allow_overages: false,
      total_consumptions: 9,
      overrides: { max_consumption: null, allow_overages: null },
    });
    expect((await consumeAs(setup)).status).toBe(200);
    await manageOk("PATCH", path, { allow_unlimited_consumptions: true });
    expect((await consumeAs(setup, 1000)).status).toBe(200);
    expect((await managementError(await manage("PATCH", path, {}))).code).toBe("validation_error");
    expect((await managementError(await manage("PATCH", path, { max_consumption: "10" }))).code).toBe("validation_error");
    expect(
      (await managementError(await manage("PATCH", `/api/v1/licenses/${setup.license.id}/features/nope`, { max_consumption: 1 }))).code,
    ).toBe("not_found");
    expect(
      (await managementError(await manage("PATCH", `/api/v1/licenses/999999/features/${setup.featureCode}`, { max_consumption: 1 }))).code,
    ).toBe("not_found");
  });

  it("resets a feature's consumption in its counter object, audited as manual_reset", async () => {
    const setup = await vendorSetup({ max_consumption: 10 });
    expect((await consumeAs(setup, 10)).status).toBe(200);
    expect(await errorCode(await consumeAs(setup))).toBe("feature_not_enough_consumptions");
    const reset = await manageOk("POST", `/api/v1/licenses/${setup.license.id}/features/${setup.featureCode}/reset`);
    expect(reset).toMatchObject({ code: setup.featureCode, total_consumptions: 0 });
    expect(await signedBody<{ total_consumptions: number }>(await consumeAs(setup, 2))).toMatchObject({ total_consumptions: 2 });
    await flushAudit(setup.licenseFeatureId);
    const audit = await manageOk("GET", `/api/v1/audit?license_feature_id=${setup.licenseFeatureId}`);
    expect(
      audit.data.map((row: { event: string; consumptions: number; total_after: number }) => [row.event, row.consumptions, row.total_after]),
    ).toEqual([
      ["consumption_add", 10, 10],
      ["manual_reset", -10, 0],
      ["consumption_add", 2, 2],
    ]);
    const activation = await manage("POST", `/api/v1/licenses/${setup.license.id}/features/pro/reset`);
    expect((await managementError(activation)).code).toBe("not_found");
  });
});

describe("consumption licenses (license-level consumption)", () => {
  const addConsumption = (setup: Awaited<ReturnType<typeof vendorSetup>>, consumptions: number) =>
    postSigned("/api/v4/add_consumption", { ...setup.identity, consumptions }, setup.credentials);

  it("issues one with its own allowance, shows its live total, changes the allowance and resets it", async () => {
    const setup = await vendorSetup(
      { max_consumption: 100 },
      { license_type: "consumption", consumption: { max_consumptions: 10, allow_overages: true, max_overages: 2 } },
    );
    expect(setup.license).toMatchObject({
      license_type: "consumption",
      consumption: { max_consumptions: 10, allow_overages: true, max_overages: 2, total_consumptions: 0 },
    });
    expect((await addConsumption(setup, 6)).status).toBe(200);
    expect((await manageOk("GET", `/api/v1/licenses/${setup.license.id}`)).consumption).toMatchObject({ total_consumptions: 6 });

    const lowered = await manageOk("PATCH", `/api/v1/licenses/${setup.license.id}/consumption`, { max_consumptions: 4 });
    expect(lowered).toMatchObject({ max_consumptions: 4, total_consumptions: 6 });
    expect(await errorCode(await addConsumption(setup, 1))).toBe("license_not_enough_consumptions");

    expect(await manageOk("POST", `/api/v1/licenses/${setup.license.id}/consumption/reset`)).toMatchObject({ total_consumptions: 0 });
    expect(await signedBody<{ total_consumptions: number }>(await addConsumption(setup, 5))).toMatchObject({ total_consumptions: 5 });
  });

  it("refuses license-level consumption on other license types, and bad input", async () => {
    const setup = await vendorSetup();
    expect(setup.license).toMatchObject({ license_type: "perpetual", consumption: null });
    const patch = await manage("PATCH", `/api/v1/licenses/${setup.license.id}/consumption`, { max_consumptions: 4 });
    expect((await managementError(patch)).message).toMatch(/perpetual license/);
    expect((await managementError(await manage("POST", `/api/v1/licenses/${setup.license.id}/consumption/reset`))).code).toBe(
      "validation_error",
    );
    expect((await managementError(await manage("POST", "/api/v1/licenses/999999/consumption/reset"))).code).toBe("not_found");
    const issue = await manage("POST", "/api/v1/licenses", { product_id: setup.product.id, consumption: { max_consumptions: 1 } });
    expect((await managementError(issue)).message).toMatch(/only for license_type "consumption"/);
    const consumption = await vendorSetup({ max_consumption: 1 }, { license_type: "consumption" });
    const path = `/api/v1/licenses/${consumption.license.id}/consumption`;
    expect((await managementError(await manage("PATCH", path, {}))).code).toBe("validation_error");
    expect((await managementError(await manage("PATCH", path, { max_consumption: 3 }))).message).toMatch(/Unrecognized key/);
  });
});
