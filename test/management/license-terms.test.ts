// Licenses that change: validity, seats and type (PATCH), features added to one license or to every
// license of a product, removed and brought back, archived and restored; products and features
// deleted only when nothing refers to them. Each change is checked through the License API on the
// very next request, and in the activity log.
import { describe, expect, it } from "vitest";
import { errorCode, getSigned, postSigned, signedBody } from "../support/client";
import { consumeAs, manage, manageOk, managementError, uniqueCode, vendorSetup, type VendorSetup } from "../support/management-client";

const patchLicense = (setup: VendorSetup, body: unknown) => manage("PATCH", `/api/v1/licenses/${setup.license.id}`, body);
const checkLicense = (setup: VendorSetup) => getSigned("/api/v4/check_license", setup.identity, setup.credentials);
const activate = (setup: VendorSetup, hardwareId = uniqueCode("hw")) =>
  postSigned("/api/v4/activate_license", { ...setup.identity, hardware_id: hardwareId }, setup.credentials);
const consumeFeature = (setup: VendorSetup, feature: string, consumptions = 1) =>
  postSigned("/api/v4/add_feature_consumption", { ...setup.identity, feature, consumptions }, setup.credentials);

/** The newest activity entry about the license. */
async function lastActivity(licenseId: number) {
  return (await manageOk("GET", `/api/v1/activity?license_id=${licenseId}&limit=1`)).data[0];
}

