// check_license / check_license_feature: query-parameter requests answering live totals.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { consume, errorCode, getSigned, signedBody } from "../support/client";
import { createApiKey, createFixture, type Credentials, type Fixture } from "../support/fixtures";

let credentials: Credentials;
beforeAll(async () => {
  credentials = await createApiKey();
});

const check = (fixture: Fixture, extra: Record<string, string | number | boolean> = {}, as = credentials) =>
  getSigned("/api/v4/check_license", { ...fixture.identity, ...extra }, as);
const checkFeature = (fixture: Fixture, extra: Record<string, string | number | boolean> = {}) =>
  getSigned("/api/v4/check_license_feature", { ...fixture.identity, feature: fixture.featureCode, ...extra }, credentials);

describe("check_license", () => {
  it("answers the license with live feature totals (a consumption just accepted is visible)", async () => {
    const fixture = await createFixture({ feature: { maxConsumption: 9 } });
    await signedBody(await consume(fixture, credentials, { consumptions: 4 }));
    const body = await signedBody<Record<string, any>>(await check(fixture));
    expect(body).toMatchObject({
      id: fixture.licenseId,
      license_active: true,
      license_enabled: true,
      is_expired: false,
      license_key: fixture.licenseKey,
    });
    expect(body.product_features[0]).toMatchObject({ code: fixture.featureCode, total_consumptions: 4, max_consumption: 9 });
    await signedBody(await consume(fixture, credentials, { consumptions: 1 }));
    expect((await signedBody<Record<string, any>>(await check(fixture))).product_features[0].total_consumptions).toBe(5);
  });

  it("read-only keys may check", async () => {
    const readOnly = await createApiKey({ readOnly: true });
    await signedBody(await check(await createFixture(), {}, readOnly));
  });

  it("hides expired features unless include_expired_features", async () => {
    const fixture = await createFixture({ feature: { expiryDate: "2022-02-02T00:00:00.000Z" } });
    expect((await signedBody<Record<string, any>>(await check(fixture))).product_features).toEqual([]);
    const withExpired = await signedBody<Record<string, any>>(await check(fixture, { include_expired_features: true }));
    expect(withExpired.product_features).toEqual([
      expect.objectContaining({ code: fixture.featureCode, is_expired: true, expiry_date: "2022-02-02T00:00:00.000Z" }),
    ]);
  });

  it("the documented errors and bad query parameters", async () => {
    const fixture = await createFixture();
    expect(await errorCode(await check(fixture, { product: "nope" }))).toBe("unknown_product");
    expect(await errorCode(await check(fixture, { hardware_id: "unknown" }))).toBe("device_not_found");
    expect(await errorCode(await check(await createFixture({ licenseEnabled: false })))).toBe("license_not_enabled");
    expect(await errorCode(await check(fixture, { license_id: "abc" }))).toBe("validation_error");
    expect(await errorCode(await check(fixture, { include_expired_features: "maybe" }))).toBe("validation_error");
    expect(await errorCode(await getSigned("/api/v4/check_license", { product: fixture.productCode }, credentials))).toBe(
      "missing_parameters",
    );
  });
});

describe("check_license_feature", () => {
  it("answers one feature with its live total", async () => {
    const fixture = await createFixture({
      feature: { maxConsumption: 20, allowOverages: true, maxOverages: 2, resetConsumption: true, consumptionPeriod: "monthly" },
    });
    await signedBody(await consume(fixture, credentials, { consumptions: 6 }));
    const body = await signedBody<Record<string, any>>(await checkFeature(fixture));
    expect(body).toMatchObject({
      id: fixture.licenseFeatureId,
      license_id: fixture.licenseId,
      code: fixture.featureCode,
      feature_type: "consumption",
      max_consumption: 20,
      total_consumptions: 6,
      allow_overages: true,
      max_overages: 2,
      reset_consumption: true,
      consumption_period: "monthly",
      is_expired: false,
    });
    const start = new Date(body.consumption_period_start);
    expect(start.getUTCDate()).toBe(1);
    expect(Date.parse(body.consumption_period_end)).toBeGreaterThan(Date.now());
  });

  it("shows activation features, and expired features as expired", async () => {
    const activation = await createFixture({ feature: { featureType: "activation" } });
    expect((await signedBody<Record<string, any>>(await checkFeature(activation))).feature_type).toBe("activation");
    const expired = await createFixture({ feature: { expiryDate: "2020-01-01T00:00:00.000Z" } });
    expect((await signedBody<Record<string, any>>(await checkFeature(expired))).is_expired).toBe(true);
  });

  it("invalid_license_feature_code (LicenseSpring's code for license_feature) for a feature the product or the license lacks", async () => {
    expect(await errorCode(await checkFeature(await createFixture(), { feature: "nope" }))).toBe("invalid_license_feature_code");
    expect(await errorCode(await checkFeature(await createFixture({ featureNotOnLicense: true })))).toBe("invalid_license_feature_code");
  });
});

describe("feature expiry", () => {
  it("an expired feature cannot be consumed: feature_expired", async () => {
    const fixture = await createFixture({ feature: { expiryDate: new Date(Date.now() - 1000).toISOString() } });
    expect(await errorCode(await consume(fixture, credentials))).toBe("feature_expired");
    const count = await env.DB.prepare("SELECT COUNT(*) AS n FROM consumption_audit WHERE license_feature_id = ?")
      .bind(fixture.licenseFeatureId)
      .first<number>("n");
    expect(count).toBe(0);
  });

  it("a feature expiring in the future can be consumed", async () => {
    const fixture = await createFixture({ feature: { expiryDate: new Date(Date.now() + 86_400_000).toISOString() } });
    expect((await consume(fixture, credentials)).status).toBe(200);
  });
});
