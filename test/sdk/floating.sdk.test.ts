// Floating cloud licenses and floating features through the official SDK, unchanged, against the
// service in workerd: every floating method of LicenseAPI, LicenseManager and License, with the
// SDK verifying the signatures of what it verifies. Where SDK 1.4.17 itself misbehaves on floating
// licenses, a test shows exactly what it does (docs/sdk-compatibility.md "SDK behaviour").
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LicenseAPI, LicenseManager } from "@licensespring/node-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalService, type LocalService } from "./local-service";
import { sdkError, vendorApi } from "./vendor-api";

let service: LocalService;
let api: LicenseAPI;
let manage: ReturnType<typeof vendorApi>;
const fileDirs: string[] = [];

const product = "float-key";
const userProduct = "float-user";
const username = "floater@example.com";
const password = "floating-password";
const FEATURE = "seat";
let licenseId: number;
let nodeLockedKey: string;
let userLicenseId: number;

const auth = () => ({
  apiKey: service.credentials.apiKey,
  sharedKey: service.credentials.sharedKey,
  apiPath: service.apiPath,
  publicKey: service.publicKey,
  appName: "floating",
  appVersion: "1.0.0",
});

function manager(licenseProduct: string, hardwareID: string) {
  const filePath = mkdtempSync(join(tmpdir(), "floating-sdk-"));
  fileDirs.push(filePath);
  return new LicenseManager({
    ...auth(),
    productCode: licenseProduct,
    hardwareID,
    filePath,
    filename: "license",
    fileKey: "a-test-file-key",
  });
}

/** A new floating cloud license of the key-based product: 2 slots, 60 minutes, borrowing up to 24 h; its feature "seat" has 1 slot. */
async function floatingLicense(extra: Record<string, unknown> = {}): Promise<{ id: number; key: string }> {
  const issued = await manage("POST", "/api/v1/licenses", {
    ...extra,
    product_id: products.get(product),
    max_activations: 5,
    is_floating_cloud: true,
    floating_users: 2,
    floating_timeout: 60,
    can_borrow: true,
    max_borrow_time: 24,
  });
  return { id: issued.id, key: issued.license_key };
}

const products = new Map<string, number>();

/** Who holds a slot of the license's pool, and of its feature's (the vendor's view: looking changes nothing). */
async function holders(id: number) {
  const detail = await manage("GET", `/api/v1/licenses/${id}`);
  const ids = (devices: Array<{ hardware_id: string }>) => devices.map((device) => device.hardware_id).sort();
  return {
    license: ids(detail.floating_devices),
    feature: ids(detail.features.find((feature: { code: string }) => feature.code === FEATURE).floating_devices),
  };
}

beforeAll(async () => {
  service = await startLocalService();
  api = new LicenseAPI(auth());
  manage = vendorApi(service);
  for (const [code, method] of [
    [product, "license-key"],
    [userProduct, "user"],
  ] as const) {
    const created = await manage("POST", "/api/v1/products", { short_code: code, name: code, authorization_method: method });
    products.set(code, created.id);
    await manage("POST", `/api/v1/products/${created.id}/features`, {
      code: FEATURE,
      name: "Seat",
      feature_type: "activation",
      is_floating_cloud: true,
      floating_users: 1,
      floating_timeout: 30,
    });
  }
  licenseId = (await floatingLicense()).id;
  nodeLockedKey = (await manage("POST", "/api/v1/licenses", { product_id: products.get(product), max_activations: 5 })).license_key;
  userLicenseId = (
    await manage("POST", "/api/v1/licenses", {
      product_id: products.get(userProduct),
      users: [{ username, password }],
      max_activations: 5,
      is_floating_cloud: true,
      floating_users: 1,
      can_borrow: true,
      max_borrow_time: 4,
    })
  ).id;
});

afterAll(async () => {
  await service?.stop();
  for (const dir of fileDirs) rmSync(dir, { recursive: true, force: true });
});

const inHours = (hours: number) => new Date(Date.now() + hours * 3_600_000).toISOString();