describe("changing a license's terms", () => {
  it("shortens and extends validity: the very next request is license_expired, then accepted again", async () => {
    const setup = await vendorSetup();
    expect((await consumeAs(setup)).status).toBe(200);
    const past = "2020-01-01T00:00:00Z";
    const shortened = await manageOk("PATCH", `/api/v1/licenses/${setup.license.id}`, { validity_period: past });
    expect(shortened.validity_period).toBe("2020-01-01T00:00:00.000Z");
    // A date in the past is legitimate (the vendor ends the license now) and flagged, not refused.
    expect(shortened.warnings).toEqual([expect.stringMatching(/^validity_period 2020-01-01T00:00:00.000Z is past/)]);
    expect(await errorCode(await consumeAs(setup))).toBe("license_expired");
    expect(await errorCode(await checkLicense(setup))).toBe("license_expired");
    expect(await lastActivity(setup.license.id)).toMatchObject({
      actor: "MANAGEMENT_KEY",
      action: "license.updated",
      target_type: "license",
      target_id: setup.license.id,
      before: { validity_period: null },
      after: { validity_period: "2020-01-01T00:00:00.000Z" },
    });

    await manageOk("PATCH", `/api/v1/licenses/${setup.license.id}`, { validity_period: "2099-12-31T23:59:59+01:00" });
    expect(await signedBody<{ validity_period: string }>(await checkLicense(setup))).toMatchObject({
      validity_period: "2099-12-31T22:59:59.000Z",
    });
    expect((await consumeAs(setup)).status).toBe(200);
    await manageOk("PATCH", `/api/v1/licenses/${setup.license.id}`, { validity_period: null });
    expect((await consumeAs(setup)).status).toBe(200);
  });

  it("changes seats: more activations at once, fewer keeps the devices already active, unlimited lifts the cap", async () => {
    const setup = await vendorSetup({ max_consumption: 100 }, { max_activations: 1 });
    expect(await errorCode(await activate(setup))).toBe("license_activated_max_times");
    await manageOk("PATCH", `/api/v1/licenses/${setup.license.id}`, { max_activations: 2 });
    const second = uniqueCode("hw");
    expect((await activate(setup, second)).status).toBe(200);
    expect(await errorCode(await activate(setup))).toBe("license_activated_max_times");

    // Fewer seats than active devices: nobody is deactivated; no new device until below the cap.
    await manageOk("PATCH", `/api/v1/licenses/${setup.license.id}`, { max_activations: 1 });
    expect((await consumeAs(setup)).status).toBe(200);
    expect((await consumeAs({ ...setup, identity: { ...setup.identity, hardware_id: second } })).status).toBe(200);
    expect(await errorCode(await activate(setup))).toBe("license_activated_max_times");

    await manageOk("PATCH", `/api/v1/licenses/${setup.license.id}`, { allow_unlimited_activations: true });
    expect((await activate(setup)).status).toBe(200);
    expect((await managementError(await patchLicense(setup, { max_activations: 0 }))).code).toBe("validation_error");
  });

  it("changes the type among perpetual, time-limited and subscription; to consumption with its counter's rules; never from consumption", async () => {
    const setup = await vendorSetup();
    // A time-limited license needs a validity_period: the change is refused without one, and made with one.
    expect(await managementError(await patchLicense(setup, { license_type: "time-limited" }))).toMatchObject({
      code: "validation_error",
      message: expect.stringMatching(/^validity_period: a time-limited license needs one/),
    });
    const validity = "2099-12-31T23:59:59Z";
    for (const [type, extra] of [
      ["time-limited", { validity_period: validity }],
      ["subscription", {}],
      ["perpetual", {}],
    ] as const) {
      await manageOk("PATCH", `/api/v1/licenses/${setup.license.id}`, { license_type: type, ...extra });
      expect(await signedBody<{ license_type: string }>(await checkLicense(setup))).toMatchObject({ license_type: type });
    }
    const addConsumption = (consumptions: number) =>
      postSigned("/api/v4/add_consumption", { ...setup.identity, consumptions }, setup.credentials);
    expect(await errorCode(await addConsumption(1))).toBe("license_not_consumption");
    const becameConsumption = await manageOk("PATCH", `/api/v1/licenses/${setup.license.id}`, {
      license_type: "consumption",
      consumption: { max_consumptions: 3 },
    });
    expect(becameConsumption).toMatchObject({ license_type: "consumption", consumption: { max_consumptions: 3, total_consumptions: 0 } });
    expect(await signedBody<{ total_consumptions: number }>(await addConsumption(3))).toMatchObject({ total_consumptions: 3 });
    expect(await errorCode(await addConsumption(1))).toBe("license_not_enough_consumptions");
    expect(await lastActivity(setup.license.id)).toMatchObject({
      action: "license.updated",
      before: { license_type: "perpetual" },
      after: { license_type: "consumption", consumption: { max_consumptions: 3, allow_overages: false } },
    });

    const back = await managementError(await patchLicense(setup, { license_type: "perpetual" }));
    expect(back).toMatchObject({ code: "validation_error", message: expect.stringMatching(/stays one/) });
    const rulesHere = await managementError(
      await patchLicense(setup, { license_type: "consumption", consumption: { max_consumptions: 9 } }),
    );
    expect(rulesHere.message).toMatch(/\/consumption/);
    expect((await managementError(await patchLicense(setup, { consumption: { max_consumptions: 9 } }))).message).toMatch(
      /only for license_type "consumption"/,
    );
  });

  it("records nothing changed when a PATCH sets what is there, and refuses unknown fields", async () => {
    const setup = await vendorSetup();
    await manageOk("PATCH", `/api/v1/licenses/${setup.license.id}`, { max_activations: 5 });
    expect(await lastActivity(setup.license.id)).toMatchObject({ action: "license.updated", before: {}, after: {} });
    expect((await managementError(await patchLicense(setup, { max_activation: 5 }))).message).toMatch(/Unrecognized key/);
    expect((await managementError(await manage("PATCH", "/api/v1/licenses/999999", { max_activations: 2 }))).code).toBe("not_found");
  });
});

