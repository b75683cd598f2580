// POST /api/v4/add_feature_consumption through HTTP: every documented error, the success paths,
// and the request-shape errors that are ours. Each test builds its own product and license.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { auditRows, flushAudit } from "../support/audit";
import { callWorker, consume, errorCode, postSigned, signedBody } from "../support/client";
import { authHeaders } from "../support/signing";
import { createApiKey, createFixture, type Credentials } from "../support/fixtures";

let credentials: Credentials;
beforeAll(async () => {
  credentials = await createApiKey();
});

const PATH = "/api/v4/add_feature_consumption";

describe("documented errors", () => {
  it("unknown_product", async () => {
    const fixture = await createFixture();
    const response = await consume(fixture, credentials, { product: "no-such-product" });
    expect(response.status).toBe(400);
    expect(await errorCode(response)).toBe("unknown_product");
  });

  it("license_not_found: unknown key, unknown user, and the wrong identifier for the product", async () => {
    const keyBased = await createFixture();
    expect(await errorCode(await consume(keyBased, credentials, { license_key: "NOPE" }))).toBe("license_not_found");
    const userBased = await createFixture({ authorizationMethod: "user" });
    expect(await errorCode(await consume(userBased, credentials, { username: "nobody@example.com" }))).toBe("license_not_found");
    const swapped = {
      product: keyBased.productCode,
      hardware_id: keyBased.hardwareId,
      username: "someone@example.com",
      feature: keyBased.featureCode,
    };
    expect(await errorCode(await postSigned(PATH, swapped, credentials))).toBe("license_not_found");
  });

  it("license_not_found: a license_id that is not this license's", async () => {
    const fixture = await createFixture();
    expect(await errorCode(await consume(fixture, credentials, { license_id: fixture.licenseId + 1000 }))).toBe("license_not_found");
    expect((await consume(fixture, credentials, { license_id: fixture.licenseId })).status).toBe(200);
  });

  it("license_not_enabled (outranks license_not_active)", async () => {
    const fixture = await createFixture({ licenseEnabled: false, licenseActive: false });
    expect(await errorCode(await consume(fixture, credentials))).toBe("license_not_enabled");
  });

  it("license_not_active", async () => {
    const fixture = await createFixture({ licenseActive: false });
    expect(await errorCode(await consume(fixture, credentials))).toBe("license_not_active");
  });

  it("license_expired (our code: the validity period has passed)", async () => {
    const fixture = await createFixture({ validityPeriod: "2020-01-01T00:00:00.000Z" });
    expect(await errorCode(await consume(fixture, credentials))).toBe("license_expired");
  });

  it("device_not_found: unknown and deactivated devices", async () => {
    const fixture = await createFixture();
    expect(await errorCode(await consume(fixture, credentials, { hardware_id: "another-machine" }))).toBe("device_not_found");
    const inactive = await createFixture({ deviceActive: false });
    expect(await errorCode(await consume(inactive, credentials))).toBe("device_not_found");
  });

  it("blacklisted (even when also deactivated)", async () => {
    const fixture = await createFixture({ deviceBlacklisted: true });
    expect(await errorCode(await consume(fixture, credentials))).toBe("blacklisted");
    const both = await createFixture({ deviceBlacklisted: true, deviceActive: false });
    expect(await errorCode(await consume(both, credentials))).toBe("blacklisted");
  });

  it("unsupported_product_feature: unknown feature, feature not on the license, activation feature", async () => {
    const fixture = await createFixture();
    expect(await errorCode(await consume(fixture, credentials, { feature: "no-such-feature" }))).toBe("unsupported_product_feature");
    const notOnLicense = await createFixture({ featureNotOnLicense: true });
    expect(await errorCode(await consume(notOnLicense, credentials))).toBe("unsupported_product_feature");
    const activation = await createFixture({ feature: { featureType: "activation" } });
    expect(await errorCode(await consume(activation, credentials))).toBe("unsupported_product_feature");
  });

  it("feature_not_enough_consumptions, and the refusal changes nothing", async () => {
    const fixture = await createFixture({ feature: { maxConsumption: 5 } });
    expect((await consume(fixture, credentials, { consumptions: 4 })).status).toBe(200);
    expect(await errorCode(await consume(fixture, credentials, { consumptions: 2 }))).toBe("feature_not_enough_consumptions");
    const last = await signedBody<{ total_consumptions: number }>(await consume(fixture, credentials, { consumptions: 1 }));
    expect(last.total_consumptions).toBe(5);
    expect(await errorCode(await consume(fixture, credentials))).toBe("feature_not_enough_consumptions");
    await flushAudit(fixture.licenseFeatureId);
    expect((await auditRows(fixture.licenseFeatureId)).map((row) => row.consumptions)).toEqual([4, 1]);
  });

  it("negative_consumptions_not_allowed", async () => {
    const fixture = await createFixture({ feature: { allowNegativeConsumptions: false } });
    expect(await errorCode(await consume(fixture, credentials, { consumptions: -1 }))).toBe("negative_consumptions_not_allowed");
  });

  it("negative_consumptions_not_allowed when a negative consumption would take the total below 0", async () => {
    const fixture = await createFixture({ feature: { allowNegativeConsumptions: true } });
    await consume(fixture, credentials, { consumptions: 2 });
    expect(await errorCode(await consume(fixture, credentials, { consumptions: -3 }))).toBe("negative_consumptions_not_allowed");
  });
});

