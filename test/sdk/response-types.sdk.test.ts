// Every answer the official SDK can get from this service, compared field by field with the
// response types the installed SDK declares (dist/src/response-types.d.ts): every declared field
// present with the declared JavaScript type, optional ones too unless listed below with the reason
// they are absent. A future SDK that declares a new field makes this fail, instead of a client
// crashing on it. The bodies come from the real SDK calling the running service (signatures verified).
import { LicenseAPI } from "@licensespring/node-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compareWithDeclared, loadSdkResponseTypes, type Comparison, type CompareOptions } from "./declared-types";
import { startLocalService, type LocalService } from "./local-service";
import { offlinePortal, vendorApi } from "./vendor-api";

const declarations = loadSdkResponseTypes();

/** Optional fields we leave out on purpose: path pattern ("*." matches at any depth) → why. */
const ABSENT_ON_PURPOSE: Array<[pattern: string, reason: string]> = [
  ["*.metadata_string", "sent only when asked (check_license_feature's include_metadata_string); product_details always sends it"],
  ["metadata_string", "sent only when asked (check_license_feature's include_metadata_string); product_details always sends it"],
  ["product_features[].floating_timeout", "present on floating features only (LicenseSpring's docs); the floating product checks them"],
  ["product_features[].floating_users", "present on floating features only (LicenseSpring's docs); the floating product checks them"],
  ["*.product_features[].floating_timeout", "present on floating features only; the floating product checks them"],
  ["*.product_features[].floating_users", "present on floating features only; the floating product checks them"],
  ["license_signature_v2", "carried by offline activation answers only (ActivateOfflineResponse, checked below)"],
];

/** Where LicenseSpring's own answers carry null although the SDK's declaration leaves null out. */
const NULL_AS_LICENSESPRING_SENDS_IT: CompareOptions = {
  nullAllowed: {
    consumption_period:
      "LicenseSpring's docs type consumption_period 'daily'|'weekly'|'monthly'|'annually'|null and the SDK's own fixtures send null",
  },
};

function matches(pattern: string, path: string): boolean {
  return pattern.startsWith("*.") ? path === pattern.slice(2) || path.endsWith(pattern.slice(1)) : path === pattern;
}

/** The absent optional fields no reason covers (the test's failure list). */
function unexplained(comparison: Comparison, alsoAbsent: Array<[string, string]>): string[] {
  const reasons = [...ABSENT_ON_PURPOSE, ...alsoAbsent];
  return comparison.absentOptional.filter((path) => !reasons.some(([pattern]) => matches(pattern, path)));
}

/** Asserts `body` is a complete `typeName`: no error, and every absent optional field explained. */
function expectComplete(body: unknown, typeName: string, alsoAbsent: Array<[string, string]> = []): void {
  const comparison = compareWithDeclared(body, typeName, declarations, NULL_AS_LICENSESPRING_SENDS_IT);
  expect(comparison.errors, `${typeName}: fields missing or of another type`).toEqual([]);
  expect(unexplained(comparison, alsoAbsent), `${typeName}: optional fields left out without a reason`).toEqual([]);
}

const KEY_BASED_ONLY: Array<[string, string]> = [
  ["user", "user-based licenses only"],
  ["username", "user-based licenses only"],
];
const USER_BASED_ONLY: Array<[string, string]> = [["license_key", "key-based licenses only (declared string | undefined)"]];

let service: LocalService;
let api: LicenseAPI;
const keyProduct = "types-key";
const userProduct = "types-user";
const licenseKey = "TYPE-AAAA-BBBB-CCCC";
const username = "types-user@example.com";
const password = "types-password";
const hardware_id = "types-device";
const floatProduct = "types-float";
const floatKey = "TYPE-FLOAT-BBBB-CCCC";

