// The vendor's story in the console alone (issue 18, "Done when"), in real Chromium against the
// locally running service: a product with a metered feature, a license with its customer, an API
// key handed to the application, a consumption (made by the official SDK, as the application would)
// seen on the license page, a cap raised, a counter reset, a device blacklisted. No management
// call is made outside the browser; the test reads the API only to check what the console did.
import { LicenseAPI } from "@licensespring/node-sdk";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalService, type LocalService } from "../sdk/local-service";
import { sdkError, vendorApi } from "../sdk/vendor-api";
import { chromiumAvailable, launchChromium, type LaunchedChromium } from "./chromium";
import { WIDE, confirmAction, expectAccessible, expectSuccess, openSection, screenshots, signIn, watchPage } from "./console-page";

let service: LocalService;
let chromium: LaunchedChromium;
let page: Page;
let watched: { problems: string[] };

describe.skipIf(!chromiumAvailable())("the vendor's story, in the console alone (Chromium)", () => {
  beforeAll(async () => {
    [service, chromium] = await Promise.all([startLocalService(), launchChromium()]);
    page = await chromium.context.newPage();
    await page.setViewportSize(WIDE);
    watched = watchPage(page);
  });

  afterAll(async () => {
    await chromium?.close();
    await service?.stop();
  });

  it("serves the console with a strict Content-Security-Policy", async () => {
    const response = await page.goto(`${service.baseUrl}/console/`);
    expect(response?.status()).toBe(200);
    const csp = response?.headers()["content-security-policy"] ?? "";
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).not.toContain("unsafe-inline");
    expect((await fetch(`${service.baseUrl}/console/app.js`)).status).toBe(200);
    expect((await fetch(`${service.baseUrl}/_headers`)).status).toBe(404);
  });

  it("refuses a wrong management key at sign-in, saying why", async () => {
    await page.goto(`${service.baseUrl}/console/`);
    await page.getByLabel("Management key").fill("not-the-management-key");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect.poll(() => page.locator("#sign-in-error").textContent()).toMatch(/not valid/);
    expect(await page.getByRole("navigation", { name: "Sections" }).count()).toBe(0);
    await expectAccessible(page, "sign-in");
    await screenshots(page, "00-sign-in");
  });

  it("goes from a new product to a blacklisted device, every step in the console", async () => {
    const manage = vendorApi(service);
    await signIn(page, service.baseUrl, service.managementKey);

    // 1. A product with a metered feature: 20 renders a month, 5 more as overage.
    await openSection(page, "Products");
    const newProduct = page.locator("#create-product");
    await newProduct.getByLabel("Name").fill("Story app");
    await newProduct.getByLabel("Short code").fill("story-app");
    await newProduct.getByRole("button", { name: "Create product" }).click();
    await expectSuccess(page, "Product story-app created");
    await expect.poll(() => page.locator("main h1").textContent()).toBe("Story app");
    expect(await page.locator("[data-empty]").first().textContent()).toMatch(/No feature yet/);
    const newFeature = page.locator("#create-feature");
    await newFeature.getByLabel("Code").fill("renders");
    await newFeature.getByLabel("Name", { exact: true }).fill("Renders");
    await newFeature.getByLabel("Cap (max consumption)").fill("20");
    await newFeature.getByLabel("Allow overage past the cap").check();
    await newFeature.getByLabel("Overage allowed").fill("5");
    await newFeature.getByLabel("Resets").selectOption("monthly");
    await newFeature.getByRole("button", { name: "Add feature" }).click();
    await expectSuccess(page, "Feature renders added");
    await expect.poll(() => page.locator('tr[data-feature="renders"]').count()).toBe(1);
    await expectAccessible(page, "product page");
    await screenshots(page, "01-product");

    // 2. A customer with a license: one seat, sold to ACME.
    await page.getByRole("link", { name: "Issue license" }).click();
    const issue = page.locator("#issue-license");
    await expect.poll(() => issue.getByLabel("Product", { exact: true }).inputValue()).not.toBe("");
    expect(await issue.getByLabel("Product", { exact: true }).locator("option:checked").textContent()).toBe("Story app (story-app)");
    await issue.getByLabel("E-mail").fill("ops@acme.example");
    await issue.getByLabel("Company").fill("ACME Rendering");
    await issue.getByLabel("First name").fill("Ada");
    await issue.getByLabel("Last name").fill("Lovelace");
    await issue.getByLabel("Seats (devices at once)").fill("1");
    await expectAccessible(page, "issue license form");
    await screenshots(page, "02-issue-license");
    await issue.getByRole("button", { name: "Issue license" }).click();
    await expectSuccess(page, /License .+ issued/);
    const licenseId = Number(await page.locator("[data-license-id]").first().getAttribute("data-license-id"));
    const license = await manage("GET", `/api/v1/licenses/${licenseId}`);
    expect(license).toMatchObject({
      product_short_code: "story-app",
      max_activations: 1,
      customer: { email: "ops@acme.example", company_name: "ACME Rendering" },
    });
    expect(await page.locator("[data-customer]").textContent()).toContain("ACME Rendering");

    // 3. An API key handed to the application: created in the console, its shared key read off the page once.
    await openSection(page, "API keys");
    await page.locator("#create-api-key").getByRole("button", { name: "Create API key" }).click();
    await expectSuccess(page, "API key created");
    const apiKey = (await page.locator('[data-secret="api-key"]').textContent())!;
    const sharedKey = (await page.locator('[data-secret="shared-key"]').textContent())!;
    await expectAccessible(page, "API key shown once");
    await screenshots(page, "03-api-key-shown-once");
    await page.getByRole("button", { name: "I have saved the shared key" }).click();
    expect(await page.locator("[data-created-key]").count()).toBe(0);
    expect(await page.getByText(sharedKey).count()).toBe(0);

    // 4. The application consumes, through the official SDK, with the key from the console.
    const sdk = new LicenseAPI({
      apiKey,
      sharedKey,
      apiPath: service.apiPath,
      publicKey: await (await fetch(`${service.apiPath}/public_key`)).text(),
      appName: "story",
      appVersion: "1.0.0",
    });
    const identity = { product: "story-app", license_key: license.license_key as string, hardware_id: "story-laptop" };
    await sdk.activateLicense(identity);
    for (const consumptions of [3, 4, 5]) await sdk.addFeatureConsumption({ ...identity, feature: "renders", consumptions });
    expect(await sdkError(sdk.addFeatureConsumption({ ...identity, feature: "renders", consumptions: 20 }))).toMatchObject({
      code: "feature_not_enough_consumptions",
    });

    // 5. The consumption, seen on the license page: the real cap, the overage, the reset date, the plot.
    await page.goto(`${service.baseUrl}/console/#/licenses/${licenseId}`);
    const renders = page.locator('[data-counter="renders"]');
    await expect.poll(() => renders.locator("[data-consumption]").getAttribute("data-consumption")).toBe("12/20");
    expect(await renders.locator('[data-fact="cap"]').textContent()).toBe("20");
    expect(await renders.locator('[data-fact="overage"]').textContent()).toBe("0 of 5 used");
    expect(await renders.locator('[data-fact="limit"]').textContent()).toBe("25");
    const nextMonth = new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth() + 1, 1));
    expect(await renders.locator('[data-fact="reset"]').textContent()).toContain(
      nextMonth.toLocaleString("en-US", { dateStyle: "medium", timeStyle: "short" }).split(",")[0],
    );
    // The rollups reach D1 about a second after each consumption: refresh until the plot has all three.
    await expect
      .poll(
        async () => {
          await page.getByRole("button", { name: "Refresh" }).click();
          return renders.locator("figure[data-plot]").getAttribute("data-consumptions");
        },
        { timeout: 30_000, interval: 1_000 },
      )
      .toBe("3");
    expect(await renders.locator("figure[data-plot]").getAttribute("data-last-total")).toBe("12");
    expect(await renders.locator("figure[data-plot]").getAttribute("data-cap")).toBe("20");
    expect(await renders.locator("figure[data-plot]").getAttribute("data-limit")).toBe("25");
    expect(await page.locator('tr[data-hardware-id="story-laptop"]').getAttribute("data-device-state")).toBe("active");
    await expectAccessible(page, "license page");
    await screenshots(page, "04-license-consumption");

    // 6. A cap raised: 20 → 50; the application's next consumption of 20 now fits.
    await renders.locator('button[data-action="change-cap-renders"]').click();
    const capDialog = page.locator('dialog[data-dialog="change-cap-renders"]');
    await capDialog.getByLabel("Cap (max consumption)").fill("50");
    await expectAccessible(page, "change-cap dialog");
    await capDialog.getByRole("button", { name: "Save" }).click();
    await expectSuccess(page, "renders: cap and rules saved");
    await expect.poll(() => renders.locator("[data-consumption]").getAttribute("data-consumption")).toBe("12/50");
    expect((await sdk.addFeatureConsumption({ ...identity, feature: "renders", consumptions: 20 })).total_consumptions).toBe(32);

    // 7. The counter reset, after a confirmation: the application starts again from 0.
    await page.getByRole("button", { name: "Refresh" }).click();
    await expect.poll(() => renders.locator("[data-consumption]").getAttribute("data-consumption")).toBe("32/50");
    await confirmAction(page, renders, "reset-renders");
    await expectSuccess(page, "renders reset to 0");
    await expect.poll(() => renders.locator("[data-consumption]").getAttribute("data-consumption")).toBe("0/50");
    expect((await sdk.addFeatureConsumption({ ...identity, feature: "renders", consumptions: 1 })).total_consumptions).toBe(1);

    // 8. The device blacklisted, after a confirmation: the application is refused.
    const laptop = page.locator('tr[data-hardware-id="story-laptop"]');
    await confirmAction(page, laptop, "blacklist");
    await expectSuccess(page, "story-laptop blacklisted");
    await expect.poll(() => laptop.getAttribute("data-device-state")).toBe("blacklisted");
    expect(await sdkError(sdk.addFeatureConsumption({ ...identity, feature: "renders", consumptions: 1 }))).toMatchObject({
      code: "blacklisted",
    });
    await screenshots(page, "05-license-after-changes");

    // 9. The consumption log shows the consumptions and the manual reset.
    await page.getByRole("link", { name: "Every consumption of this license in the consumption log" }).click();
    await expect
      .poll(
        async () => {
          await page.reload();
          return page
            .locator('table[data-table="audit"] tbody tr')
            .evaluateAll((rows) => rows.map((row) => row.getAttribute("data-event")));
        },
        { timeout: 30_000, interval: 1_000 },
      )
      .toEqual(["consumption_add", "consumption_add", "consumption_add", "consumption_add", "manual_reset", "consumption_add"]);
    await expectAccessible(page, "consumption log");
    await screenshots(page, "06-consumption-log");

    expect(watched.problems).toEqual([]);
  });
});