describe("a license's features", () => {
  it("adds a product's new feature to one license: the very next request consumes it", async () => {
    const setup = await vendorSetup({ max_consumption: 10 });
    const code = uniqueCode("later");
    await manageOk("POST", `/api/v1/products/${setup.product.id}/features`, { code, name: "Later", max_consumption: 100 });
    expect(await errorCode(await consumeFeature(setup, code))).toBe("unsupported_product_feature");

    const response = await manage("POST", `/api/v1/licenses/${setup.license.id}/features`, { code, max_consumption: 3 });
    expect(response.status).toBe(201);
    const added = (await response.json()) as Record<string, any>;
    expect(added).toMatchObject({ code, max_consumption: 3, total_consumptions: 0, overrides: { max_consumption: 3 } });
    expect(await signedBody<{ total_consumptions: number }>(await consumeFeature(setup, code, 3))).toMatchObject({ total_consumptions: 3 });
    expect(await errorCode(await consumeFeature(setup, code))).toBe("feature_not_enough_consumptions");
    expect(await lastActivity(setup.license.id)).toMatchObject({
      action: "license_feature.added",
      target_type: "license_feature",
      target_id: added.id,
      after: { code, max_consumption: 3 },
    });

    const again = await managementError(await manage("POST", `/api/v1/licenses/${setup.license.id}/features`, { code }));
    expect(again.code).toBe("conflict");
    const unknown = await managementError(await manage("POST", `/api/v1/licenses/${setup.license.id}/features`, { code: "nope" }));
    expect(unknown).toMatchObject({ code: "validation_error", message: 'code: the license\'s product has no feature "nope"' });
  });

  it("removes a feature: the very next request is unsupported_product_feature; adding it again brings its counter back", async () => {
    const setup = await vendorSetup({ max_consumption: 10 });
    expect((await consumeAs(setup, 4)).status).toBe(200);
    const path = `/api/v1/licenses/${setup.license.id}/features/${setup.featureCode}`;
    const removed = await manageOk("DELETE", path);
    expect(removed).toMatchObject({ code: setup.featureCode, total_consumptions: 4 });
    expect(await errorCode(await consumeAs(setup))).toBe("unsupported_product_feature");
    const checked = await signedBody<{ product_features: Array<{ code: string }> }>(await checkLicense(setup));
    expect(checked.product_features.map((feature) => feature.code)).not.toContain(setup.featureCode);
    expect((await manageOk("GET", `/api/v1/licenses/${setup.license.id}`)).features).toEqual([]);
    expect((await managementError(await manage("PATCH", path, { max_consumption: 1 }))).code).toBe("not_found");
    expect((await managementError(await manage("DELETE", path))).code).toBe("not_found");
    expect(await lastActivity(setup.license.id)).toMatchObject({
      action: "license_feature.removed",
      target_id: setup.licenseFeatureId,
      before: { code: setup.featureCode, total_consumptions: 4 },
      after: null,
    });

    const back = await manageOk("POST", `/api/v1/licenses/${setup.license.id}/features`, { code: setup.featureCode });
    expect(back).toMatchObject({ id: setup.licenseFeatureId, total_consumptions: 4 });
    expect(await signedBody<{ total_consumptions: number }>(await consumeAs(setup, 6))).toMatchObject({ total_consumptions: 10 });
    expect(await errorCode(await consumeAs(setup))).toBe("feature_not_enough_consumptions");
  });

  it("adds a feature to every license of the product in one call, leaving archived licenses and deliberate removals as they are", async () => {
    const setup = await vendorSetup({ max_consumption: 10 });
    const others = await Promise.all([0, 1, 2].map(() => manageOk("POST", "/api/v1/licenses", { product_id: setup.product.id })));
    await manageOk("POST", `/api/v1/licenses/${others[0].id}/archive`);
    const code = uniqueCode("rollout");
    await manageOk("POST", `/api/v1/products/${setup.product.id}/features`, { code, name: "Rollout", max_consumption: 5 });
    await manageOk("POST", `/api/v1/licenses/${others[1].id}/features`, { code });
    await manageOk("DELETE", `/api/v1/licenses/${others[1].id}/features/${code}`);

    // The license's client asked for the feature, and checked the license, before it had it: what its objects learnt then is forgotten.
    expect(await errorCode(await consumeFeature(setup, code))).toBe("unsupported_product_feature");
    expect((await checkLicense(setup)).status).toBe(200);
    const path = `/api/v1/products/${setup.product.id}/features/${code}/add-to-licenses`;
    expect(await manageOk("POST", path, { max_consumption: 2 })).toEqual({ feature_code: code, licenses_added: 2 });
    expect(await signedBody<{ total_consumptions: number }>(await consumeFeature(setup, code, 2))).toMatchObject({ total_consumptions: 2 });
    expect(await errorCode(await consumeFeature(setup, code))).toBe("feature_not_enough_consumptions");
    const listed = await signedBody<{ product_features: Array<{ code: string }> }>(await checkLicense(setup));
    expect(listed.product_features.map((feature) => feature.code)).toContain(code);
    const codes = async (id: number) =>
      (await manageOk("GET", `/api/v1/licenses/${id}`)).features.map((feature: { code: string }) => feature.code);
    expect(await codes(others[0].id)).not.toContain(code);
    expect(await codes(others[1].id)).not.toContain(code);
    expect(await codes(others[2].id)).toContain(code);
    // Running it again adds nothing.
    expect(await manageOk("POST", path, {})).toEqual({ feature_code: code, licenses_added: 0 });
    const entries = (await manageOk("GET", `/api/v1/activity?action=product_feature.added_to_licenses&target_type=product_feature`)).data;
    expect(entries[0]).toMatchObject({ after: { code, overrides: {}, licenses_added: 0 } });
    expect(entries[1]).toMatchObject({ after: { code, overrides: { max_consumption: 2 }, licenses_added: 2 } });
    expect(
      (await managementError(await manage("POST", `/api/v1/products/${setup.product.id}/features/nope/add-to-licenses`, {}))).code,
    ).toBe("not_found");
  });
});

