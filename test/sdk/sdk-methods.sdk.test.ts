// Every method of the official SDK that calls the License API, through the real SDK against the
// running service: the supported ones succeed (signatures verified by the SDK), the others throw
// the documented not_supported body naming the call. docs/sdk-compatibility.md is the table of
// these rows (test/node/sdk-compatibility-doc.test.ts checks it names every SDK method).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BundleManager, LicenseAPI, LicenseManager } from "@licensespring/node-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalService, type LocalService } from "./local-service";
import { sdkError, vendorApi } from "./vendor-api";

let service: LocalService;
let api: LicenseAPI;
let manage: ReturnType<typeof vendorApi>;
const fileDirs: string[] = [];

const auth = () => ({
  apiKey: service.credentials.apiKey,
  sharedKey: service.credentials.sharedKey,
  apiPath: service.apiPath,
  publicKey: service.publicKey,
  appName: "sdk methods",
  appVersion: "1.0.0",
});

function managerConfig(productCode: string, hardwareID: string) {
  const filePath = mkdtempSync(join(tmpdir(), "sdk-methods-"));
  fileDirs.push(filePath);
  return { ...auth(), productCode, hardwareID, filePath, filename: "license", fileKey: "a-test-file-key" };
}

/** A user-based license of the demo user product for a new user: each test that changes a password gets its own. */
async function newUser(password = "initial-password") {
  const username = `user-${crypto.randomUUID().slice(0, 8)}@example.com`;
  const license = await manage("POST", "/api/v1/licenses", {
    product_id: 2,
    users: [{ username, password, first_name: "Sam" }],
    max_activations: 3,
    customer: { email: "sdk-customer@example.com", company_name: "SDK Customer" },
  });
  return { username, password, licenseId: license.id as number };
}

beforeAll(async () => {
  service = await startLocalService();
  api = new LicenseAPI(auth());
  manage = vendorApi(service);
  await manage("POST", "/api/v1/products/2/custom-fields", { name: "seats", default_value: "1" });
  await manage("PATCH", "/api/v1/products/2", { metadata: { edition: "demo" } });
});

afterAll(async () => {
  await service?.stop();
  for (const dir of fileDirs) rmSync(dir, { recursive: true, force: true });
});

describe("LicenseAPI: the supported calls", () => {
  const {
    keyProduct,
    userProduct,
    licenseKey,
    hardwareId: hardware_id,
  } = {
    keyProduct: "demo-key",
    userProduct: "demo-user",
    licenseKey: "DEMO-AAAA-BBBB-CCCC",
    hardwareId: "demo-device-1",
  };

  it("getProductDetails", async () => {
    const details = await api.getProductDetails({ product: userProduct, include_custom_fields: true });
    expect(details).toMatchObject({ short_code: userProduct, authorization_method: "user", metadata: { edition: "demo" } });
    expect(details.custom_fields).toEqual([{ id: expect.any(Number), name: "seats", default_value: "1" }]);
  });

  it("trackDeviceVariables and getDeviceVariables", async () => {
    const tracked = await api.trackDeviceVariables({
      product: keyProduct,
      license_key: licenseKey,
      hardware_id,
      variables: { os: "linux" },
    });
    expect(tracked).toEqual([{ variable: "os", value: "linux", device_id: 1, created_at: expect.any(Number) }]);
    const variables = await api.getDeviceVariables({ product: keyProduct, license_key: licenseKey, hardware_id });
    expect(variables.map(({ variable, value }) => ({ variable, value }))).toEqual([{ variable: "os", value: "linux" }]);
  });

  it("getUserLicenses, getCustomerLicenseUsers and changePassword", async () => {
    const user = await newUser();
    const licenses = await api.getUserLicenses({ product: userProduct, username: user.username, password: user.password });
    expect(licenses.map((entry) => [entry.license.id, entry.user.email])).toEqual([[user.licenseId, user.username]]);
    const customers = await api.getCustomerLicenseUsers({ product: userProduct, customer: "sdk-customer@example.com" });
    expect(customers.users.map((entry) => entry.email)).toContain(user.username);
    expect(await api.changePassword({ username: user.username, password: user.password, new_password: "changed-password" })).toBe(true);
    expect(await sdkError(api.getUserLicenses({ product: userProduct, username: user.username, password: user.password }))).toMatchObject({
      status: 400,
      code: "invalid_password",
    });
  });

  it("the documented errors reach the caller as the SDK's thrown body", async () => {
    expect(await sdkError(api.getProductDetails({ product: "no-such-product" }))).toMatchObject({ status: 400, code: "unknown_product" });
    expect(await sdkError(api.getCustomerLicenseUsers({ product: keyProduct, customer: "x@example.com" }))).toMatchObject({
      code: "invalid_product_auth_method",
    });
    expect(await sdkError(api.getCustomerLicenseUsers({ product: userProduct, customer: "nobody@example.com" }))).toMatchObject({
      code: "customer_does_not_exist",
    });
    expect(
      await sdkError(api.addConsumption({ product: keyProduct, license_key: licenseKey, hardware_id, consumptions: 1, license_id: 99 })),
    ).toMatchObject({
      code: "license_not_found",
    });
  });
});

