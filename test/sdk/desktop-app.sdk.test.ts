// A desktop application's whole life on this service, driven by the official SDK, unchanged
// (issue 21's acceptance test): a trial on first start; the purchase, activated offline on a
// machine without a network; a transfer to a new machine within the license's limit; an update
// check; consumption counted locally and synced; deactivation; and the transfer limit holding.
// Each step is what the application's own code would call; the vendor's view (management API)
// shows what the server holds.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LicenseAPI, LicenseManager } from "@licensespring/node-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalService, type LocalService } from "./local-service";
import { offlinePortal, sdkError, vendorApi } from "./vendor-api";

let service: LocalService;
let manage: ReturnType<typeof vendorApi>;
const dirs: string[] = [];
const PRODUCT = "desktop-app";
const MACHINE_A = "workstation-a";
const MACHINE_B = "laptop-b";

const tempDir = (prefix: string) => {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
};

const installed = new Map<string, LicenseManager>();

/** The application as installed on one machine (its LicenseManager and license file), the same one each time. */
function installOn(hardwareID: string): LicenseManager {
  const app = installed.get(hardwareID) ?? newInstallation(hardwareID);
  installed.set(hardwareID, app);
  return app;
}

function newInstallation(hardwareID: string): LicenseManager {
  return new LicenseManager({
    apiKey: service.credentials.apiKey,
    sharedKey: service.credentials.sharedKey,
    apiPath: service.apiPath,
    publicKey: service.publicKey,
    productCode: PRODUCT,
    appName: "Desktop App",
    appVersion: "1.0.0",
    hardwareID,
    filePath: tempDir(`desktop-${hardwareID}-`),
    filename: "license",
    fileKey: "desktop-app-file-key",
  });
}

let productId: number;

beforeAll(async () => {
  service = await startLocalService();
  manage = vendorApi(service);
  // The vendor's product: 14-day trials with 5 exports, paid licenses with 1,000 a month.
  const product = await manage("POST", "/api/v1/products", { short_code: PRODUCT, name: "Desktop App" });
  productId = product.id;
  await manage("POST", `/api/v1/products/${productId}/features`, {
    code: "exports",
    name: "Exports",
    max_consumption: 1000,
    reset_consumption: true,
    consumption_period: "monthly",
  });
  await manage("PATCH", `/api/v1/products/${productId}`, {
    allow_trial: true,
    trial_days: 14,
    trial_license: { max_activations: 1, features: { exports: { max_consumption: 5 } } },
  });
  for (const [version, released] of [
    ["1.0.0", "2026-01-10T00:00:00Z"],
    ["1.1.0", "2026-03-01T00:00:00Z"],
  ])
    await manage("POST", `/api/v1/products/${productId}/versions`, {
      version,
      environment: "win64",
      channel: "stable",
      release_date: released,
      installation_file: `https://downloads.example.com/desktop-app-${version}.msi`,
      hash_md5: "9e107d9d372bb6826bd81d3542a419d6",
      requires_version: "1.0.0",
    });
});