describe("archiving", () => {
  it("archives a license: disabled for clients at once, out of listings, frozen; restored, it stays disabled until enabled", async () => {
    const setup = await vendorSetup();
    expect((await consumeAs(setup)).status).toBe(200);
    const archived = await manageOk("POST", `/api/v1/licenses/${setup.license.id}/archive`);
    expect(archived).toMatchObject({ enabled: false });
    expect(archived.archived_at).toMatch(/^\d{4}-/);
    expect(await errorCode(await consumeAs(setup))).toBe("license_not_enabled");

    const ids = async (query: string) =>
      (await manageOk("GET", `/api/v1/licenses?product_id=${setup.product.id}&${query}`)).data.map((license: { id: number }) => license.id);
    expect(await ids("")).toEqual([]);
    expect(await ids("archived=true")).toEqual([setup.license.id]);
    expect(await ids("archived=any")).toEqual([setup.license.id]);
    // Its history stays readable.
    expect((await manageOk("GET", `/api/v1/licenses/${setup.license.id}`)).features[0].total_consumptions).toBe(1);

    for (const [method, path, body] of [
      ["PATCH", "", { max_activations: 9 }],
      ["POST", "/enable", undefined],
      ["POST", "/disable", undefined],
      ["PATCH", `/features/${setup.featureCode}`, { max_consumption: 1 }],
      ["POST", `/features/${setup.featureCode}/reset`, undefined],
      ["DELETE", `/features/${setup.featureCode}`, undefined],
      ["POST", "/features", { code: setup.featureCode }],
      ["PATCH", "/consumption", { max_consumptions: 1 }],
      ["POST", "/consumption/reset", undefined],
    ] as const) {
      const refused = await managementError(await manage(method, `/api/v1/licenses/${setup.license.id}${path}`, body));
      expect(refused, `${method} ${path}`).toMatchObject({
        code: "conflict",
        message: expect.stringMatching(/archived: restore it first/),
      });
    }
    for (const change of ["blacklist", "unblacklist", "deactivate"])
      expect((await managementError(await manage("POST", `/api/v1/devices/${setup.deviceId}/${change}`))).code, change).toBe("conflict");
    // Archiving again changes nothing (and records nothing).
    expect(await manageOk("POST", `/api/v1/licenses/${setup.license.id}/archive`)).toEqual(archived);

    const restored = await manageOk("POST", `/api/v1/licenses/${setup.license.id}/restore`);
    expect(restored).toMatchObject({ archived_at: null, enabled: false });
    expect(await errorCode(await consumeAs(setup))).toBe("license_not_enabled");
    await manageOk("POST", `/api/v1/licenses/${setup.license.id}/enable`);
    expect((await consumeAs(setup)).status).toBe(200);

    const actions = (await manageOk("GET", `/api/v1/activity?license_id=${setup.license.id}`)).data.map(
      (entry: { action: string }) => entry.action,
    );
    expect(actions).toEqual(["license.enabled", "license.restored", "license.archived", "license.issued"]);
  });
});

