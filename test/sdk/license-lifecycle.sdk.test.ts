// The official SDK, unchanged, through a license's whole life on our service: LicenseAPI for
// key-based and user-based licenses, and LicenseManager's own flow with a license file.
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LicenseAPI, LicenseManager } from "@licensespring/node-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalService, type LocalService } from "./local-service";

let service: LocalService;
let api: LicenseAPI;
const fileDirs: string[] = [];

beforeAll(async () => {
  service = await startLocalService();
  api = new LicenseAPI({ ...sdkAuth(), appName: "lifecycle tests", appVersion: "1.0.0" });
});

afterAll(async () => {
  await service?.stop();
  for (const dir of fileDirs) rmSync(dir, { recursive: true, force: true });
});

function sdkAuth() {
  return {
    apiKey: service.credentials.apiKey,
    sharedKey: service.credentials.sharedKey,
    apiPath: service.apiPath,
    publicKey: service.publicKey,
  };
}

/** The SDK types check_license_feature's answer as a union; consumption features carry totals. */
interface Totals {
  total_consumptions: number;
}
const totals = (response: unknown) => response as Totals;

function thrown(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => null,
    (error: unknown) => error,
  );
}

describe.each([
  {
    kind: "key-based",
    identity: () => ({ product: service.demo.keyProduct, license_key: service.demo.licenseKey }),
    feature: () => service.demo.feature,
    password: undefined,
  },
  {
    kind: "user-based",
    identity: () => ({ product: service.demo.userProduct, username: service.demo.username }),
    feature: () => service.demo.userFeature,
    password: () => service.demo.password,
  },
])("LicenseAPI, $kind license", ({ kind, identity, feature, password }) => {
  const hardware_id = `sdk-${kind}-machine`;

  it("activates a new device (the SDK verifies signatures v1 and v2)", async () => {
    const response = await api.activateLicense({ ...identity(), hardware_id, ...(password ? { password: password() } : {}) } as Parameters<
      LicenseAPI["activateLicense"]
    >[0]);
    expect(response).toMatchObject({
      license_active: true,
      license_enabled: true,
      hardware_id,
      request: "activation",
      license_type: "consumption",
    });
    expect(response.product_features.map((f: { code: string }) => f.code)).toContain(feature());
  });

  it("checks the license", async () => {
    const response = await api.checkLicense({ ...identity(), hardware_id } as Parameters<LicenseAPI["checkLicense"]>[0]);
    expect(response).toMatchObject({ license_active: true, license_enabled: true, is_expired: false });
  });

  it("adds feature consumption and reads it back with checkLicenseFeature", async () => {
    const before = totals(
      await api.checkLicenseFeature({ ...identity(), hardware_id, feature: feature() } as Parameters<LicenseAPI["checkLicenseFeature"]>[0]),
    );
    const added = await api.addFeatureConsumption({ ...identity(), hardware_id, feature: feature(), consumptions: 2 } as Parameters<
      LicenseAPI["addFeatureConsumption"]
    >[0]);
    expect(added.total_consumptions).toBe(before.total_consumptions + 2);
    const after = await api.checkLicenseFeature({ ...identity(), hardware_id, feature: feature() } as Parameters<
      LicenseAPI["checkLicenseFeature"]
    >[0]);
    expect(after).toMatchObject({ code: feature(), total_consumptions: before.total_consumptions + 2 });
  });

  it("adds license consumption", async () => {
    const first = await api.addConsumption({ ...identity(), hardware_id, consumptions: 3 } as Parameters<LicenseAPI["addConsumption"]>[0]);
    const second = await api.addConsumption({ ...identity(), hardware_id, consumptions: 1 } as Parameters<LicenseAPI["addConsumption"]>[0]);
    expect(second.total_consumptions).toBe(first.total_consumptions + 1);
  });

  it("deactivates; the device can no longer consume", async () => {
    expect(await api.deactivateLicense({ ...identity(), hardware_id } as Parameters<LicenseAPI["deactivateLicense"]>[0])).toBe(true);
    const error = await thrown(
      api.addFeatureConsumption({ ...identity(), hardware_id, feature: feature(), consumptions: 1 } as Parameters<
        LicenseAPI["addFeatureConsumption"]
      >[0]),
    );
    expect(error).toMatchObject({ status: 400, code: "device_not_found" });
  });
});

describe("LicenseManager flow with a license file", () => {
  it("activates, consumes locally, syncs on check, and the server counts it", async () => {
    const filePath = mkdtempSync(join(tmpdir(), "license-file-"));
    fileDirs.push(filePath);
    const hardwareID = "license-manager-machine";
    const manager = new LicenseManager({
      ...sdkAuth(),
      productCode: service.demo.keyProduct,
      appName: "lifecycle tests",
      appVersion: "1.0.0",
      filePath,
      filename: "license",
      fileKey: "a-test-file-key",
      hardwareID,
    });
    await manager.activateLicense({ license_key: service.demo.licenseKey });
    expect(readdirSync(filePath)).toContain("license.key");

    const license = manager.loadLicense();
    const lookup = {
      product: service.demo.keyProduct,
      license_key: service.demo.licenseKey,
      hardware_id: hardwareID,
      feature: service.demo.feature,
    };
    const before = totals(await api.checkLicenseFeature(lookup)).total_consumptions;
    license.addLocalFeatureConsumption(service.demo.feature, 3);
    license.addLocalConsumption(2);
    const licenseBefore = totals(
      await api.checkLicense({ product: lookup.product, license_key: lookup.license_key, hardware_id: hardwareID }),
    ).total_consumptions;
    await license.check();

    expect(totals(await api.checkLicenseFeature(lookup)).total_consumptions).toBe(before + 3);
    expect(
      totals(await api.checkLicense({ product: lookup.product, license_key: lookup.license_key, hardware_id: hardwareID }))
        .total_consumptions,
    ).toBe(licenseBefore + 2);
    // License-level local consumption is cleared after the sync: a second check adds nothing.
    // (SDK 1.4.17 never clears a feature's local_consumption after syncing it, so a second
    // check() would send the same 3 feature consumptions again: a client-side bug, docs/protocol.md "A bug in the official SDK".)
    await license.check();
    expect(
      totals(await api.checkLicense({ product: lookup.product, license_key: lookup.license_key, hardware_id: hardwareID }))
        .total_consumptions,
    ).toBe(licenseBefore + 2);
  });
});