beforeAll(async () => {
  service = await startLocalService();
  api = new LicenseAPI({
    apiKey: service.credentials.apiKey,
    sharedKey: service.credentials.sharedKey,
    apiPath: service.apiPath,
    publicKey: service.publicKey,
    appName: "response types",
    appVersion: "1.0.0",
  });
  const manage = vendorApi(service);
  const customer = {
    email: "buyer@example.com",
    first_name: "Ada",
    last_name: "Buyer",
    company_name: "Example Ltd",
    city: "Zagreb",
    metadata: { segment: "enterprise", seats: 12 },
  };
  for (const [code, method] of [
    [keyProduct, "license-key"],
    [userProduct, "user"],
  ] as const) {
    const product = await manage("POST", "/api/v1/products", {
      short_code: code,
      name: `Product ${code}`,
      authorization_method: method,
      metadata: { tier: "pro" },
    });
    await manage("POST", `/api/v1/products/${product.id}/features`, {
      code: "exports",
      name: "Exports",
      max_consumption: 100,
      metadata: { unit: "export" },
    });
    await manage("POST", `/api/v1/products/${product.id}/features`, {
      code: "monthly",
      name: "Monthly",
      max_consumption: 10,
      reset_consumption: true,
      consumption_period: "monthly",
    });
    await manage("POST", `/api/v1/products/${product.id}/features`, { code: "pro", name: "Pro mode", feature_type: "activation" });
    await manage("POST", `/api/v1/products/${product.id}/custom-fields`, { name: "seats", data_type: "number", default_value: "5" });
    await manage("PATCH", `/api/v1/products/${product.id}`, { allow_trial: true, trial_days: 30, trial_license: { max_activations: 2 } });
    await manage("POST", `/api/v1/products/${product.id}/versions`, {
      version: "2.0.0",
      environment: "linux",
      channel: "stable",
      release_date: "2030-02-01T00:00:00Z",
      installation_file: "https://downloads.example.com/app-2.0.0.tar.gz",
      hash_md5: "0123456789abcdef0123456789abcdef",
      size: 2048,
      eula_link: "https://example.com/eula",
      release_notes_link: "https://example.com/notes",
      requires_version: "1.0.0",
    });
    await manage("POST", "/api/v1/licenses", {
      product_id: product.id,
      ...(method === "license-key"
        ? { license_key: licenseKey }
        : { users: [{ username, password, first_name: "Grace", last_name: "User" }], max_license_users: 3 }),
      license_type: "consumption",
      consumption: { max_consumptions: 50 },
      validity_period: "2099-12-31T00:00:00Z",
      max_activations: 3,
      metadata: { plan: "annual", limits: { cpu: 8 } },
      order_store_id: `order-${code}`,
      is_trial: true,
      trial_days: 14,
      customer,
      custom_fields: { seats: "10" },
    });
  }
  // A floating cloud license with a floating activation feature and a floating consumption feature.
  const float = await manage("POST", "/api/v1/products", { short_code: floatProduct, name: "Floating" });
  await manage("POST", `/api/v1/products/${float.id}/features`, {
    code: "seat",
    name: "Seat",
    feature_type: "activation",
    is_floating_cloud: true,
    floating_users: 2,
  });
  await manage("POST", `/api/v1/products/${float.id}/features`, {
    code: "metered",
    name: "Metered",
    max_consumption: 100,
    is_floating_cloud: true,
    floating_users: 2,
    floating_timeout: 15,
  });
  await manage("POST", "/api/v1/licenses", {
    product_id: float.id,
    license_key: floatKey,
    max_activations: 3,
    is_floating_cloud: true,
    floating_users: 3,
    can_borrow: true,
    max_borrow_time: 8,
  });
});

afterAll(async () => {
  await service?.stop();
});

