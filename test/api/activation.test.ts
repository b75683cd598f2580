// activate_license / deactivate_license through HTTP: devices come into being by activating.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { consume, errorCode, postSigned, signedBody } from "../support/client";
import { createApiKey, createFixture, type Credentials, type Fixture } from "../support/fixtures";

let credentials: Credentials;
beforeAll(async () => {
  credentials = await createApiKey();
});

const activate = (fixture: Fixture, extra: Record<string, unknown> = {}) =>
  postSigned("/api/v4/activate_license", { ...fixture.identity, ...extra }, credentials);
const deactivate = (fixture: Fixture, extra: Record<string, unknown> = {}) =>
  postSigned("/api/v4/deactivate_license", { ...fixture.identity, ...extra }, credentials);

async function activeDevices(licenseId: number): Promise<string[]> {
  const { results } = await env.DB.prepare("SELECT hardware_id FROM devices WHERE license_id = ? AND active = 1 ORDER BY hardware_id")
    .bind(licenseId)
    .all<{ hardware_id: string }>();
  return results.map((row) => row.hardware_id);
}

describe("activate_license", () => {
  it("creates the device, marks the license active and answers the signed license object", async () => {
    const fixture = await createFixture({ noDevice: true, licenseActive: false, feature: { maxConsumption: 7 } });
    const body = await signedBody<Record<string, any>>(await activate(fixture));
    expect(body).toMatchObject({
      id: fixture.licenseId,
      license_key: fixture.licenseKey,
      license_active: true,
      license_enabled: true,
      is_expired: false,
      times_activated: 1,
      max_activations: 1,
      hardware_id: fixture.hardwareId,
      request: "activation",
      product_details: { short_code: fixture.productCode, authorization_method: "license-key" },
    });
    expect(typeof body.license_signature).toBe("string");
    expect(body.product_features).toEqual([
      expect.objectContaining({
        id: fixture.licenseFeatureId,
        code: fixture.featureCode,
        feature_type: "consumption",
        max_consumption: 7,
        total_consumptions: 0,
        is_expired: false,
      }),
    ]);
    expect(await activeDevices(fixture.licenseId)).toEqual([fixture.hardwareId]);
    // The new device can consume at once.
    expect((await consume(fixture, credentials)).status).toBe(200);
  });

  it("re-activating an active device takes no extra seat", async () => {
    const fixture = await createFixture({ noDevice: true, license: { maxActivations: 1 } });
    await signedBody(await activate(fixture));
    const again = await signedBody<{ times_activated: number }>(await activate(fixture));
    expect(again.times_activated).toBe(1);
  });

  it("license_activated_max_times, also under concurrent activations of distinct devices", async () => {
    const fixture = await createFixture({ noDevice: true, license: { maxActivations: 3 } });
    const responses = await Promise.all(Array.from({ length: 12 }, (_, i) => activate(fixture, { hardware_id: `machine-${i}` })));
    const ok = responses.filter((response) => response.status === 200);
    expect(ok).toHaveLength(3);
    const codes = await Promise.all(responses.filter((response) => response.status !== 200).map(errorCode));
    expect(new Set(codes)).toEqual(new Set(["license_activated_max_times"]));
    for (const response of ok) await response.body?.cancel();
    expect(await activeDevices(fixture.licenseId)).toHaveLength(3);
  });

  it("allow_unlimited_activations ignores max_activations", async () => {
    const fixture = await createFixture({ noDevice: true, license: { maxActivations: 1, allowUnlimitedActivations: true } });
    for (let i = 0; i < 3; i++) await signedBody(await activate(fixture, { hardware_id: `m-${i}` }));
    expect(await activeDevices(fixture.licenseId)).toHaveLength(3);
  });

  it("a deactivated device frees its seat", async () => {
    const fixture = await createFixture({ noDevice: true, license: { maxActivations: 1 } });
    await signedBody(await activate(fixture));
    expect(await errorCode(await activate(fixture, { hardware_id: "other" }))).toBe("license_activated_max_times");
    expect(await signedBody(await deactivate(fixture))).toBe("license_deactivated");
    await signedBody(await activate(fixture, { hardware_id: "other" }));
  });

  it("blacklisted devices, disabled and expired licenses, unknown product and license", async () => {
    expect(await errorCode(await activate(await createFixture({ deviceBlacklisted: true, deviceActive: false })))).toBe("blacklisted");
    expect(await errorCode(await activate(await createFixture({ noDevice: true, licenseEnabled: false })))).toBe("license_not_enabled");
    expect(await errorCode(await activate(await createFixture({ noDevice: true, validityPeriod: "2021-01-01T00:00:00.000Z" })))).toBe(
      "license_expired",
    );
    const fixture = await createFixture({ noDevice: true });
    expect(await errorCode(await activate(fixture, { product: "nope" }))).toBe("unknown_product");
    expect(await errorCode(await activate(fixture, { license_key: "nope" }))).toBe("license_not_found");
  });

  it("user-based: the right password activates; a wrong or missing one does not", async () => {
    const fixture = await createFixture({ authorizationMethod: "user", password: "s3cret pass", noDevice: true });
    expect(await errorCode(await activate(fixture, { password: "wrong" }))).toBe("invalid_password");
    expect(await errorCode(await activate(fixture))).toBe("missing_parameters");
    expect(await activeDevices(fixture.licenseId)).toEqual([]);
    const body = await signedBody<{ user: { email: string }; license_key?: string }>(await activate(fixture, { password: "s3cret pass" }));
    expect(body.user.email).toBe(fixture.username);
    expect(body.license_key).toBeUndefined();
    expect(await activeDevices(fixture.licenseId)).toEqual([fixture.hardwareId]);
  });

  it("a user without a stored password can never activate", async () => {
    const fixture = await createFixture({ authorizationMethod: "user", noDevice: true });
    expect(await errorCode(await activate(fixture, { password: "" }))).toBe("invalid_password");
  });
});

describe("deactivate_license", () => {
  it('answers "license_deactivated"; the device can no longer consume', async () => {
    const fixture = await createFixture();
    expect((await consume(fixture, credentials)).status).toBe(200);
    expect(await signedBody(await deactivate(fixture))).toBe("license_deactivated");
    expect(await errorCode(await consume(fixture, credentials))).toBe("device_not_found");
    expect(await errorCode(await deactivate(fixture))).toBe("device_not_found");
  });

  it("blacklisted devices are told so", async () => {
    expect(await errorCode(await deactivate(await createFixture({ deviceBlacklisted: true })))).toBe("blacklisted");
  });

  it("read-only API keys cannot activate or deactivate", async () => {
    const readOnly = await createApiKey({ readOnly: true });
    const fixture = await createFixture();
    expect(await errorCode(await postSigned("/api/v4/activate_license", fixture.identity, readOnly))).toBe("read_only_api_key");
    expect(await errorCode(await postSigned("/api/v4/deactivate_license", fixture.identity, readOnly))).toBe("read_only_api_key");
  });
});
