// POST /api/v1/import/devices: devices activated in LicenseSpring work here without activating again.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import type { Credentials } from "../support/fixtures";
import { errorCode, postSigned, signedBody } from "../support/client";
import { importError, importOk, importProduct, importRows, licenseSpringId } from "../support/import-client";
import { manageOk, uniqueCode } from "../support/management-client";

let credentials: Credentials;

beforeAll(async () => {
  const created = await manageOk("POST", "/api/v1/api-keys", {});
  credentials = { id: created.id, apiKey: created.api_key, sharedKey: created.shared_key };
});

async function importedLicense(license: Record<string, unknown> = {}) {
  const product = await importProduct();
  const row = { id: licenseSpringId(), product: product.short_code, license_key: uniqueCode("KEY"), ...license };
  await importOk("licenses", [row]);
  const identity = { product: product.short_code, license_key: row.license_key };
  return { product, id: row.id, identity, feature: product.features[0]! };
}

describe("POST /api/v1/import/devices", () => {
  it("an imported device consumes at once, even where the license's counter already decided without it", async () => {
    const license = await importedLicense();
    const hardwareId = uniqueCode("hw");
    const consume = () =>
      postSigned(
        "/api/v4/add_feature_consumption",
        { ...license.identity, hardware_id: hardwareId, feature: license.feature },
        credentials,
      );
    // The counter object loads the license (not active, no device) and refuses.
    expect(await errorCode(await consume())).toBe("license_not_active");

    const summary = await importOk("devices", [{ license_id: license.id, hardware_id: hardwareId, created_at: "2023-05-01T08:00:00Z" }]);
    expect(summary).toEqual({
      kind: "devices",
      rows: 1,
      results: [{ row: 1, id: expect.any(Number), license_id: license.id, hardware_id: hardwareId }],
    });
    expect((await signedBody(await consume())).total_consumptions).toBe(1);

    const devices = await manageOk("GET", `/api/v1/licenses/${license.id}/devices`);
    expect(devices.data).toEqual([
      {
        id: summary.results[0].id,
        license_id: license.id,
        hardware_id: hardwareId,
        active: true,
        blacklisted: false,
        created_at: "2023-05-01T08:00:00.000Z",
      },
    ]);
    expect(await manageOk("GET", `/api/v1/licenses/${license.id}`)).toMatchObject({ active: true });
  });

  it("sending the same rows again repairs a call that wrote its devices but failed before telling the counters", async () => {
    const license = await importedLicense();
    const hardwareId = uniqueCode("hw");
    const consume = () =>
      postSigned(
        "/api/v4/add_feature_consumption",
        { ...license.identity, hardware_id: hardwareId, feature: license.feature },
        credentials,
      );
    expect(await errorCode(await consume())).toBe("license_not_active");
    // What such a call leaves: the device and the license's activation committed, the counter not told.
    await env.DB.batch([
      env.DB.prepare("INSERT INTO devices (license_id, hardware_id) VALUES (?, ?)").bind(license.id, hardwareId),
      env.DB.prepare("UPDATE licenses SET active = 1 WHERE id = ?").bind(license.id),
    ]);
    expect(await errorCode(await consume())).toBe("license_not_active");
    await importOk("devices", [{ license_id: license.id, hardware_id: hardwareId }]);
    expect((await signedBody(await consume())).total_consumptions).toBe(1);
  });

  it("imports inactive and blacklisted devices as such", async () => {
    const license = await importedLicense({ max_activations: 5 });
    const [gone, banned] = [uniqueCode("hw"), uniqueCode("hw")];
    await importOk("devices", [
      { license_id: license.id, hardware_id: gone, active: false },
      { license_id: license.id, hardware_id: banned, blacklisted: true, active: false },
    ]);
    const consume = (hardwareId: string) =>
      postSigned(
        "/api/v4/add_feature_consumption",
        { ...license.identity, hardware_id: hardwareId, feature: license.feature },
        credentials,
      );
    // No active device: the license was never activated.
    expect(await manageOk("GET", `/api/v1/licenses/${license.id}`)).toMatchObject({ active: false });
    expect(await errorCode(await consume(gone))).toBe("license_not_active");
    const activate = (hardwareId: string) =>
      postSigned("/api/v4/activate_license", { ...license.identity, hardware_id: hardwareId }, credentials);
    expect(await errorCode(await activate(banned))).toBe("blacklisted");
    expect((await signedBody(await activate(gone))).license_active).toBe(true);
    expect(await errorCode(await consume(banned))).toBe("blacklisted");
  });

  it("a retry changes nothing and answers the same: a device deactivated since stays deactivated", async () => {
    const license = await importedLicense();
    const row = { license_id: license.id, hardware_id: uniqueCode("hw") };
    const first = await importOk("devices", [row]);
    const deactivated = await postSigned("/api/v4/deactivate_license", { ...license.identity, hardware_id: row.hardware_id }, credentials);
    expect(deactivated.status).toBe(200);
    expect(await importOk("devices", [row], { format: "ndjson" })).toEqual(first);
    const devices = await manageOk("GET", `/api/v1/licenses/${license.id}/devices`);
    expect(devices.data).toEqual([expect.objectContaining({ id: first.results[0].id, active: false })]);
  });

  it("takes active devices beyond max_activations (they are activated already); new activations wait for a free seat", async () => {
    const license = await importedLicense({ max_activations: 1 });
    const [a, b] = [uniqueCode("hw"), uniqueCode("hw")];
    await importOk("devices", [
      { license_id: license.id, hardware_id: a },
      { license_id: license.id, hardware_id: b },
    ]);
    for (const hardwareId of [a, b]) {
      const consumed = await postSigned(
        "/api/v4/add_feature_consumption",
        { ...license.identity, hardware_id: hardwareId, feature: license.feature },
        credentials,
      );
      expect(consumed.status, hardwareId).toBe(200);
    }
    const activate = (hardwareId: string) =>
      postSigned("/api/v4/activate_license", { ...license.identity, hardware_id: hardwareId }, credentials);
    expect(await errorCode(await activate(uniqueCode("hw")))).toBe("license_activated_max_times");
    // Re-activating a device that is active takes no extra seat.
    expect((await activate(a)).status).toBe(200);
  });

  it("a device of a license that is not here, or repeated in the file, is a bad row; nothing is imported", async () => {
    const license = await importedLicense();
    const hardwareId = uniqueCode("hw");
    const error = await importError(
      await importRows("devices", [
        { license_id: license.id, hardware_id: hardwareId },
        { license_id: 1234567890123456, hardware_id: "x" },
        { license_id: license.id, hardware_id: hardwareId, active: false },
        { license_id: license.id },
      ]),
    );
    expect(error.errors).toEqual([
      { row: 2, field: "license_id", message: "no license 1234567890123456 here: import the licenses first" },
      { row: 3, field: "hardware_id", message: "repeats row 1" },
      { row: 4, field: "hardware_id", message: "hardware_id is required" },
    ]);
    const stored = await env.DB.prepare("SELECT COUNT(*) AS n FROM devices WHERE license_id = ?").bind(license.id).first<number>("n");
    expect(stored).toBe(0);
  });
});

describe("devices of many licenses in one call", () => {
  it("invalidates the counters of more than 100 licenses (D1 binds at most 100 values per statement)", async () => {
    const product = await importProduct();
    const licenses = Array.from({ length: 150 }, () => ({
      id: licenseSpringId(),
      product: product.short_code,
      license_key: uniqueCode("KEY"),
    }));
    await importOk("licenses", licenses);
    const devices = licenses.map((license) => ({ license_id: license.id, hardware_id: uniqueCode("hw") }));
    // The last license's counter has decided without its device already.
    const last = { product: product.short_code, license_key: licenses.at(-1)!.license_key, hardware_id: devices.at(-1)!.hardware_id };
    const consume = () => postSigned("/api/v4/add_feature_consumption", { ...last, feature: product.features[0] }, credentials);
    expect(await errorCode(await consume())).toBe("license_not_active");
    expect((await importOk("devices", devices)).rows).toBe(150);
    expect((await signedBody(await consume())).total_consumptions).toBe(1);
  });
});