describe("success", () => {
  it("key-based: counts, answers the SDK's fields, signs the exact bytes, audits", async () => {
    const fixture = await createFixture({ feature: { maxConsumption: 100 } });
    await signedBody(await consume(fixture, credentials, { consumptions: 3 }));
    const body = await signedBody(await consume(fixture, credentials));
    expect(body).toEqual({
      id: fixture.licenseFeatureId,
      license_id: fixture.licenseId,
      company: { id: 7 },
      total_consumptions: 4,
      max_consumptions: 100,
      allow_unlimited_consumptions: false,
      allow_negative_consumptions: false,
      allow_overages: false,
      max_overages: 0,
      reset_consumption: false,
      consumption_period: null,
      is_floating: false,
      is_floating_cloud: false,
      consumption_period_start: null,
      consumption_period_end: null,
    });
    await flushAudit(fixture.licenseFeatureId);
    const rows = await auditRows(fixture.licenseFeatureId);
    expect(
      rows.map((row) => [row.consumptions, row.total_after, row.event, row.hardware_id, row.api_key_id, row.license_id, row.feature_code]),
    ).toEqual([
      [3, 3, "consumption_add", fixture.hardwareId, credentials.id, fixture.licenseId, fixture.featureCode],
      [1, 4, "consumption_add", fixture.hardwareId, credentials.id, fixture.licenseId, fixture.featureCode],
    ]);
    expect(new Set(rows.map((row) => row.event_id)).size).toBe(2);
    // The D1 mirror follows the object's total once flushed.
    const mirror = await env.DB.prepare("SELECT total_consumptions FROM license_features WHERE id = ?")
      .bind(fixture.licenseFeatureId)
      .first<number>("total_consumptions");
    expect(mirror).toBe(4);
  });

  it("user-based: username identifies the license (case-insensitively)", async () => {
    const fixture = await createFixture({ authorizationMethod: "user" });
    const body = await signedBody<{ total_consumptions: number }>(await consume(fixture, credentials, { consumptions: 2 }));
    expect(body.total_consumptions).toBe(2);
    const upper = await signedBody<{ total_consumptions: number }>(
      await consume(fixture, credentials, { username: fixture.username!.toUpperCase() }),
    );
    expect(upper.total_consumptions).toBe(3);
  });

  it("negative consumptions where allowed", async () => {
    const fixture = await createFixture({ feature: { allowNegativeConsumptions: true, maxConsumption: 10 } });
    await consume(fixture, credentials, { consumptions: 10 });
    const body = await signedBody<{ total_consumptions: number }>(await consume(fixture, credentials, { consumptions: -4 }));
    expect(body.total_consumptions).toBe(6);
  });

  it("overages: up to max_consumption + max_overages, no further", async () => {
    const fixture = await createFixture({ feature: { maxConsumption: 10, allowOverages: true, maxOverages: 5 } });
    expect(
      (await signedBody<{ total_consumptions: number }>(await consume(fixture, credentials, { consumptions: 15 }))).total_consumptions,
    ).toBe(15);
    expect(await errorCode(await consume(fixture, credentials))).toBe("feature_not_enough_consumptions");
  });

  it("allow_overages with max_overages 0 allows no overage (as the SDKs check locally)", async () => {
    const fixture = await createFixture({ feature: { maxConsumption: 3, allowOverages: true, maxOverages: 0 } });
    expect((await consume(fixture, credentials, { consumptions: 3 })).status).toBe(200);
    expect(await errorCode(await consume(fixture, credentials))).toBe("feature_not_enough_consumptions");
  });

  it("unlimited: no limit applies", async () => {
    const fixture = await createFixture({ feature: { maxConsumption: 1, allowUnlimitedConsumptions: true } });
    const body = await signedBody<{ total_consumptions: number; allow_unlimited_consumptions: boolean }>(
      await consume(fixture, credentials, { consumptions: 1_000_000 }),
    );
    expect(body).toMatchObject({ total_consumptions: 1_000_000, allow_unlimited_consumptions: true });
  });

  it("offline_floating_consumptions_sync is recorded as such", async () => {
    const fixture = await createFixture();
    await signedBody(await consume(fixture, credentials, { event: ["offline_floating_consumptions_sync"] }));
    await flushAudit(fixture.licenseFeatureId);
    expect((await auditRows(fixture.licenseFeatureId)).map((row) => row.event)).toEqual(["offline_floating_consumptions_sync"]);
  });

  it("ignores fields it does not read (sdk_ver, bundle_code) as real clients send them", async () => {
    const fixture = await createFixture();
    expect((await consume(fixture, credentials, { sdk_ver: "NodeSDK 1.4.17", bundle_code: "b1" })).status).toBe(200);
  });
});