describe("every field the SDK declares, with its declared type", () => {
  it("activate_license and check_license, key-based", async () => {
    const activated = await api.activateLicense({ product: keyProduct, license_key: licenseKey, hardware_id, variables: { os: "linux" } });
    expectComplete(activated, "ActivateLicenseResponse", KEY_BASED_ONLY);
    const checked = await api.checkLicense({ product: keyProduct, license_key: licenseKey, hardware_id });
    expectComplete(checked, "CheckLicenseResponse", KEY_BASED_ONLY);
  });

  it("activate_license and check_license, user-based", async () => {
    const activated = await api.activateLicense({ product: userProduct, username, password, hardware_id });
    expectComplete(activated, "ActivateLicenseResponse", USER_BASED_ONLY);
    const checked = await api.checkLicense({ product: userProduct, username, hardware_id });
    expectComplete(checked, "CheckLicenseResponse", USER_BASED_ONLY);
  });

  it("carries what the vendor set, as stored", async () => {
    const checked = await api.checkLicense({ product: keyProduct, license_key: licenseKey, hardware_id });
    expect(checked).toMatchObject({
      metadata: { plan: "annual", limits: { cpu: 8 } },
      order_store_id: `order-${keyProduct}`,
      is_trial: true,
      trial_days: 14,
      custom_fields: [{ name: "seats", data_type: "number", value: "10" }],
      customer: {
        email: "buyer@example.com",
        first_name: "Ada",
        company_name: "Example Ltd",
        phone: "",
        metadata: { segment: "enterprise", seats: 12 },
      },
      product_details: { short_code: keyProduct, metadata: { tier: "pro" } },
    });
    expect(checked.product_features.find((feature) => feature.code === "exports")?.metadata).toEqual({ unit: "export" });
    const user = await api.checkLicense({ product: userProduct, username, hardware_id });
    expect(user).toMatchObject({
      max_license_users: 3,
      user: { email: username, first_name: "Grace", last_name: "User", is_initial_password: true },
    });
  });

  it("check_license_feature: consumption and activation features", async () => {
    for (const feature of ["exports", "monthly", "pro"]) {
      expectComplete(
        await api.checkLicenseFeature({ product: keyProduct, license_key: licenseKey, hardware_id, feature }),
        "CheckLicenseFeatureResponse",
        [["floating_in_use_devices", "present on floating features only (LicenseSpring's docs); checked below"]],
      );
    }
    const withString = await api.checkLicenseFeature({
      product: keyProduct,
      license_key: licenseKey,
      hardware_id,
      feature: "exports",
      include_metadata_string: true,
    });
    expect(withString.metadata_string).toBe('{"unit":"export"}');
  });

  it("add_consumption and add_feature_consumption", async () => {
    expectComplete(
      await api.addConsumption({ product: keyProduct, license_key: licenseKey, hardware_id, consumptions: 1 }),
      "AddConsumptionResponse",
    );
    expectComplete(
      await api.addFeatureConsumption({ product: keyProduct, license_key: licenseKey, hardware_id, feature: "exports", consumptions: 1 }),
      "AddFeatureConsumptionResponse",
      [
        ["floating_timeout", "floating features only; checked below"],
        ["floating_users", "floating features only; checked below"],
      ],
    );
  });

  it("floating: the license, its features, consumption of a floating feature, borrows", async () => {
    const float = { product: floatProduct, license_key: floatKey, hardware_id };
    expectComplete(await api.activateLicense(float), "ActivateLicenseResponse", KEY_BASED_ONLY);
    const checked = await api.checkLicense(float);
    expectComplete(checked, "CheckLicenseResponse", KEY_BASED_ONLY);
    expect(checked).toMatchObject({ is_floating_cloud: true, floating_in_use_devices: 1, can_borrow: true, max_borrow_time: 8 });
    for (const feature of checked.product_features) {
      expect(feature).toMatchObject({ is_floating_cloud: true, floating_users: 2 });
    }
    for (const feature of ["seat", "metered"]) {
      const answer = await api.checkLicenseFeature({ ...float, feature });
      expectComplete(answer, "CheckLicenseFeatureResponse");
      expect(answer.floating_in_use_devices).toBe(1);
    }
    const consumed = await api.addFeatureConsumption({ ...float, feature: "metered", consumptions: 1 });
    expectComplete(consumed, "AddFeatureConsumptionResponse");
    expect(consumed).toMatchObject({ is_floating_cloud: true, floating_users: 2, floating_timeout: 15 });
    expectComplete(await api.floatingBorrow({ ...float, borrowed_until: null }), "FloatingBorrowResponse");
    expectComplete(await api.featureBorrow({ ...float, feature: "seat", borrowed_until: null }), "FloatingBorrowResponse");
    expectComplete(await api.checkLicense(float), "CheckLicenseResponse", KEY_BASED_ONLY);
  });

  it("product_details, with and without its optional parts", async () => {
    expectComplete(
      await api.getProductDetails({ product: keyProduct, include_latest_version: true, include_custom_fields: true }),
      "GetProductDetailsResponse",
    );
    expectComplete(await api.getProductDetails({ product: keyProduct }), "GetProductDetailsResponse", [
      ["latest_version", "only when include_latest_version=true"],
      ["custom_fields", "only when include_custom_fields=true"],
    ]);
  });

  it("device variables", async () => {
    expectComplete(
      await api.trackDeviceVariables({ product: keyProduct, license_key: licenseKey, hardware_id, variables: { cores: 8, gpu: true } }),
      "TrackDeviceVariablesResponse",
    );
    expectComplete(
      await api.getDeviceVariables({ product: keyProduct, license_key: licenseKey, hardware_id }),
      "GetDeviceVariablesResponse",
    );
  });

  it("trial_key: a new trial, and the trial a device already has", async () => {
    expectComplete(await api.getTrialKey({ product: keyProduct, hardware_id: "trial-machine" }), "TrialNewResponse", [
      ["license_user", "user-based trials only"],
      ["initial_password", "user-based trials only"],
      ["license_user_id", "user-based trials only"],
      ["max_license_users", "user-based trials only"],
      ["validity_period", "set at the trial's first activation (trial_days)"],
      ["LicenseProductFeatures[].floating_timeout", "floating features only"],
      ["LicenseProductFeatures[].floating_users", "floating features only"],
    ]);
    expectComplete(await api.getTrialKey({ product: keyProduct, hardware_id: "trial-machine" }), "TrialExistingResponse");
    expectComplete(
      await api.getTrialKey({ product: userProduct, hardware_id: "trial-machine", email: "trial-user@example.com" }),
      "TrialNewResponse",
      [
        ["license", "key-based trials only"],
        ["license_key", "key-based trials only"],
        ["validity_period", "set at the trial's first activation (trial_days)"],
        ["LicenseProductFeatures[].floating_timeout", "floating features only"],
        ["LicenseProductFeatures[].floating_users", "floating features only"],
      ],
    );
  });

  it("versions and installation_file", async () => {
    const identity = { product: keyProduct, license_key: licenseKey, hardware_id };
    expectComplete(await api.getVersions({ ...identity, env: "linux" }), "VersionsResponse");
    expectComplete(await api.getInstallationFile({ ...identity, env: "linux", channel: "stable" }), "InstallationFileResponse");
    const activated = await api.activateLicense({ ...identity, env: "linux" } as Parameters<LicenseAPI["activateLicense"]>[0]);
    expectComplete(activated, "ActivateLicenseResponse", KEY_BASED_ONLY);
    expect(activated.installation_file).toMatchObject({ version: "2.0.0", environment: "linux" });
  });

  it("activate_offline: the answer an offline activation file holds", async () => {
    const request = api.createOfflineActivationPayload({ product: keyProduct, license_key: licenseKey, hardware_id: "offline-types" });
    const file = await offlinePortal(service)(request);
    const answer = JSON.parse(Buffer.from(file, "base64").toString()) as Record<string, unknown>;
    expectComplete(answer, "ActivateOfflineResponse", KEY_BASED_ONLY);
  });

  it("user_licenses and customer_license_users", async () => {
    expectComplete(await api.getUserLicenses({ product: userProduct, username, password }), "GetUserLicensesResponse", [
      ["[].license.license_key", "key-based licenses only (declared string | undefined)"],
    ]);
    expectComplete(
      await api.getCustomerLicenseUsers({ product: userProduct, customer: "buyer@example.com" }),
      "CustomerLicenseUsersResponse",
    );
  });
});