describe("LicenseAPI", () => {
  it("checkLicense takes slots; floatingRelease frees one; floatingBorrow keeps one (signature verified)", async () => {
    const { id, key } = await floatingLicense();
    const device = (n: number) => ({ product, license_key: key, hardware_id: `api-device-${n}` });
    for (const n of [1, 2, 3]) await api.activateLicense(device(n));

    expect(await api.checkLicense(device(1))).toMatchObject({ is_floating_cloud: true, floating_users: 2, floating_in_use_devices: 1 });
    expect(await api.checkLicense(device(2))).toMatchObject({ floating_in_use_devices: 2 });
    expect(await sdkError(api.checkLicense(device(3)))).toMatchObject({ status: 400, code: "floating_not_available" });

    expect(await api.floatingRelease(device(1))).toBe(true);
    expect((await holders(id)).license).toEqual(["api-device-2"]);
    expect(await api.checkLicense(device(3))).toMatchObject({ floating_in_use_devices: 2 });

    const until = inHours(3);
    const borrowed = await api.floatingBorrow({ ...device(2), borrowed_until: until });
    expect(borrowed).toEqual({
      borrowed_until: until,
      max_borrow_time: 24,
      device_id: expect.any(Number),
      license_id: id,
      company: { id: 1 },
    });
    expect(await api.checkLicense(device(2))).toMatchObject({ is_borrowed: true, borrowed_until: until });
    expect(await sdkError(api.floatingBorrow({ ...device(2), borrowed_until: inHours(25) }))).toMatchObject({
      code: "borrow_until_not_valid",
    });
    expect(await sdkError(api.floatingBorrow({ ...device(1), borrowed_until: null }))).toMatchObject({ code: "floating_not_available" });
  });

  it("user-based: floatingBorrow with the license user's password", async () => {
    const device = { product: userProduct, username, hardware_id: "api-user-device" };
    await api.activateLicense({ ...device, password });
    expect(await sdkError(api.floatingBorrow({ ...device, password: "not-the-password", borrowed_until: null }))).toMatchObject({
      code: "invalid_password",
    });
    expect(await api.floatingBorrow({ ...device, password, borrowed_until: null })).toMatchObject({
      max_borrow_time: 4,
      license_id: userLicenseId,
    });
    expect(await api.floatingRelease(device)).toBe(true);
  });

  it("checkLicenseFeature takes a feature slot; featureRelease frees it; featureBorrow keeps it", async () => {
    const { id, key } = await floatingLicense();
    const device = (n: number) => ({ product, license_key: key, hardware_id: `feature-device-${n}`, feature: FEATURE });
    for (const n of [1, 2]) await api.activateLicense({ product, license_key: key, hardware_id: `feature-device-${n}` });

    expect(await api.checkLicenseFeature(device(1))).toMatchObject({
      code: FEATURE,
      is_floating_cloud: true,
      floating_in_use_devices: 1,
    });
    expect(await sdkError(api.checkLicenseFeature(device(2)))).toMatchObject({ code: "floating_not_available" });
    expect(await api.featureRelease(device(1))).toBe(true);
    expect(await sdkError(api.featureRelease(device(1)))).toMatchObject({ code: "floating_feature_device_not_in_use" });

    const borrowed = await api.featureBorrow({ ...device(2), borrowed_until: null });
    expect(Date.parse(borrowed.borrowed_until!) - Date.now()).toBeGreaterThan(23.9 * 3_600_000);
    expect((await holders(id)).feature).toEqual(["feature-device-2"]);
    expect(await sdkError(api.featureRelease({ ...device(2), feature: "no-such-feature" }))).toMatchObject({
      code: "invalid_license_feature_code",
    });
  });
});