describe("LicenseManager and its License", () => {
  it("key-based: activate, product details, device variables, features, consumption, deactivate", async () => {
    const hardwareID = "manager-key-device";
    const manager = new LicenseManager(managerConfig("demo-key", hardwareID));
    await manager.activateLicense({ license_key: "DEMO-AAAA-BBBB-CCCC" });
    expect(await manager.getProductDetails({})).toMatchObject({ short_code: "demo-key" });
    expect(await manager.trackDeviceVariables({ license_key: "DEMO-AAAA-BBBB-CCCC", variables: { seat: "A" } })).toHaveLength(1);
    expect(await manager.getDeviceVariables({ license_key: "DEMO-AAAA-BBBB-CCCC" })).toEqual([
      expect.objectContaining({ variable: "seat", value: "A" }),
    ]);
    expect(await manager.checkLicenseFeature({ license_key: "DEMO-AAAA-BBBB-CCCC", feature: "pro" })).toMatchObject({
      code: "pro",
      feature_type: "activation",
    });
    const before = (await manager.checkLicense({ license_key: "DEMO-AAAA-BBBB-CCCC" })).total_consumptions ?? 0;
    expect((await manager.addConsumption({ license_key: "DEMO-AAAA-BBBB-CCCC", consumptions: 2 })).total_consumptions).toBe(before + 2);
    expect(await manager.addFeatureConsumption({ license_key: "DEMO-AAAA-BBBB-CCCC", feature: "exports", consumptions: 1 })).toMatchObject({
      license_id: 1,
    });

    const license = manager.loadLicense();
    expect(await license.productDetails(false, true)).toMatchObject({ short_code: "demo-key", custom_fields: [] });
    license.setDeviceVariablesLocal({ seat: "B", cores: 4 });
    await license.setDeviceVariables();
    await license.getDeviceVariables();
    expect(license.getDeviceVariablesLocal().map(({ variable, value }) => [variable, value])).toEqual([
      ["seat", "B"],
      ["cores", "4"],
    ]);
    await license.checkFeature("exports");
    expect(license.featureData("exports")).toMatchObject({ code: "exports", feature_type: "consumption" });
    expect(await license.deactivate(true)).toBe(true);
    expect(
      await sdkError(api.checkLicense({ product: "demo-key", license_key: "DEMO-AAAA-BBBB-CCCC", hardware_id: hardwareID })),
    ).toMatchObject({
      code: "device_not_found",
    });
  });

  it("user-based: activate, user licenses, customer's users, change password through the manager and the license", async () => {
    const user = await newUser();
    const manager = new LicenseManager(managerConfig("demo-user", "manager-user-device"));
    await manager.activateLicense({ username: user.username, password: user.password });
    const licenses = await manager.getUserLicenses({ username: user.username, password: user.password });
    expect(licenses.map((entry) => entry.license.id)).toEqual([user.licenseId]);
    expect((await manager.getCustomerLicenseUsers({ customer: "sdk-customer@example.com" })).customer).toMatchObject({
      email: "sdk-customer@example.com",
      company_name: "SDK Customer",
    });
    expect(await manager.changePassword({ username: user.username, password: user.password, new_password: "second-password" })).toBe(true);
    const license = manager.loadLicense();
    expect(await license.changePassword("second-password", "third-password")).toBe(true);
    expect((await manager.getUserLicenses({ username: user.username, password: "third-password" }))[0]!.user.is_initial_password).toBe(
      false,
    );
    expect(await manager.deactivateLicense({ username: user.username })).toBe(true);
  });
});

