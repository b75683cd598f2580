// The official SDK's LicenseManager, unchanged, through a floating cloud license's whole life on
// this service: activate → check → local and synced consumption → floating borrow and release →
// feature borrow and release → device variables → deactivate. The SDK verifies every signature it
// verifies (there is no switch to turn that off; a client with another public key is refused at
// once). The vendor's view (management API) shows what the server holds after each step, without
// touching it. Where SDK 1.4.17 cannot do a step itself, the test says what it calls instead and
// why (docs/sdk-compatibility.md "SDK behaviour a server must know").
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateKeyPairSync } from "node:crypto";
import { LicenseAPI, LicenseManager } from "@licensespring/node-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalService, type LocalService } from "./local-service";
import { sdkError, vendorApi } from "./vendor-api";

let service: LocalService;
let manage: ReturnType<typeof vendorApi>;
const fileDirs: string[] = [];

const PRODUCT = "flow-float";
const CONSUMPTION_FEATURE = "exports";
const FLOATING_FEATURE = "seat";
const HARDWARE_ID = "flow-machine";
let licenseId: number;
let licenseKey: string;

function managerConfig(publicKey = service.publicKey) {
  const filePath = mkdtempSync(join(tmpdir(), "license-manager-flow-"));
  fileDirs.push(filePath);
  return {
    apiKey: service.credentials.apiKey,
    sharedKey: service.credentials.sharedKey,
    apiPath: service.apiPath,
    publicKey,
    productCode: PRODUCT,
    appName: "license manager flow",
    appVersion: "1.0.0",
    hardwareID: HARDWARE_ID,
    filePath,
    filename: "license",
    fileKey: "a-test-file-key",
  };
}

/** What the server holds for the license (the vendor's view). */
async function serverView() {
  const detail = await manage("GET", `/api/v1/licenses/${licenseId}`);
  const feature = (code: string) => detail.features.find((f: { code: string }) => f.code === code);
  return {
    licenseTotal: detail.consumption.total_consumptions as number,
    featureTotal: feature(CONSUMPTION_FEATURE).total_consumptions as number,
    licenseSlots: detail.floating_devices as Array<{ hardware_id: string; borrowed_until: string | null }>,
    featureSlots: feature(FLOATING_FEATURE).floating_devices as Array<{ hardware_id: string; borrowed_until: string | null }>,
  };
}

beforeAll(async () => {
  service = await startLocalService();
  manage = vendorApi(service);
  const product = await manage("POST", "/api/v1/products", { short_code: PRODUCT, name: "Floating flow" });
  await manage("POST", `/api/v1/products/${product.id}/features`, { code: CONSUMPTION_FEATURE, name: "Exports", max_consumption: 100 });
  await manage("POST", `/api/v1/products/${product.id}/features`, {
    code: FLOATING_FEATURE,
    name: "Seat",
    feature_type: "activation",
    is_floating_cloud: true,
    floating_users: 1,
    floating_timeout: 30,
  });
  const issued = await manage("POST", "/api/v1/licenses", {
    product_id: product.id,
    license_type: "consumption",
    consumption: { max_consumptions: 50 },
    max_activations: 3,
    is_floating_cloud: true,
    floating_users: 2,
    floating_timeout: 60,
    can_borrow: true,
    max_borrow_time: 24,
  });
  licenseId = issued.id;
  licenseKey = issued.license_key;
});

afterAll(async () => {
  await service?.stop();
  for (const dir of fileDirs) rmSync(dir, { recursive: true, force: true });
});

