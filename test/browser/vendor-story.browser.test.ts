// The vendor's story in the console alone (issue 18, "Done when"), in real Chromium against the
// locally running service: a named management key for the person who does the work, a product with
// a metered feature, a customer with a license, an API key handed to the application, a consumption
// (made by the official SDK, as the application would) seen on the license page, a cap raised, a
// counter reset, a seat added, a device blacklisted, the customer and the license found by search,
// and the activity log showing each of those with who did it. No management call is made outside
// the browser; the test reads the API only to check what the console did.
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
    await screenshots(page, "00-sign-in-refused");
  });

  it("goes from a new product to a blacklisted device, every step in the console and each in the activity log", async () => {
    const manage = vendorApi(service);
    const who = "ada@vendor.example";

    // 0. The bootstrap key creates a named admin key for the person who does the work; she signs in with it.
    await signIn(page, service.baseUrl, service.managementKey);
    await openSection(page, "Management keys");
    const newKey = page.locator("#create-management-key");
    await newKey.getByLabel("Who holds it").fill(who);
    await newKey.getByLabel("Role").selectOption("admin");
    await newKey.getByRole("button", { name: "Create key" }).click();
    await expectSuccess(page, `Key for ${who} created`);
    const adaKey = (await page.locator('[data-secret="management-key"]').textContent())!;
    await expectAccessible(page, "management key shown once");
    await screenshots(page, "00-management-key");
    await page.getByRole("button", { name: "I have handed the key over" }).click();
    await page.getByRole("button", { name: "Sign out" }).click();
    await signIn(page, service.baseUrl, adaKey);
    await expect.poll(() => page.locator("[data-caller]").getAttribute("data-caller")).toBe(who);
    expect(await page.locator("[data-caller]").getAttribute("data-role")).toBe("admin");

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
    expect(await issue.getByLabel("The license is for").inputValue()).toBe("new");
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
        { timeout: 90_000, interval: 1_000 },
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

    // 8. A seat added: the second device is refused with one seat, activates with two.
    const desktop = { ...identity, hardware_id: "story-desktop" };
    expect(await sdkError(sdk.activateLicense(desktop))).toMatchObject({ code: "license_activated_max_times" });
    await page.locator('button[data-action="edit-terms"]').click();
    const terms = page.locator('dialog[data-dialog="edit-terms"]');
    await terms.getByLabel("Seats (devices at once)").fill("2");
    await expectAccessible(page, "edit-terms dialog");
    await terms.getByRole("button", { name: "Save terms" }).click();
    await expectSuccess(page, "Terms saved");
    await sdk.activateLicense(desktop);
    await page.getByRole("button", { name: "Refresh" }).click();
    await expect.poll(() => page.locator('[data-fact="seats"]').textContent()).toBe("2 of 2 in use");

    // 9. The device blacklisted, after a confirmation: the application is refused.
    const laptop = page.locator('tr[data-hardware-id="story-laptop"]');
    await confirmAction(page, laptop, "blacklist");
    await expectSuccess(page, "story-laptop blacklisted");
    await expect.poll(() => laptop.getAttribute("data-device-state")).toBe("blacklisted");
    expect(await sdkError(sdk.addFeatureConsumption({ ...identity, feature: "renders", consumptions: 1 }))).toMatchObject({
      code: "blacklisted",
    });
    // The license page's own activity shows each change made on it, newest first, as it is made.
    await expect
      .poll(() =>
        page
          .locator('table[data-table="activity"] tbody tr')
          .evaluateAll((rows) => rows.map((row) => `${row.getAttribute("data-actor")} ${row.getAttribute("data-activity")}`)),
      )
      .toEqual(
        ["device.blacklisted", "license.updated", "license_feature.reset", "license_feature.updated", "license.issued"].map(
          (action) => `${who} ${action}`,
        ),
      );
    await screenshots(page, "05-license-after-changes");

    // 10. Search finds the customer by a part of its company, e-mail or name, and the license by a part of its key.
    for (const text of ["acme rend", "OPS@acme", "lovelace"]) {
      await page.getByLabel("Search licenses and customers").fill(text);
      await page.getByLabel("Search licenses and customers").press("Enter");
      await expect.poll(() => page.locator("table[data-table=customers] a").allTextContents()).toEqual(["Ada Lovelace"]);
    }
    const keyPart = (license.license_key as string).slice(5, 12).toLowerCase();
    await page.getByLabel("Search licenses and customers").fill(keyPart);
    await page.getByLabel("Search licenses and customers").press("Enter");
    await expect.poll(() => page.locator("table[data-table=licenses] a").allTextContents()).toEqual([license.license_key]);
    await expectAccessible(page, "search");
    await screenshots(page, "06-search");
    await page.locator("table[data-table=customers] a").click();
    await expect.poll(() => page.locator('table[data-table="licenses"] a').allTextContents()).toEqual([license.license_key]);
    await screenshots(page, "07-customer");

    // 11. The activity log shows each step, and who took it.
    await openSection(page, "Activity");
    await page.getByLabel("Who (key name or e-mail)").fill(who);
    await page.getByRole("button", { name: "Filter" }).click();
    const entries = page.locator('table[data-table="activity"] tbody tr');
    await expect
      .poll(() =>
        entries.evaluateAll((rows) => rows.map((row) => `${row.getAttribute("data-actor")} ${row.getAttribute("data-activity")}`)),
      )
      .toEqual(
        [
          "product.created",
          "product_feature.created",
          "customer.created",
          "license.issued",
          "api_key.created",
          "license_feature.updated",
          "license_feature.reset",
          "license.updated",
          "device.blacklisted",
        ]
          .reverse()
          .map((action) => `${who} ${action}`),
      );
    expect(await page.locator('tr[data-activity="license_feature.updated"] [data-change="max_consumption"]').textContent()).toBe(
      "max_consumption: product default → 50",
    );
    expect(await page.locator('tr[data-activity="license.updated"] [data-change="max_activations"]').textContent()).toBe(
      "max_activations: 1 → 2",
    );
    await expectAccessible(page, "activity log");
    await screenshots(page, "08-activity");

    // 12. The consumption log shows the consumptions and the manual reset.
    await page.goto(`${service.baseUrl}/console/#/licenses/${licenseId}`);
    await page.getByRole("link", { name: "Every consumption of this license in the consumption log" }).click();
    await expect
      .poll(
        async () => {
          await page.reload();
          return page
            .locator('table[data-table="audit"] tbody tr')
            .evaluateAll((rows) => rows.map((row) => row.getAttribute("data-event")));
        },
        { timeout: 90_000, interval: 1_000 },
      )
      .toEqual(["consumption_add", "consumption_add", "consumption_add", "consumption_add", "manual_reset", "consumption_add"]);
    await expectAccessible(page, "consumption log");
    await screenshots(page, "09-consumption-log");

    expect(watched.problems).toEqual([]);
  }, 180_000);
});
