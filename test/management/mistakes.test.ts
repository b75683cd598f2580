// Mistakes caught where they are made (docs/management-api.md "Validation messages" and "Settings
// that cannot work"): a message that says how to fix the request, a suggestion for a misspelt field
// or value, and settings that can never work refused, or flagged in `warnings` when they work but
// refuse every request for now.
import { describe, expect, it } from "vitest";
import { postSigned } from "../support/client";
import { importError, importProduct, importRows, licenseSpringId } from "../support/import-client";
import { consumeAs, manage, manageOk, managementError, uniqueCode, vendorSetup } from "../support/management-client";

async function product(authorization_method = "license-key") {
  return manageOk<{ id: number }>("POST", "/api/v1/products", { short_code: uniqueCode("mistakes"), name: "P", authorization_method });
}

/** The error a management call answers: status, code and message. */
async function refused(method: string, path: string, body: unknown) {
  return managementError(await manage(method, path, body));
}

describe("a type error names the field once, what was expected and what came", () => {
  it("in a body, nested or not, and for absent and out-of-range values", async () => {
    const { id } = await product();
    const features = `/api/v1/products/${id}/features`;
    expect(await refused("POST", features, { code: "exports", name: "Exports", max_consumption: "100" })).toMatchObject({
      code: "validation_error",
      message: 'max_consumption: expected a number, got the string "100"',
    });
    expect((await refused("POST", features, { code: "exports", name: "Exports", max_consumption: -1 })).message).toBe(
      "max_consumption must not be negative",
    );
    expect(await refused("POST", features, { name: "Exports" })).toMatchObject({
      code: "missing_parameters",
      message: "code is required",
    });
    await manageOk("POST", features, { code: "exports", name: "Exports", max_consumption: 10 });
    expect((await refused("POST", "/api/v1/licenses", { product_id: id, max_activations: true })).message).toBe(
      "max_activations: expected a number, got true",
    );
    expect((await refused("POST", "/api/v1/licenses", { product_id: id, features: { exports: { max_consumption: "5" } } })).message).toBe(
      'features.exports.max_consumption: expected a number, got the string "5"',
    );
  });

  it("in a path or query parameter", async () => {
    expect((await refused("GET", "/api/v1/licenses?limit=ten", undefined)).message).toBe(
      "limit must be a positive integer in decimal digits (e.g. 42)",
    );
  });

  it("on the License API too", async () => {
    const setup = await vendorSetup();
    const response = await postSigned(
      "/api/v4/add_feature_consumption",
      { ...setup.identity, feature: setup.featureCode, consumptions: "5" },
      setup.credentials,
    );
    expect(await response.json()).toMatchObject({
      code: "validation_error",
      message: 'consumptions: expected a number, got the string "5"',
    });
  });
});

describe("an unknown field or value suggests the nearest known one", () => {
  it("a misspelt, camelCased or unknown field in a body", async () => {
    const { id } = await product();
    expect(await refused("POST", "/api/v1/licenses", { product_id: id, max_activation: 5 })).toMatchObject({
      code: "validation_error",
      message: 'Unrecognized key "max_activation": did you mean "max_activations"?',
    });
    expect((await refused("POST", "/api/v1/licenses", { product_id: id, maxActivations: 5 })).message).toBe(
      'Unrecognized key "maxActivations": did you mean "max_activations"?',
    );
    expect((await refused("POST", "/api/v1/licenses", { product_id: id, colour: "red" })).message).toBe('Unrecognized key "colour"');
    const setup = await vendorSetup();
    expect(
      (await refused("PATCH", `/api/v1/licenses/${setup.license.id}/features/${setup.featureCode}`, { max_consumptions: 3 })).message,
    ).toBe('Unrecognized key "max_consumptions": did you mean "max_consumption"?; send at least one field to change');
  });

  it("a misspelt value of a fixed set", async () => {
    const { id } = await product();
    const message = (await refused("POST", `/api/v1/products/${id}/features`, { code: "f", name: "F", feature_type: "activations" }))
      .message;
    expect(message).toBe(
      'feature_type: expected one of "consumption", "activation", got the string "activations": did you mean "activation"?',
    );
  });

  it("in an import row", async () => {
    const imported = await importProduct();
    const error = await importError(
      await importRows("licenses", [
        { id: licenseSpringId(), product: imported.short_code, license_key: uniqueCode("KEY"), max_activation: 2 },
      ]),
    );
    expect(error.errors).toEqual([{ row: 1, field: null, message: 'Unrecognized key "max_activation": did you mean "max_activations"?' }]);
  });

  it("on the License API, which keeps unknown fields: an absent field whose near spelling was sent", async () => {
    const setup = await vendorSetup();
    const { hardware_id: hardwareId, ...identity } = setup.identity;
    const response = await postSigned(
      "/api/v4/add_feature_consumption",
      { ...identity, hardwareId, feature: setup.featureCode },
      setup.credentials,
    );
    expect(await response.json()).toMatchObject({
      code: "missing_parameters",
      message: 'hardware_id is required (the request has "hardwareId": did you mean "hardware_id"?)',
    });
  });
});