describe("deleting products and features", () => {
  it("deletes only what no license refers to: a feature no license ever carried, a product without licenses or keys limited to it", async () => {
    const setup = await vendorSetup();
    const usedFeature = await managementError(await manage("DELETE", `/api/v1/products/${setup.product.id}/features/${setup.featureCode}`));
    expect(usedFeature).toMatchObject({ code: "conflict", message: expect.stringMatching(/on 1 license/) });
    const usedProduct = await managementError(await manage("DELETE", `/api/v1/products/${setup.product.id}`));
    expect(usedProduct).toMatchObject({ code: "conflict", message: expect.stringMatching(/1 license\(s\)/) });

    const unused = uniqueCode("unused");
    await manageOk("POST", `/api/v1/products/${setup.product.id}/features`, { code: unused, name: "Unused" });
    expect(await manageOk("DELETE", `/api/v1/products/${setup.product.id}/features/${unused}`)).toMatchObject({ code: unused });
    expect((await managementError(await manage("DELETE", `/api/v1/products/${setup.product.id}/features/${unused}`))).code).toBe(
      "not_found",
    );

    const empty = await manageOk("POST", "/api/v1/products", { short_code: uniqueCode("empty"), name: "Empty" });
    await manageOk("POST", `/api/v1/products/${empty.id}/features`, { code: "f", name: "F" });
    await manageOk("POST", `/api/v1/products/${empty.id}/custom-fields`, { name: "plan" });
    const keyed = await manageOk("POST", "/api/v1/api-keys", { product_ids: [empty.id] });
    expect((await managementError(await manage("DELETE", `/api/v1/products/${empty.id}`))).message).toMatch(/1 License API key/);
    await manageOk("POST", `/api/v1/api-keys/${keyed.id}/revoke`);
    // A revoked key's allow-list still names the product: it stays until no key is limited to it.
    expect((await managementError(await manage("DELETE", `/api/v1/products/${empty.id}`))).code).toBe("conflict");

    const bare = await manageOk("POST", "/api/v1/products", { short_code: uniqueCode("bare"), name: "Bare" });
    await manageOk("POST", `/api/v1/products/${bare.id}/features`, { code: "f", name: "F" });
    await manageOk("POST", `/api/v1/products/${bare.id}/custom-fields`, { name: "plan" });
    expect(await manageOk("DELETE", `/api/v1/products/${bare.id}`)).toMatchObject({ id: bare.id, short_code: bare.short_code });
    expect((await managementError(await manage("GET", `/api/v1/products/${bare.id}`))).code).toBe("not_found");
    const deleted = (await manageOk("GET", `/api/v1/activity?target_type=product&target_id=${bare.id}`)).data;
    expect(deleted.map((entry: { action: string }) => entry.action)).toEqual(["product.deleted", "product.created"]);
  });
});
