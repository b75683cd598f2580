// Floating settings through the management API: set on issue and PATCH (licenses, license
// features, product features), checked together, applied by the very next License API request
// (the coherence rule), and the pools shown to the vendor (floating_devices).
import { afterEach, describe, expect, it, vi } from "vitest";
import { errorCode, getSigned, postSigned, signedBody } from "../support/client";
import { manage, manageOk, managementError, vendorSetup, type VendorSetup } from "../support/management-client";

afterEach(() => {
  vi.useRealTimers();
});

/** Activates one more device on the setup's license; its identity. */
async function anotherDevice(setup: VendorSetup) {
  const identity = { ...setup.identity, hardware_id: `${setup.hardwareId}-other-${crypto.randomUUID().slice(0, 6)}` };
  await signedBody(await postSigned("/api/v4/activate_license", identity, setup.credentials));
  return identity;
}

const check = (setup: VendorSetup, identity: Record<string, string> = setup.identity) =>
  getSigned("/api/v4/check_license", identity, setup.credentials);
const checkFeature = (setup: VendorSetup, identity: Record<string, string> = setup.identity) =>
  getSigned("/api/v4/check_license_feature", { ...identity, feature: setup.featureCode }, setup.credentials);

describe("floating settings", () => {
  it("issued with the license, answered by the License API, and the pool shown in the license detail", async () => {
    const setup = await vendorSetup(
      {},
      { is_floating_cloud: true, floating_users: 2, floating_timeout: 45, can_borrow: true, max_borrow_time: 72 },
    );
    const detail = await manageOk("GET", `/api/v1/licenses/${setup.license.id}`);
    expect(detail).toMatchObject({
      is_floating_cloud: true,
      floating_users: 2,
      floating_timeout: 45,
      can_borrow: true,
      max_borrow_time: 72,
      floating_devices: [],
    });
    expect(await signedBody(await check(setup))).toMatchObject({ is_floating_cloud: true, floating_users: 2, floating_timeout: 45 });
    const after = await manageOk("GET", `/api/v1/licenses/${setup.license.id}`);
    expect(after.floating_devices).toEqual([{ hardware_id: setup.hardwareId, in_use_until: expect.any(String), borrowed_until: null }]);
    expect(Date.parse(after.floating_devices[0].in_use_until) - Date.now()).toBeGreaterThan(44 * 60_000);
    const borrowed = await signedBody<{ borrowed_until: string }>(
      await postSigned("/api/v4/floating/borrow", { ...setup.identity, borrowed_until: null }, setup.credentials),
    );
    expect((await manageOk("GET", `/api/v1/licenses/${setup.license.id}`)).floating_devices).toEqual([
      { hardware_id: setup.hardwareId, in_use_until: borrowed.borrowed_until, borrowed_until: borrowed.borrowed_until },
    ]);
  });

  it("defaults: not floating, 120-minute timeout, no borrowing", async () => {
    const setup = await vendorSetup();
    expect(await manageOk("GET", `/api/v1/licenses/${setup.license.id}`)).toMatchObject({
      is_floating_cloud: false,
      floating_users: 0,
      floating_timeout: 120,
      can_borrow: false,
      max_borrow_time: 0,
    });
    expect((await manageOk("GET", `/api/v1/products/${setup.product.id}/features`)).data[0]).toMatchObject({
      is_floating_cloud: false,
      floating_users: 0,
      floating_timeout: 120,
    });
  });

  it("values that do not go together are validation_error, on every write", async () => {
    const setup = await vendorSetup();
    const product = setup.product.id;
    const cases: Array<[string, string, unknown]> = [
      ["POST", "/api/v1/licenses", { product_id: product, is_floating_cloud: true }],
      ["POST", "/api/v1/licenses", { product_id: product, can_borrow: true }],
      ["POST", "/api/v1/licenses", { product_id: product, is_floating_cloud: true, floating_users: 1, floating_timeout: 0 }],
      ["POST", "/api/v1/licenses", { product_id: product, features: { [setup.featureCode]: { is_floating_cloud: true } } }],
      ["PATCH", `/api/v1/licenses/${setup.license.id}`, { is_floating_cloud: true }],
      ["PATCH", `/api/v1/licenses/${setup.license.id}`, { can_borrow: true }],
      ["PATCH", `/api/v1/licenses/${setup.license.id}/features/${setup.featureCode}`, { is_floating_cloud: true }],
      ["POST", `/api/v1/products/${product}/features`, { code: "floaty", name: "F", is_floating_cloud: true }],
      ["PATCH", `/api/v1/products/${product}/features/${setup.featureCode}`, { is_floating_cloud: true }],
    ];
    for (const [method, path, body] of cases) {
      const response = await manage(method, path, body);
      expect(response.status, `${method} ${path} ${JSON.stringify(body)}`).toBe(400);
      expect((await managementError(response)).code).toBe("validation_error");
    }
    // Together they are fine.
    await manageOk("PATCH", `/api/v1/licenses/${setup.license.id}/features/${setup.featureCode}`, {
      is_floating_cloud: true,
      floating_users: 1,
    });
  });
});