describe("LicenseManager through a floating cloud license's life", () => {
  it("refuses a service whose answers it cannot verify (signature checks are on)", async () => {
    const { publicKey: otherKey } = generateKeyPairSync("rsa", {
      modulusLength: 2048,
      publicKeyEncoding: { type: "spki", format: "pem" },
      privateKeyEncoding: { type: "pkcs8", format: "pem" },
    });
    const stranger = new LicenseManager(managerConfig(otherKey));
    expect(await sdkError(stranger.activateLicense({ license_key: licenseKey }))).toMatchObject({ code: "license_signature_invalid" });
    expect((await serverView()).licenseSlots).toEqual([]);
    // The refused client's activation did reach the server: free its seat again.
    await new LicenseAPI({ ...managerConfig() }).deactivateLicense({ product: PRODUCT, license_key: licenseKey, hardware_id: HARDWARE_ID });
  });

  it("activate → check → consume → borrow/release → feature borrow/release → device variables → deactivate", async () => {
    const manager = new LicenseManager(managerConfig());

    // Activate: signatures v1 and v2 verified by the SDK. Activation takes no floating slot.
    const activated = await manager.activateLicense({ license_key: licenseKey });
    expect(activated).toMatchObject({ is_floating_cloud: true, floating_users: 2, floating_in_use: false, license_type: "consumption" });
    expect((await serverView()).licenseSlots).toEqual([]);

    // Check: takes one of the license's floating slots.
    const checked = await manager.checkLicense({ license_key: licenseKey });
    expect(checked).toMatchObject({ license_active: true, license_enabled: true, floating_in_use_devices: 1, is_borrowed: false });
    expect((await serverView()).licenseSlots.map((slot) => slot.hardware_id)).toEqual([HARDWARE_ID]);

    // Local consumption, then synced: license-level by LicenseManager.checkLicense (it syncs first),
    // feature-level by License.syncFeatureConsumption.
    const license = manager.loadLicense();
    license.addLocalConsumption(2);
    license.addLocalFeatureConsumption(CONSUMPTION_FEATURE, 3);
    expect(await serverView()).toMatchObject({ licenseTotal: 0, featureTotal: 0 });
    expect(await manager.checkLicense({ license_key: licenseKey })).toMatchObject({ total_consumptions: 2 });
    expect(license.localConsumptions).toBe(0);
    // (The SDK sends the count it stored, not the one passed here; check() passes its stored feature.)
    expect(await license.syncFeatureConsumption({ code: CONSUMPTION_FEATURE, local_consumption: 3 })).toBe(true);
    expect(await serverView()).toMatchObject({ licenseTotal: 2, featureTotal: 3 });
    // And the direct call, through the manager.
    expect(await manager.addConsumption({ license_key: licenseKey, consumptions: 1 })).toMatchObject({ total_consumptions: 3 });

    // Borrow the license's slot: the SDK stores the borrow's end as the license's floating end.
    const until = new Date(Date.now() + 6 * 3_600_000).toISOString();
    const borrowed = await manager.floatingBorrow({ license_key: licenseKey, borrowed_until: until });
    expect(borrowed).toMatchObject({ borrowed_until: until, max_borrow_time: 24, license_id: licenseId });
    expect(manager.loadLicense().floatingEndDate).toBe(until);
    expect((await serverView()).licenseSlots).toEqual([expect.objectContaining({ hardware_id: HARDWARE_ID, borrowed_until: until })]);
    expect(await manager.checkLicense({ license_key: licenseKey })).toMatchObject({ is_borrowed: true, borrowed_until: until });

    // Release it. LicenseManager.floatingRelease sends the same request but then throws in 1.4.17
    // (it stores dayjs(null) as the floating end: RangeError, floating.sdk.test.ts shows it), and
    // License.floatingRelease sends nothing on a floating license (an inverted check). So the
    // release goes through LicenseAPI.floatingRelease with the License's own identity.
    const api = new LicenseAPI(managerConfig());
    expect(await api.floatingRelease({ product: PRODUCT, license_key: licenseKey, hardware_id: HARDWARE_ID, license_id: licenseId })).toBe(
      true,
    );
    expect((await serverView()).licenseSlots).toEqual([]);

    // A floating feature: License.checkFeature takes its slot, LicenseManager.featureBorrow keeps
    // it, License.releaseFeature frees it.
    await license.checkFeature(FLOATING_FEATURE);
    expect((await serverView()).featureSlots).toEqual([expect.objectContaining({ hardware_id: HARDWARE_ID, borrowed_until: null })]);
    const featureBorrowed = await manager.featureBorrow({ license_key: licenseKey, feature: FLOATING_FEATURE, borrowed_until: null });
    expect((await serverView()).featureSlots).toEqual([
      expect.objectContaining({ hardware_id: HARDWARE_ID, borrowed_until: featureBorrowed.borrowed_until }),
    ]);
    await license.releaseFeature(FLOATING_FEATURE);
    expect((await serverView()).featureSlots).toEqual([]);

    // Device variables: set locally, sent, read back (v2 signatures verified on both answers).
    license.setDeviceVariablesLocal({ os: "linux", cores: 8 });
    await license.setDeviceVariables();
    await license.getDeviceVariables();
    expect(license.getDeviceVariablesLocal().map(({ variable, value }) => [variable, value])).toEqual([
      ["os", "linux"],
      ["cores", "8"],
    ]);
    expect(await manager.getDeviceVariables({ license_key: licenseKey })).toEqual([
      expect.objectContaining({ variable: "os", value: "linux" }),
      expect.objectContaining({ variable: "cores", value: "8" }),
    ]);

    // Check again (takes a slot), then deactivate: the device and its slot are gone.
    await manager.checkLicense({ license_key: licenseKey });
    expect((await serverView()).licenseSlots).toHaveLength(1);
    expect(await manager.deactivateLicense({ license_key: licenseKey })).toBe(true);
    expect((await serverView()).licenseSlots).toEqual([]);
    expect(await sdkError(manager.checkLicense({ license_key: licenseKey }))).toMatchObject({ code: "device_not_found" });
    expect(await serverView()).toMatchObject({ licenseTotal: 3, featureTotal: 3 });
  });
});