describe("LicenseManager and License", () => {
  it("LicenseManager.floatingBorrow, featureBorrow, featureRelease; License.checkFeature and releaseFeature", async () => {
    const { id, key } = await floatingLicense();
    const client = manager(product, "manager-device");
    await client.activateLicense({ license_key: key });

    const borrowed = await client.floatingBorrow({ license_key: key, borrowed_until: inHours(2) });
    expect(borrowed.max_borrow_time).toBe(24);
    const license = client.loadLicense();
    expect(license.floatingEndDate).toBe(borrowed.borrowed_until);
    expect((await holders(id)).license).toEqual(["manager-device"]);

    await license.checkFeature(FEATURE);
    expect((await holders(id)).feature).toEqual(["manager-device"]);
    await license.releaseFeature(FEATURE);
    expect((await holders(id)).feature).toEqual([]);

    const featureBorrowed = await client.featureBorrow({ license_key: key, feature: FEATURE, borrowed_until: inHours(1) });
    expect((await holders(id)).feature).toEqual(["manager-device"]);
    expect(featureBorrowed.borrowed_until).toBe(
      (await manage("GET", `/api/v1/licenses/${id}`)).features.find((f: { code: string }) => f.code === FEATURE).floating_devices[0]
        .borrowed_until,
    );
    expect(await client.featureRelease({ license_key: key, feature: FEATURE })).toBe(true);
    expect((await holders(id)).feature).toEqual([]);
  });
});

describe("SDK 1.4.17 on floating licenses: what it really does", () => {
  it("License.floatingBorrow and License.floatingRelease do nothing on a floating license (an inverted check): false, no request", async () => {
    const { id, key } = await floatingLicense();
    const client = manager(product, "quirk-device-1");
    await client.activateLicense({ license_key: key });
    await client.checkLicense({ license_key: key });
    const license = client.loadLicense();
    expect(await license.floatingBorrow(inHours(2))).toBe(false);
    expect(await license.floatingRelease()).toBe(false);
    // The slot the check took is still held, and not borrowed.
    const detail = await manage("GET", `/api/v1/licenses/${id}`);
    expect(detail.floating_devices).toEqual([{ hardware_id: "quirk-device-1", in_use_until: expect.any(String), borrowed_until: null }]);
  });

  it("...and call the server on a node-locked license, which has no slot to borrow", async () => {
    const client = manager(product, "quirk-device-2");
    await client.activateLicense({ license_key: nodeLockedKey });
    const license = client.loadLicense();
    expect(await sdkError(license.floatingBorrow(inHours(2)))).toMatchObject({ code: "license_borrow_not_allowed" });
    expect(await license.floatingRelease()).toBe(true);
  });

  it("LicenseManager.floatingRelease frees the slot, then throws (it stores the end of an unborrowed slot as dayjs(null))", async () => {
    const { id, key } = await floatingLicense();
    const client = manager(product, "quirk-device-3");
    await client.activateLicense({ license_key: key });
    await client.checkLicense({ license_key: key });
    expect((await holders(id)).license).toEqual(["quirk-device-3"]);
    const error = await sdkError(client.floatingRelease({ license_key: key }));
    expect(error).toBeInstanceOf(RangeError);
    expect(String(error)).toMatch(/Invalid time value/);
    expect((await holders(id)).license).toEqual([]);
  });

  it("License.check() on an unborrowed floating license checks in, then fails on borrowed_until null: null, nothing synced", async () => {
    const { id, key } = await floatingLicense({ license_type: "consumption", consumption: { max_consumptions: 10 } });
    const client = manager(product, "quirk-device-4");
    await client.activateLicense({ license_key: key });
    const license = client.loadLicense();
    license.addLocalConsumption(2);
    expect(await license.check()).toBeNull();
    expect((await holders(id)).license).toEqual(["quirk-device-4"]);
    expect((await manage("GET", `/api/v1/licenses/${id}`)).consumption.total_consumptions).toBe(0);
    // Once the slot is borrowed (borrowed_until is a date), check() completes.
    await client.floatingBorrow({ license_key: key, borrowed_until: inHours(1) });
    expect(await license.check()).toMatchObject({ is_borrowed: true, floating_in_use_devices: 1 });
    expect((await manage("GET", `/api/v1/licenses/${id}`)).consumption.total_consumptions).toBe(2);
  });
});
