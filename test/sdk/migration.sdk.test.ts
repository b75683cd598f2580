// A migration as a vendor does it (docs/migration.md), with the official SDK, unchanged, as the
// client. LicenseSpring itself cannot run here: a second instance of this service, with its own
// signing key, plays the server the client used before. The client activates there (its license
// file keeps the license's id), the vendor exports and imports API key, license, device and
// totals, and the client, given only the new apiPath and publicKey, goes on with its license file:
// no re-activation, its stored license id still names the license, totals continue.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LicenseAPI, LicenseManager } from "@licensespring/node-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalService, type LocalService } from "./local-service";
import { sdkError, vendorApi } from "./vendor-api";

let before: LocalService;
let after: LocalService;
let filePath: string;

beforeAll(async () => {
  before = await startLocalService();
  after = await startLocalService();
  filePath = mkdtempSync(join(tmpdir(), "migration-license-file-"));
}, 120_000);

afterAll(async () => {
  await before?.stop();
  await after?.stop();
  if (filePath) rmSync(filePath, { recursive: true, force: true });
});

/** Rows as NDJSON, as a vendor's export script writes them. */
async function importNdjson(service: LocalService, kind: string, rows: unknown[]): Promise<any> {
  const response = await fetch(`${service.baseUrl}/api/v1/import/${kind}`, {
    method: "POST",
    headers: { Authorization: `Api-Key ${service.managementKey}`, "Content-Type": "application/x-ndjson" },
    body: rows.map((row) => JSON.stringify(row)).join("\n"),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`import ${kind} → ${response.status} ${text}`);
  return JSON.parse(text);
}

const PRODUCT = "migrated-app";
const FEATURE = "exports";
const LICENSE_ID = 1593781720493289; // a LicenseSpring license id: 16 digits
const LICENSE_KEY = "H62K-C35N-BS2J-VZ13";
const HARDWARE_ID = "migrating-machine";

function manager(service: LocalService, publicKey = service.publicKey) {
  // The client's configuration: the same API key, shared key, file and device before and after.
  return new LicenseManager({
    apiKey: before.credentials.apiKey,
    sharedKey: before.credentials.sharedKey,
    apiPath: service.apiPath,
    publicKey,
    productCode: PRODUCT,
    appName: "migration test",
    appVersion: "1.0.0",
    filePath,
    filename: "license",
    fileKey: "a-test-file-key",
    hardwareID: HARDWARE_ID,
  });
}

describe("moving a client from one server to this one", () => {
  it("the client keeps its license file, API key and shared key; only apiPath and publicKey change", async () => {
    // The server the client used: a product, a license with a LicenseSpring-style id, an activation, consumption.
    const old = vendorApi(before);
    const product = await old("POST", "/api/v1/products", { short_code: PRODUCT, name: "Migrated app" });
    await old("POST", `/api/v1/products/${product.id}/features`, { code: FEATURE, name: "Exports", max_consumption: 100 });
    await importNdjson(before, "licenses", [{ id: LICENSE_ID, product: PRODUCT, license_key: LICENSE_KEY, max_activations: 2 }]);
    const activated = await manager(before).activateLicense({ license_key: LICENSE_KEY });
    expect(activated.id).toBe(LICENSE_ID);
    const oldApi = new LicenseAPI({ ...sdkAuth(before), appName: "migration test", appVersion: "1.0.0" });
    const identity = { product: PRODUCT, license_key: LICENSE_KEY, hardware_id: HARDWARE_ID, license_id: LICENSE_ID };
    expect((await oldApi.addFeatureConsumption({ ...identity, feature: FEATURE, consumptions: 7 })).total_consumptions).toBe(7);

    // The vendor exports what the old server has...
    const license = await old("GET", `/api/v1/licenses/${LICENSE_ID}`);
    const devices = await old("GET", `/api/v1/licenses/${LICENSE_ID}/devices`);
    // ...creates the product here, and imports in order: API keys, licenses, devices, totals.
    const next = vendorApi(after);
    const newProduct = await next("POST", "/api/v1/products", { short_code: PRODUCT, name: "Migrated app" });
    await next("POST", `/api/v1/products/${newProduct.id}/features`, { code: FEATURE, name: "Exports", max_consumption: 100 });
    await importNdjson(after, "api-keys", [{ api_key: before.credentials.apiKey, shared_key: before.credentials.sharedKey }]);
    await importNdjson(after, "licenses", [
      { id: license.id, product: PRODUCT, license_key: license.license_key, max_activations: license.max_activations },
    ]);
    await importNdjson(
      after,
      "devices",
      devices.data.map((device: { hardware_id: string; active: boolean; created_at: string }) => ({
        license_id: license.id,
        hardware_id: device.hardware_id,
        active: device.active,
        created_at: device.created_at,
      })),
    );
    await importNdjson(
      after,
      "totals",
      license.features.map((feature: { code: string; total_consumptions: number }) => ({
        license_id: license.id,
        feature: feature.code,
        total: feature.total_consumptions,
      })),
    );

    // The client switches apiPath and publicKey, and goes on with its license file: no activation.
    const moved = manager(after).loadLicense();
    await moved.check();
    // Local consumption, synced by the next check (as the SDK's License does it).
    moved.addLocalFeatureConsumption(FEATURE, 2);
    await moved.check();

    const newApi = new LicenseAPI({
      ...sdkAuth(after),
      apiKey: before.credentials.apiKey,
      sharedKey: before.credentials.sharedKey,
      appName: "migration test",
      appVersion: "1.0.0",
    });
    const checked = await newApi.checkLicense(identity);
    expect(checked).toMatchObject({ id: LICENSE_ID, license_key: LICENSE_KEY, license_active: true, license_enabled: true });
    const feature = (await newApi.checkLicenseFeature({ ...identity, feature: FEATURE })) as { total_consumptions: number };
    expect(feature.total_consumptions).toBe(9);
    // Nothing happened to the old server's totals after the move.
    expect(
      ((await oldApi.checkLicenseFeature({ ...identity, feature: FEATURE })) as { total_consumptions: number }).total_consumptions,
    ).toBe(7);

    // The audit log here replays to the total: the imported 7, then the client's 2 (rows arrive through the audit queue).
    let audit = await next("GET", `/api/v1/audit?license_id=${LICENSE_ID}`);
    for (let tries = 0; audit.data.length < 2 && tries < 100; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      audit = await next("GET", `/api/v1/audit?license_id=${LICENSE_ID}`);
    }
    expect(
      audit.data.map((row: { event: string; consumptions: number; total_after: number }) => [row.event, row.consumptions, row.total_after]),
    ).toEqual([
      ["import", 7, 7],
      ["consumption_add", 2, 9],
    ]);
  }, 60_000);

  it("a client still configured with the old server's public key refuses this server's answers", async () => {
    const error = await sdkError(manager(after, before.publicKey).loadLicense().check());
    expect(error).toMatchObject({ code: "license_signature_invalid" });
  });
});

function sdkAuth(service: LocalService) {
  return {
    apiKey: service.credentials.apiKey,
    sharedKey: service.credentials.sharedKey,
    apiPath: service.apiPath,
    publicKey: service.publicKey,
  };
}