describe("settings that can never work are refused", () => {
  it("a product feature: a period without resets, resets without a period, overages without room, rules on an activation feature", async () => {
    const { id } = await product();
    const create = (body: Record<string, unknown>) => refused("POST", `/api/v1/products/${id}/features`, { code: "f", name: "F", ...body });
    const cases: Array<[Record<string, unknown>, string]> = [
      [
        { consumption_period: "monthly" },
        'consumption_period: "monthly" takes effect only with reset_consumption: true (send both, or neither)',
      ],
      [{ reset_consumption: true }, "consumption_period: reset_consumption needs one: daily, weekly, monthly or annually"],
      [{ allow_overages: true }, "max_overages: allow_overages needs at least 1 (max_overages 0 allows no overage)"],
      [{ max_overages: 5 }, "max_overages: 5 takes effect only with allow_overages: true (send both, or neither)"],
      [
        { feature_type: "activation", max_consumption: 10 },
        'max_consumption: an activation feature has no consumption (feature_type "consumption" has)',
      ],
      [{ is_floating_cloud: true }, "floating_users: a floating cloud license or feature needs at least 1"],
    ];
    for (const [body, message] of cases)
      expect(await create(body), JSON.stringify(body)).toMatchObject({ code: "validation_error", message });
    // Together they work; a product feature's floating_users alone is the default pool of license features that float.
    await manageOk("POST", `/api/v1/products/${id}/features`, {
      code: "f",
      name: "F",
      reset_consumption: true,
      consumption_period: "monthly",
    });
    await manageOk("POST", `/api/v1/products/${id}/features`, { code: "g", name: "G", floating_users: 3 });
  });

  it("a license: time-limited without validity, floating or borrow values without their switch, its own counter, a feature's overrides", async () => {
    const { id } = await product();
    await manageOk("POST", `/api/v1/products/${id}/features`, { code: "exports", name: "Exports", max_consumption: 10 });
    const issue = (body: Record<string, unknown>) => refused("POST", "/api/v1/licenses", { product_id: id, ...body });
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ license_type: "time-limited" }, "validity_period: a time-limited license needs one (an ISO-8601 date-time)"],
      [{ floating_users: 3 }, "floating_users: 3 takes effect only with is_floating_cloud: true (send both, or neither)"],
      [{ max_borrow_time: 24 }, "max_borrow_time: 24 takes effect only with can_borrow: true (send both, or neither)"],
      [
        { license_type: "consumption", consumption: { max_consumptions: 10, allow_overages: true } },
        "consumption.max_overages: allow_overages needs at least 1 (max_overages 0 allows no overage)",
      ],
      [
        { features: { exports: { reset_consumption: true } } },
        "features.exports.consumption_period: reset_consumption needs one: daily, weekly, monthly or annually",
      ],
    ];
    for (const [body, message] of cases)
      expect(await issue(body), JSON.stringify(body)).toMatchObject({ code: "validation_error", message });
  });

  it("a change that leaves a value it sends without effect, or turns a switch on with nothing behind it; pausing a switch is fine", async () => {
    const setup = await vendorSetup({ max_consumption: 100, allow_overages: true, max_overages: 10 });
    const licenseFeature = `/api/v1/licenses/${setup.license.id}/features/${setup.featureCode}`;
    const productFeature = `/api/v1/products/${setup.product.id}/features/${setup.featureCode}`;
    expect((await refused("PATCH", licenseFeature, { consumption_period: "daily" })).message).toBe(
      'consumption_period: "daily" takes effect only with reset_consumption: true (send both, or neither)',
    );
    expect((await refused("PATCH", productFeature, { max_overages: 0 })).message).toBe(
      "max_overages: allow_overages needs at least 1 (max_overages 0 allows no overage)",
    );
    expect((await refused("PATCH", `/api/v1/licenses/${setup.license.id}`, { max_borrow_time: 5 })).message).toBe(
      "max_borrow_time: 5 takes effect only with can_borrow: true (send both, or neither)",
    );
    // Overages paused: max_overages is kept for when they are on again.
    expect(await manageOk("PATCH", productFeature, { allow_overages: false })).toMatchObject({ allow_overages: false, max_overages: 10 });
    expect(await manageOk("PATCH", licenseFeature, { reset_consumption: true, consumption_period: "daily" })).toMatchObject({
      reset_consumption: true,
      consumption_period: "daily",
    });
  });

  it("a consumption license's own counter, changed", async () => {
    const { id } = await product();
    const license = await manageOk("POST", "/api/v1/licenses", {
      product_id: id,
      license_type: "consumption",
      consumption: { max_consumptions: 5 },
    });
    expect((await refused("PATCH", `/api/v1/licenses/${license.id}/consumption`, { allow_overages: true })).message).toBe(
      "max_overages: allow_overages needs at least 1 (max_overages 0 allows no overage)",
    );
  });

  it("imports keep what LicenseSpring held: only floating settings that cannot work are bad rows", async () => {
    const imported = await importProduct();
    const row = {
      id: licenseSpringId(),
      product: imported.short_code,
      license_key: uniqueCode("KEY"),
      features: { [imported.features[0]!]: { consumption_period: "monthly" } },
    };
    expect((await importRows("licenses", [row])).status).toBe(200);
  });
});

