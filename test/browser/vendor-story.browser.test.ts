// The full vendor story, end to end, against the locally running service (wrangler's dev server):
// create a product and a feature → issue a license → the official SDK activates and consumes →
// the vendor sees the consumption in the audit API and on the console page (real Chromium) →
// disables the license there → the SDK's next call fails with license_not_enabled.
import { LicenseAPI } from "@licensespring/node-sdk";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startLocalService, type LocalService } from "../sdk/local-service";
import { chromiumAvailable, launchChromium, type LaunchedChromium } from "./chromium";

const SCREENSHOT = "/tmp/edge-license-api-console.png";

let service: LocalService;
let chromium: LaunchedChromium;
let page: Page;

async function manage<T = any>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${service.baseUrl}${path}`, {
    method,
    headers: { Authorization: `Api-Key ${service.managementKey}`, ...(body === undefined ? {} : { "Content-Type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path} → ${response.status} ${text}`);
  return JSON.parse(text) as T;
}

/** The customer's application: the official SDK, unchanged, with an API key the vendor created. */
async function customerApp(apiKey: { api_key: string; shared_key: string }): Promise<LicenseAPI> {
  return new LicenseAPI({
    apiKey: apiKey.api_key,
    sharedKey: apiKey.shared_key,
    apiPath: service.apiPath,
    publicKey: await (await fetch(`${service.apiPath}/public_key`)).text(),
    appName: "story",
    appVersion: "1.0.0",
  });
}

const sdkError = (promise: Promise<unknown>) =>
  promise.then(
    () => null,
    (error: unknown) => error,
  );