afterAll(async () => {
  await service?.stop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe("a desktop app's life", () => {
  let licenseKey: string;
  let licenseId: number;

  it("first start: a trial, activated on machine A, with the trial's caps", async () => {
    const app = installOn(MACHINE_A);
    const trial = await app.getTrialKey({});
    expect(trial).toMatchObject({ is_trial: true, trial_days: 14 });
    const trialKey = "license_key" in trial ? trial.license_key : "";
    await app.activateLicense({ license_key: trialKey });
    const license = app.loadLicense();
    expect(license.isTrial).toBe(true);
    expect(license.daysRemaining).toBeGreaterThanOrEqual(13);
    expect(license.featureData("exports")).toMatchObject({ max_consumption: 5 });
    await license.localCheck();
    // Starting again on the same machine is the same trial.
    expect(await app.getTrialKey({})).toEqual({ license_type: "perpetual", is_trial: true, license: trialKey });
  });

  it("purchase: the vendor issues a license; machine A, offline, activates it from a file", async () => {
    const issued = await manage("POST", "/api/v1/licenses", {
      product_id: productId,
      max_activations: 1,
      max_transfers: 1,
      maintenance_period: "2027-12-31T00:00:00Z",
      customer: { email: "owner@example.com", company_name: "Owner Ltd" },
    });
    licenseKey = issued.license_key;
    licenseId = issued.id;

    // On machine A, without a network: the request file.
    const app = installOn(MACHINE_A);
    const requestFile = app.createOfflineActivationPayload({ license_key: licenseKey } as Parameters<
      typeof app.createOfflineActivationPayload
    >[0]);
    // Carried to a machine online, which gets the activation file for it.
    const activationFile = await offlinePortal(service)(requestFile);
    // Back on machine A: the SDK verifies the file's signatures and keeps the license.
    app.activateOffline(activationFile);
    const license = app.loadLicense();
    expect(license.isTrial).toBe(false);
    expect(license.licenseKey).toBe(licenseKey);
    expect(license.maxTransfers).toBe(1);
    expect(license.isDeviceTransferAllowed).toBe(true);
    expect(license.isDeviceTransferLimited).toBe(true);
    expect(license.maintenancePeriod).toBe("2027-12-31T00:00:00.000Z");
    await license.localCheck();
    expect((await manage("GET", `/api/v1/licenses/${licenseId}/devices`)).data).toEqual([
      expect.objectContaining({ hardware_id: MACHINE_A, active: true }),
    ]);
  });

  it("a transfer: machine A deactivates offline, machine B activates, within the license's one transfer", async () => {
    const machineA = installOn(MACHINE_A);
    const offlineDir = tempDir("offline-requests-");
    await machineA.loadLicense().deactivateOffline(offlineDir);
    const deactivationFile = readFileSync(join(offlineDir, "deactivate_offline.req"), "utf8");
    // Posted from a machine online with the SDK's own call.
    const online = new LicenseAPI({
      apiKey: service.credentials.apiKey,
      sharedKey: service.credentials.sharedKey,
      apiPath: service.apiPath,
      publicKey: service.publicKey,
      appName: "Support desk",
      appVersion: "1.0.0",
    });
    expect(await online.deactivateOffline(deactivationFile)).toBe(true);

    const machineB = installOn(MACHINE_B);
    await machineB.activateLicense({ license_key: licenseKey });
    const license = machineB.loadLicense();
    expect(license.transferCount).toBe(1);
    expect(license.maxTransfers).toBe(1);
    expect((await manage("GET", `/api/v1/licenses/${licenseId}`)).transfer_count).toBe(1);
  });

  it("an update check on machine B: the versions, and the newest installation file", async () => {
    const app = installOn(MACHINE_B);
    expect(await app.getVersions({ license_key: licenseKey, env: "win64", channel: "stable" })).toEqual([
      { version: "1.1.0", release_date: "2026-03-01T00:00:00.000Z" },
      { version: "1.0.0", release_date: "2026-01-10T00:00:00.000Z" },
    ]);
    const update = await app.getInstallationFile({ license_key: licenseKey, env: "win64", channel: "stable" });
    expect(update).toMatchObject({
      version: "1.1.0",
      installation_file: "https://downloads.example.com/desktop-app-1.1.0.msi",
      hash_md5: "9e107d9d372bb6826bd81d3542a419d6",
      requires_version: "1.0.0",
    });
    // check_license names the newest file for the build too (a field the SDK keeps without declaring it there).
    const checked = (await app.checkLicense({ license_key: licenseKey, env: "win64", channel: "stable" })) as unknown as Record<
      string,
      unknown
    >;
    expect(checked.installation_file).toMatchObject({ version: "1.1.0" });
  });

  it("consumption counted locally and synced", async () => {
    const license = installOn(MACHINE_B).loadLicense();
    license.addLocalFeatureConsumption("exports", 3);
    license.addLocalFeatureConsumption("exports", 4);
    await license.syncFeatureConsumption({ code: "exports" } as Parameters<typeof license.syncFeatureConsumption>[0]);
    const detail = await manage("GET", `/api/v1/licenses/${licenseId}`);
    expect(detail.features.find((feature: { code: string }) => feature.code === "exports").total_consumptions).toBe(7);
  });

  it("deactivation; then the transfer limit holds: machine A cannot take the license back", async () => {
    await installOn(MACHINE_B).loadLicense().deactivate();
    expect((await manage("GET", `/api/v1/licenses/${licenseId}/devices`)).data.every((device: { active: boolean }) => !device.active)).toBe(
      true,
    );
    const machineA = installOn(MACHINE_A);
    expect(await sdkError(machineA.activateLicense({ license_key: licenseKey }))).toMatchObject({
      status: 400,
      code: "license_transferred_max_times",
    });
    // The vendor raises the limit: the same call succeeds.
    await manage("PATCH", `/api/v1/licenses/${licenseId}`, { max_transfers: 2 });
    await machineA.activateLicense({ license_key: licenseKey });
    expect(machineA.loadLicense().transferCount).toBe(2);
  });
});