describe("settings that work but refuse every request for now are flagged in `warnings`", () => {
  it("an allowance of 0, a feature expired, a license expired: shown on the license and true of the License API", async () => {
    const setup = await vendorSetup({ max_consumption: 0 }, { features: {}, validity_period: "2099-01-01T00:00:00Z" });
    const detail = await manageOk("GET", `/api/v1/licenses/${setup.license.id}`);
    expect(detail.warnings).toEqual([]);
    expect(detail.features[0].warnings).toEqual([
      "max_consumption is 0 and neither allow_unlimited_consumptions nor overages are on: every consumption is refused until it is raised",
    ]);
    expect((await consumeAs(setup)).status).toBe(400);
    const raised = await manageOk("PATCH", `/api/v1/licenses/${setup.license.id}/features/${setup.featureCode}`, {
      max_consumption: 5,
      expiry_date: "2001-01-01T00:00:00Z",
    });
    expect(raised.warnings).toEqual(["expiry_date 2001-01-01T00:00:00.000Z is past: requests for this feature answer feature_expired"]);

    const { id } = await product();
    const expired = await manageOk("POST", "/api/v1/licenses", {
      product_id: id,
      license_type: "consumption",
      validity_period: "2001-01-01T00:00:00Z",
    });
    expect(expired.warnings).toEqual([
      "validity_period 2001-01-01T00:00:00.000Z is past: every License API request for it answers license_expired",
    ]);
    expect(expired.consumption.warnings).toEqual([
      "max_consumptions is 0 and neither allow_unlimited_consumptions nor overages are on: every consumption is refused until it is raised",
    ]);
  });
});
