// Small differences from LicenseSpring that real clients notice: the repeated `event` value its
// schema allows, its error sentences kept verbatim (our detail in a header), the floating releases'
// documented license errors, the API host's root answering 200 (the Python SDK's is_online) and
// not_supported naming the HTTP call rather than one SDK's methods.
import { beforeAll, describe, expect, it } from "vitest";
import { auditRows, flushAudit } from "../support/audit";
import { callWorker, consume, errorCode, postSigned, signedBody } from "../support/client";
import { createApiKey, createFixture, type Credentials } from "../support/fixtures";
import { manage } from "../support/management-client";
import { UNSUPPORTED_CALLS } from "../../src/license-api/not-supported";

let credentials: Credentials;
beforeAll(async () => {
  credentials = await createApiKey();
});

interface ErrorBody {
  status: number;
  code: string;
  message: string;
}

describe("event: LicenseSpring's schema (at least one item, never both values)", () => {
  it("a repeated value is that one event", async () => {
    const fixture = await createFixture();
    await signedBody(
      await consume(fixture, credentials, { event: ["offline_floating_consumptions_sync", "offline_floating_consumptions_sync"] }),
    );
    await signedBody(await consume(fixture, credentials, { event: ["consumption_add", "consumption_add", "consumption_add"] }));
    await flushAudit(fixture.licenseFeatureId);
    expect((await auditRows(fixture.licenseFeatureId)).map((row) => row.event)).toEqual([
      "offline_floating_consumptions_sync",
      "consumption_add",
    ]);
  });

  it.each([
    ["both values", ["consumption_add", "offline_floating_consumptions_sync"]],
    ["no item", []],
  ])("%s is validation_error", async (_name, event) => {
    const fixture = await createFixture();
    expect(await errorCode(await consume(fixture, credentials, { event }))).toBe("validation_error");
  });
});

describe("LicenseSpring's error sentences, verbatim", () => {
  it("the message is LicenseSpring's sentence; what more we know is in Error-Detail", async () => {
    const fixture = await createFixture({ feature: { maxConsumption: 3 } });
    const refused = await consume(fixture, credentials, { consumptions: 5 });
    const body = (await refused.json()) as ErrorBody;
    expect(body).toEqual({ status: 400, code: "feature_not_enough_consumptions", message: "Not enough consumptions left" });
    expect(refused.headers.get("Error-Detail")).toBe("Not enough consumptions left (3 of 3 remain)");

    const swapped = {
      product: fixture.productCode,
      hardware_id: fixture.hardwareId,
      username: "a@example.com",
      feature: fixture.featureCode,
    };
    const wrongIdentifier = await postSigned("/api/v4/add_feature_consumption", swapped, credentials);
    expect(((await wrongIdentifier.json()) as ErrorBody).message).toBe("License with the provided license key or license user not found");
    expect(wrongIdentifier.headers.get("Error-Detail")).toBe("This product's licenses are key-based: send license_key, not username");
  });

  it("a sentence with nothing to add has no Error-Detail", async () => {
    const fixture = await createFixture();
    const response = await consume(fixture, credentials, { product: "no-such-product" });
    expect(((await response.json()) as ErrorBody).message).toBe("Provided product was not found");
    expect(response.headers.has("Error-Detail")).toBe(false);
  });

  it("validation_error keeps naming what failed in the message (as LicenseSpring's does)", async () => {
    const fixture = await createFixture();
    const body = (await (await consume(fixture, credentials, { consumptions: 0 })).json()) as ErrorBody;
    expect(body.message).toContain("consumptions must not be 0");
  });
});

describe("floating releases: the license errors LicenseSpring lists for them", () => {
  const release = (fixture: Awaited<ReturnType<typeof createFixture>>, path: string, extra: Record<string, unknown> = {}) =>
    postSigned(`/api/v4/${path}`, { ...fixture.identity, ...extra }, credentials);

  it("license_not_enabled on a disabled license", async () => {
    const fixture = await createFixture({ license: { floatingUsers: 1 }, feature: { floatingUsers: 1 }, licenseEnabled: false });
    expect(await errorCode(await release(fixture, "floating/release"))).toBe("license_not_enabled");
    expect(await errorCode(await release(fixture, "floating/feature_release", { feature: fixture.featureCode }))).toBe(
      "license_not_enabled",
    );
  });

  it("license_not_active on a license never activated", async () => {
    const fixture = await createFixture({ license: { floatingUsers: 1 }, feature: { floatingUsers: 1 }, licenseActive: false });
    expect(await errorCode(await release(fixture, "floating/release"))).toBe("license_not_active");
    expect(await errorCode(await release(fixture, "floating/feature_release", { feature: fixture.featureCode }))).toBe(
      "license_not_active",
    );
  });

  it("an enabled, active license still releases (and a disabled one again once enabled)", async () => {
    const fixture = await createFixture({ license: { floatingUsers: 1 } });
    expect(await signedBody<string>(await release(fixture, "floating/release"))).toBe("");
    expect((await manage("POST", `/api/v1/licenses/${fixture.licenseId}/disable`)).status).toBe(200);
    expect(await errorCode(await release(fixture, "floating/release"))).toBe("license_not_enabled");
    expect((await manage("POST", `/api/v1/licenses/${fixture.licenseId}/enable`)).status).toBe(200);
    expect(await signedBody<string>(await release(fixture, "floating/release"))).toBe("");
  });
});

describe("the API host's root", () => {
  it("GET / answers 200: LicenseSpring's Python SDK counts only a 200 there as online", async () => {
    const response = await callWorker("/", { method: "GET" });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: "ok", license_api: "/api/v4" });
    expect((await callWorker("/", { method: "HEAD" })).status).toBe(200);
  });
});

describe("not_supported names the HTTP call, which every SDK shares", () => {
  it("no SDK's method names in the message", async () => {
    for (const call of UNSUPPORTED_CALLS) {
      const body = (await (await callWorker(`/api/v4/${call.path}`, { method: "GET" })).json()) as ErrorBody;
      expect(body.message).toMatch(new RegExp(`^/api/v4/${call.path} is not supported by this server: `));
      expect(body.message).not.toMatch(/LicenseAPI|LicenseManager|BundleManager|SDK/);
    }
  });
});