describe("request-shape errors: always a 400 with a stable code, never a 500", () => {
  async function rawPost(body: BodyInit, contentType: string | null = "application/json"): Promise<Response> {
    const headers: Record<string, string> = await authHeaders(credentials);
    if (contentType) headers["Content-Type"] = contentType;
    return callWorker(PATH, { method: "POST", headers, body });
  }

  it.each([
    ["malformed JSON", '{"product":', "invalid_json"],
    ["truncated UTF-8", new Uint8Array([0x7b, 0x22, 0xc3]), "invalid_json"],
    ["a JSON array", "[]", "validation_error"],
    ["a JSON string", '"hello"', "validation_error"],
    ["null", "null", "validation_error"],
  ] as const)("%s", async (_name, body, code) => {
    const response = await rawPost(body as BodyInit);
    expect(response.status).toBe(400);
    expect(await errorCode(response)).toBe(code);
  });

  it("wrong or missing content type", async () => {
    expect(await errorCode(await rawPost("{}", "text/plain"))).toBe("invalid_content_type");
    expect(await errorCode(await rawPost("{}", null))).toBe("invalid_content_type");
    expect((await rawPost("{}", "application/json; charset=utf-8")).status).toBe(400);
  });

  it("oversized body", async () => {
    const response = await rawPost(JSON.stringify({ padding: "x".repeat(20_000) }));
    expect(response.status).toBe(400);
    expect(await errorCode(response)).toBe("body_too_large");
  });

  it("a Content-Length that says less than the body holds", async () => {
    const headers: Record<string, string> = {
      ...(await authHeaders(credentials)),
      "Content-Type": "application/json",
      "Content-Length": "10",
    };
    const response = await callWorker(PATH, { method: "POST", headers, body: JSON.stringify({ padding: "x".repeat(20_000) }) });
    expect(response.status).toBe(400);
    expect(await errorCode(response)).toBe("body_too_large");
  });

  it.each([
    ["missing hardware_id", { hardware_id: undefined }, "missing_parameters"],
    ["missing product", { product: undefined }, "missing_parameters"],
    ["missing feature", { feature: undefined }, "missing_parameters"],
    ["neither license_key nor username", { license_key: undefined }, "missing_parameters"],
    ["both license_key and username", { username: "a@example.com" }, "validation_error"],
    ["consumptions as a string", { consumptions: "5" }, "validation_error"],
    ["fractional consumptions", { consumptions: 1.5 }, "validation_error"],
    ["zero consumptions", { consumptions: 0 }, "validation_error"],
    ["consumptions beyond 2^53", { consumptions: 2 ** 53 + 2 }, "validation_error"],
    ["event not an array", { event: "consumption_add" }, "validation_error"],
    ["unknown event", { event: ["consumption_remove"] }, "validation_error"],
    ["two events", { event: ["consumption_add", "offline_floating_consumptions_sync"] }, "validation_error"],
    ["license_id as a string", { license_id: "1" }, "validation_error"],
    ["hardware_id as a number", { hardware_id: 42 }, "validation_error"],
    ["empty product", { product: "" }, "validation_error"],
    ["missing feature and a wrong type", { feature: undefined, consumptions: "x" }, "validation_error"],
  ] as const)("%s → %s", async (_name, change, code) => {
    const fixture = await createFixture();
    const response = await consume(fixture, credentials, change);
    expect(response.status).toBe(400);
    expect(await errorCode(response)).toBe(code);
    await flushAudit(fixture.licenseFeatureId);
    expect(await auditRows(fixture.licenseFeatureId)).toEqual([]);
  });

  it("wrong method and unknown path", async () => {
    const wrongMethod = await callWorker(PATH, { method: "GET" });
    expect(wrongMethod.status).toBe(405);
    expect(await errorCode(wrongMethod)).toBe("method_not_allowed");
    const unknown = await callWorker("/api/v4/nothing_here", { method: "POST" });
    expect(unknown.status).toBe(404);
    expect(await errorCode(unknown)).toBe("not_found");
  });
});