describe("a product feature's floating_users default", () => {
  it("cannot drop below 1 while a floating license feature uses it (its pool would have no slot)", async () => {
    const setup = await vendorSetup();
    const defaults = `/api/v1/products/${setup.product.id}/features/${setup.featureCode}`;
    const licenseFeature = `/api/v1/licenses/${setup.license.id}/features/${setup.featureCode}`;
    await manageOk("PATCH", defaults, { floating_users: 2 }); // the product feature itself does not float
    await manageOk("PATCH", licenseFeature, { is_floating_cloud: true }); // floats on the product's 2 slots
    expect(await signedBody(await checkFeature(setup))).toMatchObject({ is_floating_cloud: true, floating_users: 2 });

    const refused = await manage("PATCH", defaults, { floating_users: 0 });
    expect(refused.status).toBe(400);
    expect(await managementError(refused)).toMatchObject({
      code: "validation_error",
      message: expect.stringMatching(/^floating_users: 1 /),
    });
    expect(await signedBody(await checkFeature(setup))).toMatchObject({ is_floating_cloud: true, floating_users: 2 });

    // With its own value the license feature no longer depends on the default.
    await manageOk("PATCH", licenseFeature, { floating_users: 1 });
    await manageOk("PATCH", defaults, { floating_users: 0 });
    expect(await signedBody(await checkFeature(setup))).toMatchObject({ is_floating_cloud: true, floating_users: 1 });
  });
});

describe("the next request decides with what the vendor set", () => {
  it("PATCH a license: floating on, then a bigger pool, apply at once", async () => {
    const setup = await vendorSetup();
    const other = await anotherDevice(setup);
    expect(await signedBody(await check(setup))).toMatchObject({ is_floating_cloud: false, floating_in_use_devices: 0 });

    await manageOk("PATCH", `/api/v1/licenses/${setup.license.id}`, { is_floating_cloud: true, floating_users: 1 });
    expect(await signedBody(await check(setup))).toMatchObject({ is_floating_cloud: true, floating_in_use_devices: 1 });
    expect(await errorCode(await check(setup, other))).toBe("floating_not_available");

    await manageOk("PATCH", `/api/v1/licenses/${setup.license.id}`, { floating_users: 2 });
    expect(await signedBody(await check(setup, other))).toMatchObject({ floating_users: 2, floating_in_use_devices: 2 });
  });

  it("PATCH a license: borrowing allowed from the next request", async () => {
    const setup = await vendorSetup({}, { is_floating_cloud: true, floating_users: 1 });
    const borrow = () => postSigned("/api/v4/floating/borrow", { ...setup.identity, borrowed_until: null }, setup.credentials);
    expect(await errorCode(await borrow())).toBe("license_borrow_not_allowed");
    await manageOk("PATCH", `/api/v1/licenses/${setup.license.id}`, { can_borrow: true, max_borrow_time: 2 });
    expect(await signedBody(await borrow())).toMatchObject({ max_borrow_time: 2 });
  });

  it("PATCH a license feature, and a product feature's defaults: the feature's pool follows", async () => {
    const setup = await vendorSetup();
    const other = await anotherDevice(setup);
    expect(await signedBody(await checkFeature(setup))).toMatchObject({ is_floating_cloud: false });

    const feature = await manageOk("PATCH", `/api/v1/licenses/${setup.license.id}/features/${setup.featureCode}`, {
      is_floating_cloud: true,
      floating_users: 1,
      floating_timeout: 5,
    });
    expect(feature).toMatchObject({
      is_floating_cloud: true,
      floating_users: 1,
      floating_timeout: 5,
      floating_devices: [],
      overrides: { is_floating_cloud: true, floating_users: 1, floating_timeout: 5 },
    });
    expect(await signedBody(await checkFeature(setup))).toMatchObject({ is_floating_cloud: true, floating_in_use_devices: 1 });
    expect(await errorCode(await checkFeature(setup, other))).toBe("floating_not_available");
    expect(
      (await manageOk("GET", `/api/v1/licenses/${setup.license.id}`)).features[0].floating_devices.map(
        (device: { hardware_id: string }) => device.hardware_id,
      ),
    ).toEqual([setup.hardwareId]);

    // Back to the product's defaults (not floating), then the product feature becomes floating with 2 slots.
    await manageOk("PATCH", `/api/v1/licenses/${setup.license.id}/features/${setup.featureCode}`, {
      is_floating_cloud: null,
      floating_users: null,
      floating_timeout: null,
    });
    expect(await signedBody(await checkFeature(setup, other))).toMatchObject({ is_floating_cloud: false });
    await manageOk("PATCH", `/api/v1/products/${setup.product.id}/features/${setup.featureCode}`, {
      is_floating_cloud: true,
      floating_users: 2,
    });
    expect(await signedBody(await checkFeature(setup, other))).toMatchObject({ is_floating_cloud: true, floating_users: 2 });
  });
});