describe.skipIf(!chromiumAvailable())("vendor story (management API, official SDK, console in Chromium)", () => {
  beforeAll(async () => {
    [service, chromium] = await Promise.all([startLocalService(), launchChromium()]);
    page = await chromium.context.newPage();
  });

  afterAll(async () => {
    await chromium?.close();
    await service?.stop();
  });

  it("serves the console with a strict Content-Security-Policy", async () => {
    const response = await page.goto(`${service.baseUrl}/console/`);
    expect(response?.status()).toBe(200);
    expect(response?.headers()["content-security-policy"]).toContain("script-src 'self'");
    expect((await fetch(`${service.baseUrl}/_headers`)).status).toBe(404);
  });

  it("refuses a wrong management key on the console's sign-in", async () => {
    await page.goto(`${service.baseUrl}/console/`);
    await page.fill("#management-key", "not-the-management-key");
    await page.click("#sign-in button[type=submit]");
    await expect.poll(() => page.textContent("#sign-in-error")).toMatch(/not valid/);
    expect(await page.isVisible("#app")).toBe(false);
  });

  it("runs from product creation to a disabled license", async () => {
    // The vendor sets up a product, its metered feature, a license and an API key.
    const product = await manage("POST", "/api/v1/products", { short_code: "story-app", name: "Story app" });
    await manage("POST", `/api/v1/products/${product.id}/features`, {
      code: "renders",
      name: "Renders",
      max_consumption: 20,
      allow_overages: true,
      max_overages: 5,
    });
    const license = await manage("POST", "/api/v1/licenses", { product_id: product.id, max_activations: 2 });
    const apiKey = await manage("POST", "/api/v1/api-keys", {});

    const sdk = await customerApp(apiKey);
    const identity = { product: "story-app", license_key: license.license_key as string, hardware_id: "story-laptop" };
    await sdk.activateLicense(identity);
    for (const consumptions of [3, 4, 5]) await sdk.addFeatureConsumption({ ...identity, feature: "renders", consumptions });

    // The vendor sees it in the audit API (rows reach D1 right after each response; wait for the flush).
    await vi.waitFor(
      async () => {
        const audit = await manage("GET", `/api/v1/audit?license_id=${license.id}&feature=renders`);
        expect(
          audit.data.map((row: { consumptions: number; total_after: number; hardware_id: string }) => [
            row.consumptions,
            row.total_after,
            row.hardware_id,
          ]),
        ).toEqual([
          [3, 3, "story-laptop"],
          [4, 7, "story-laptop"],
          [5, 12, "story-laptop"],
        ]);
      },
      { timeout: 30_000, interval: 100 },
    );
    const csv = await fetch(`${service.baseUrl}/api/v1/audit/csv?license_id=${license.id}`, {
      headers: { Authorization: `Api-Key ${service.managementKey}` },
    });
    expect((await csv.text()).trim().split("\r\n")).toHaveLength(4);

    // ... and on the console page.
    await page.goto(`${service.baseUrl}/console/`);
    await page.fill("#management-key", service.managementKey);
    await page.click("#sign-in button[type=submit]");
    const row = page.locator(`#licenses tr[data-license-id="${license.id}"]`);
    await row.click();
    await expect
      .poll(() => page.getAttribute('#features tr[data-feature="renders"] td[data-consumption]', "data-consumption"))
      .toBe("12/25");
    await expect.poll(() => page.getAttribute('figure[data-plot="renders"]', "data-points")).toBe("3");
    expect(await page.getAttribute('figure[data-plot="renders"] path.line', "data-last-total")).toBe("12");
    expect(await page.getAttribute('#devices tr[data-hardware-id="story-laptop"]', "data-device-state")).toBe("active");
    expect(await page.textContent("#license-state")).toBe("enabled");
    await page.screenshot({ path: SCREENSHOT, fullPage: true });

    // A consumption license (the seeded demo license) shows its own counter too.
    await page.click(`#licenses tr[data-license-id="1"]`);
    await expect
      .poll(() => page.getAttribute('#features tr[data-feature="(license)"] td[data-consumption]', "data-consumption"))
      .toMatch(/^0\//);
    await page.screenshot({ path: SCREENSHOT.replace(".png", "-consumption-license.png"), fullPage: true });
    await row.click();
    await expect.poll(() => page.getAttribute('figure[data-plot="renders"]', "data-points")).toBe("3");

    // The vendor disables the license from the console; the SDK's next call fails.
    await page.click("#toggle-license");
    await expect.poll(() => page.getAttribute("#license-state", "data-state")).toBe("disabled");
    expect(await manage("GET", `/api/v1/licenses/${license.id}`)).toMatchObject({ enabled: false });
    expect(await sdkError(sdk.addFeatureConsumption({ ...identity, feature: "renders", consumptions: 1 }))).toMatchObject({
      status: 400,
      code: "license_not_enabled",
    });
    expect(await sdkError(sdk.checkLicense(identity))).toMatchObject({ code: "license_not_enabled" });

    // Enabled again, then the device blacklisted from the console.
    await page.click("#toggle-license");
    await expect.poll(() => page.getAttribute("#license-state", "data-state")).toBe("enabled");
    await sdk.addFeatureConsumption({ ...identity, feature: "renders", consumptions: 1 });
    await page.click('#devices tr[data-hardware-id="story-laptop"] button[data-action="blacklist"]');
    await expect.poll(() => page.getAttribute('#devices tr[data-hardware-id="story-laptop"]', "data-device-state")).toBe("blacklisted");
    expect(await sdkError(sdk.addFeatureConsumption({ ...identity, feature: "renders", consumptions: 1 }))).toMatchObject({
      code: "blacklisted",
    });
    // The live total on the page follows (13 after the one accepted consumption).
    await page.click("#refresh");
    await expect
      .poll(() => page.getAttribute('#features tr[data-feature="renders"] td[data-consumption]', "data-consumption"))
      .toBe("13/25");
  });

  it("publishes a version from the console, which the SDK's update check finds, and withdraws it", async () => {
    const product = await manage("POST", "/api/v1/products", { short_code: "story-updates", name: "Story updates" });
    const license = await manage("POST", "/api/v1/licenses", { product_id: product.id });
    const apiKey = await manage("POST", "/api/v1/api-keys", {});
    const sdk = await customerApp(apiKey);
    const identity = { product: "story-updates", license_key: license.license_key as string, hardware_id: "story-desktop" };
    await sdk.activateLicense(identity);

    // Signed in already (this tab's session): the product list names the new product.
    await page.goto(`${service.baseUrl}/console/`);
    await expect.poll(() => page.locator(`#version-product option[value="${product.id}"]`).count()).toBe(1);
    await page.selectOption("#version-product", String(product.id));
    await page.fill("#version-number", "2.0.0");
    await page.fill("#version-environment", "win64");
    await page.fill("#version-channel", "stable");
    await page.fill("#version-released", "2031-02-03");
    await page.fill("#version-file", "https://downloads.example.com/story-2.0.0.msi");
    await page.click("#publish-version button[type=submit]");
    const row = '#versions tr[data-version="2.0.0/win64/stable"]';
    await expect.poll(() => page.getAttribute(row, "data-enabled")).toBe("true");
    const build = { ...identity, env: "win64", channel: "stable" };
    expect(await sdk.getInstallationFile(build)).toMatchObject({
      version: "2.0.0",
      installation_file: "https://downloads.example.com/story-2.0.0.msi",
      release_date: "2031-02-03T00:00:00.000Z",
    });

    // The same version again is refused, and the console says why.
    await page.fill("#version-number", "2.0.0");
    await page.fill("#version-environment", "win64");
    await page.fill("#version-channel", "stable");
    await page.fill("#version-released", "2031-02-04");
    await page.click("#publish-version button[type=submit]");
    await expect.poll(() => page.textContent("#version-error")).toMatch(/already has version "2.0.0"/);

    await page.click(`${row} button[data-action="withdraw"]`);
    await expect.poll(() => page.getAttribute(row, "data-enabled")).toBe("false");
    expect(await sdkError(sdk.getInstallationFile(build))).toMatchObject({ code: "version_not_found" });
    await page.screenshot({ path: SCREENSHOT.replace(".png", "-versions.png"), fullPage: true });
  });
});