describe("the comparison really fails", () => {
  it("on a missing required field, a field of another type, and an unexplained absent optional field", async () => {
    const body = structuredClone(await api.checkLicense({ product: keyProduct, license_key: licenseKey, hardware_id })) as Record<
      string,
      any
    >;
    const complete = compareWithDeclared(body, "CheckLicenseResponse", declarations, NULL_AS_LICENSESPRING_SENDS_IT);
    expect(complete.errors).toEqual([]);

    const withoutCustomer = { ...body, customer: undefined };
    expect(compareWithDeclared(withoutCustomer, "CheckLicenseResponse", declarations).errors).toContain(
      "customer: missing (the SDK declares it required)",
    );
    const mistyped = { ...body, is_borrowed: "no", customer: { ...body.customer, metadata: "{}" } };
    expect(compareWithDeclared(mistyped, "CheckLicenseResponse", declarations).errors).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^is_borrowed: expected boolean/),
        expect.stringMatching(/^customer\.metadata: expected/),
      ]),
    );
    const withoutFeatureMetadata = structuredClone(body);
    delete withoutFeatureMetadata.product_features[0].metadata;
    expect(compareWithDeclared(withoutFeatureMetadata, "CheckLicenseResponse", declarations).errors).toContain(
      "product_features[].metadata: missing (the SDK declares it required)",
    );
    const withoutTrialDays = { ...body, trial_days: undefined };
    const comparison = compareWithDeclared(withoutTrialDays, "CheckLicenseResponse", declarations, NULL_AS_LICENSESPRING_SENDS_IT);
    expect(comparison.errors).toEqual([]);
    expect(unexplained(comparison, KEY_BASED_ONLY)).toEqual(["trial_days"]);
  });

  it("on null where the declaration has no null, unless LicenseSpring itself sends it", () => {
    const body = {
      id: 1,
      max_consumptions: 1,
      allow_unlimited_consumptions: false,
      allow_negative_consumptions: false,
      allow_overages: false,
    };
    const rest = { max_overages: 0, reset_consumption: false, consumption_period: null, total_consumptions: 0, company: { id: 1 } };
    expect(compareWithDeclared({ ...body, ...rest }, "AddConsumptionResponse", declarations).errors).toEqual([
      expect.stringMatching(/^consumption_period: expected .*, got null$/),
    ]);
    expect(
      compareWithDeclared({ ...body, ...rest }, "AddConsumptionResponse", declarations, NULL_AS_LICENSESPRING_SENDS_IT).errors,
    ).toEqual([]);
  });
});