describe("offline activation, trials and versions through the SDK's own calls", () => {
  const key = { product: "demo-key", license_key: "DEMO-AAAA-BBBB-CCCC" };

  it("LicenseAPI.activateOffline verifies both signatures of the answer; deactivateOffline frees the seat", async () => {
    const hardware_id = "sdk-offline-device";
    const activated = await api.activateOffline(api.createOfflineActivationPayload({ ...key, hardware_id }));
    expect(activated).toMatchObject({ hardware_id, license_key: key.license_key, request: "activation" });
    expect(await api.checkLicense({ ...key, hardware_id })).toMatchObject({ license_active: true });
    expect(await api.deactivateOffline(api.createOfflineDeactivationPayload({ ...key, hardware_id }))).toBe(true);
    expect(await sdkError(api.checkLicense({ ...key, hardware_id }))).toMatchObject({ code: "device_not_found" });
  });

  it("LicenseManager's offline request files (activation, deactivation) are taken as they are", async () => {
    const manager = new LicenseManager(managerConfig("demo-key", "sdk-offline-manager"));
    const answer = await api.activateOffline(
      manager.createOfflineActivationPayload({ license_key: key.license_key } as Parameters<
        typeof manager.createOfflineActivationPayload
      >[0]),
    );
    expect(answer).toMatchObject({ hardware_id: "sdk-offline-manager" });
    const deactivation = manager.createOfflineDeactivationPayload({ license_key: key.license_key } as Parameters<
      typeof manager.createOfflineDeactivationPayload
    >[0]);
    expect(await api.deactivateOffline(deactivation)).toBe(true);
  });

  it("getTrialKey: trial_not_allowed, then a trial once the vendor allows it", async () => {
    const manager = new LicenseManager(managerConfig("demo-user", "sdk-trial-device"));
    expect(await sdkError(manager.getTrialKey({ email: "trial@example.com" }))).toMatchObject({ code: "trial_not_allowed" });
    await manage("PATCH", "/api/v1/products/2", { allow_trial: true, trial_days: 7 });
    expect(await manager.getTrialKey({ email: "trial@example.com" })).toMatchObject({ is_trial: true, license_user: "trial@example.com" });
    expect(await api.getTrialKey({ product: "demo-user", hardware_id: "sdk-trial-device", email: "trial@example.com" })).toEqual({
      license_type: "perpetual",
      is_trial: true,
      license_user: "trial@example.com",
    });
  });

  it("getVersions and getInstallationFile: none published yet, then the newest", async () => {
    const identity = { ...key, hardware_id: "demo-device-1" };
    expect(await api.getVersions(identity)).toEqual([]);
    expect(await sdkError(api.getInstallationFile(identity))).toMatchObject({ code: "version_not_found" });
    await manage("POST", "/api/v1/products/1/versions", { version: "1.0.0", release_date: "2030-01-01T00:00:00Z" });
    const manager = new LicenseManager(managerConfig("demo-key", "demo-device-1"));
    expect(await manager.getVersions({ license_key: key.license_key })).toEqual([
      { version: "1.0.0", release_date: "2030-01-01T00:00:00.000Z" },
    ]);
    expect(await manager.getInstallationFile({ license_key: key.license_key })).toMatchObject({ version: "1.0.0", environment: "" });
  });
});

describe("the calls this server does not serve: not_supported, naming the call", () => {
  const key = { product: "demo-key", license_key: "DEMO-AAAA-BBBB-CCCC", hardware_id: "demo-device-1" };
  const notSupported = (path: string) => ({ status: 400, code: "not_supported", message: expect.stringContaining(`/api/v4/${path}`) });

  it("LicenseAPI", async () => {
    const calls: Array<[string, () => Promise<unknown>]> = [
      ["check_bundle", () => api.checkBundle(key)],
      ["activate_bundle", () => api.activateBundle(key)],
      ["deactivate_bundle", () => api.deactivateBundle(key)],
      ["sso_url", () => api.getSSOUrl({ product: "demo-key", customer_account_code: "acme" })],
      [
        "activate_license",
        () => api.activateLicense({ product: "demo-user", hardware_id: "sso-device", id_token: "t", customer_account_code: "acme" }),
      ],
      ["user_licenses", () => api.getUserLicenses({ product: "demo-user", code: "c", customer_account_code: "acme" })],
    ];
    for (const [path, call] of calls) expect(await sdkError(call()), path).toEqual(notSupported(path));
  });

  it("LicenseManager and BundleManager", async () => {
    const manager = new LicenseManager(managerConfig("demo-key", "unsupported-device"));
    await manager.activateLicense({ license_key: "DEMO-AAAA-BBBB-CCCC" });
    const keyOnly = { license_key: "DEMO-AAAA-BBBB-CCCC" };
    const bundles = new BundleManager(managerConfig("demo-key", "bundle-device"));
    const calls: Array<[string, () => Promise<unknown>]> = [
      ["sso_url", () => manager.getSSOUrl({ customer_account_code: "acme" })],
      ["check_bundle", () => bundles.checkBundle(keyOnly)],
      ["activate_bundle", () => bundles.activateBundle(keyOnly)],
      ["deactivate_bundle", () => bundles.deactivateBundle(keyOnly)],
    ];
    for (const [path, call] of calls) expect(await sdkError(call()), path).toEqual(notSupported(path));
  });
});
