// Every view of the console beyond the vendor's story, in real Chromium against the local service:
// what a failed action shows, what an empty list says, search, keyboard use, views that cannot
// load; each view checked by axe-core and kept as screenshots at 1280 px and 390 px
// (test-artifacts/console/views-*.png).
import { createServer, type Server } from "node:http";
import { LicenseAPI } from "@licensespring/node-sdk";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalService, type LocalService } from "../sdk/local-service";
import { vendorApi } from "../sdk/vendor-api";
import { chromiumAvailable, launchChromium, type LaunchedChromium } from "./chromium";
import { WIDE, expectAccessible, expectError, expectSuccess, openSection, screenshots, signIn, watchPage } from "./console-page";

let service: LocalService;
let chromium: LaunchedChromium;
let page: Page;
let watched: { problems: string[] };

const main = () => page.locator("main");

/** The demo customer's application: the official SDK with the seeded API key. */
const customerApp = () =>
  new LicenseAPI({
    apiKey: service.credentials.apiKey,
    sharedKey: service.credentials.sharedKey,
    apiPath: service.apiPath,
    publicKey: service.publicKey,
    appName: "views",
    appVersion: "1.0.0",
  });

describe.skipIf(!chromiumAvailable())("the console's views (Chromium)", () => {
  beforeAll(async () => {
    [service, chromium] = await Promise.all([startLocalService(), launchChromium()]);
    page = await chromium.context.newPage();
    await page.setViewportSize(WIDE);
    watched = watchPage(page);
    await signIn(page, service.baseUrl, service.managementKey);
  });

  afterAll(async () => {
    await chromium?.close();
    await service?.stop();
  });

  it("lists licenses and filters them, saying when nothing matches", async () => {
    await openSection(page, "Licenses");
    await expect.poll(() => page.locator('table[data-table="licenses"] tbody tr').count()).toBeGreaterThanOrEqual(2);
    await expectAccessible(page, "licenses");
    await screenshots(page, "views-licenses");
    await page.getByLabel("State").selectOption("false");
    await expect.poll(() => main().locator("[data-empty]").textContent()).toMatch(/No license matches these filters/);
  });

  it("finds a license by its key and by its user's e-mail", async () => {
    await page.getByLabel("Search licenses and customers").fill(service.demo.licenseKey);
    await page.getByLabel("Search licenses and customers").press("Enter");
    await expect.poll(() => main().locator("table[data-table=licenses] a").allTextContents()).toEqual([service.demo.licenseKey]);
    await page.getByLabel("Search licenses and customers").fill(service.demo.username);
    await page.getByRole("button", { name: "Search", exact: true }).click();
    await expect.poll(() => main().locator("table[data-table=licenses] a").allTextContents()).toEqual([service.demo.username]);
    await expectAccessible(page, "search");
    await screenshots(page, "views-search");
    await page.getByLabel("Search licenses and customers").fill("NO-SUCH-KEY");
    await page.getByLabel("Search licenses and customers").press("Enter");
    await expect.poll(() => main().locator("[data-empty]").allTextContents()).toEqual(["No customer matches.", "No license matches."]);
  });

  it("shows the API's reason when an action fails, and keeps what was typed", async () => {
    await openSection(page, "Products");
    const form = page.locator("#create-product");
    await form.getByLabel("Name").fill("Clash");
    await form.getByLabel("Short code").fill(service.demo.keyProduct);
    await form.getByRole("button", { name: "Create product" }).click();
    await expectError(page, 'Creating the product failed: A product with short_code "demo-key" already exists');
    expect(await form.getByLabel("Short code").inputValue()).toBe(service.demo.keyProduct);
    await expectAccessible(page, "products with an error notice");
    await screenshots(page, "views-products-error");
    await page.locator('[data-notice="error"] button').click();
    expect(await page.locator('[data-notice="error"]').count()).toBe(0);
  });

  it("keeps a dialog open with the API's message when a value is refused", async () => {
    const manage = vendorApi(service);
    const license = (await manage("GET", `/api/v1/licenses?license_key=${service.demo.licenseKey}`)).data[0];
    await page.goto(`${service.baseUrl}/console/#/licenses/${license.id}`);
    const counter = page.locator(`[data-counter="${service.demo.feature}"]`);
    await counter.locator(`button[data-action="change-cap-${service.demo.feature}"]`).click();
    const dialog = page.locator(`dialog[data-dialog="change-cap-${service.demo.feature}"]`);
    await dialog.getByLabel("Cap (max consumption)").fill("-3");
    await dialog.getByRole("button", { name: "Save" }).click();
    await expect.poll(() => dialog.locator("[data-form-error]").textContent()).toMatch(/max_consumption.* must not be negative/);
    expect(await dialog.isVisible()).toBe(true);
    await expectError(page, /Changing the cap failed/);
    await screenshots(page, "views-dialog-error");
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await page.locator('[data-notice="error"]').getByRole("button", { name: "Dismiss" }).click();
  });

  it("shows what the API flags: a validity in the past on the license, a cap of 0 on a counter", async () => {
    const manage = vendorApi(service);
    const product = await manage("POST", "/api/v1/products", { name: "Flagged", short_code: "flagged" });
    await manage("POST", `/api/v1/products/${product.id}/features`, { code: "checks", name: "Checks", max_consumption: 10 });
    const license = await manage("POST", "/api/v1/licenses", {
      product_id: product.id,
      license_type: "time-limited",
      validity_period: "2020-01-31T23:59:59.000Z",
    });
    await page.goto(`${service.baseUrl}/console/#/licenses/${license.id}`);
    const licenseWarnings = main().locator("[data-license-id] > [data-warnings]");
    await expect.poll(() => licenseWarnings.textContent()).toMatch(/validity_period 2020-01-31.* is past/);
    const counter = page.locator('[data-counter="checks"]');
    expect(await counter.locator("[data-warnings]").count()).toBe(0);
    await counter.locator('button[data-action="change-cap-checks"]').click();
    const dialog = page.locator('dialog[data-dialog="change-cap-checks"]');
    await dialog.getByLabel("Cap (max consumption)").fill("0");
    await dialog.getByRole("button", { name: "Save" }).click();
    await expectSuccess(page, "checks: cap and rules saved");
    await expect.poll(() => counter.locator("[data-warnings]").textContent()).toMatch(/every consumption is refused until it is raised/);
    await expectAccessible(page, "a license with warnings");
    await screenshots(page, "views-license-warnings");
  });

  it("shows a consumption license's own counter, and disables and enables a license", async () => {
    const manage = vendorApi(service);
    const license = (await manage("GET", `/api/v1/licenses?license_key=${service.demo.licenseKey}`)).data[0];
    await page.goto(`${service.baseUrl}/console/#/licenses/${license.id}`);
    const own = page.locator('[data-counter="(license)"]');
    await expect.poll(() => own.locator("[data-consumption]").getAttribute("data-consumption")).toMatch(/^\d+\/500$/);
    await expectAccessible(page, "a consumption license");
    await screenshots(page, "views-consumption-license");
    await page.locator('button[data-action="disable-license"]').click();
    await page.locator('dialog[data-confirm="disable-license"] button[data-confirm-action]').click();
    await expectSuccess(page, `License ${service.demo.licenseKey} disabled`);
    await expect.poll(() => page.locator("main h1 [data-state]").getAttribute("data-state")).toBe("disabled");
    expect(await manage("GET", `/api/v1/licenses/${license.id}`)).toMatchObject({ enabled: false });
    await page.getByRole("button", { name: "Enable license" }).click();
    await expectSuccess(page, `License ${service.demo.licenseKey} enabled`);
    await expect.poll(() => page.locator("main h1 [data-state]").getAttribute("data-state")).toBe("active");
    expect(await manage("GET", `/api/v1/licenses/${license.id}`)).toMatchObject({ enabled: true });
  });

  it("asks before a destructive action, and Escape leaves everything as it was", async () => {
    const manage = vendorApi(service);
    await openSection(page, "API keys");
    const row = page.locator('tr[data-key-state="read-write"]').first();
    const apiKey = await row.getAttribute("data-api-key");
    await row.locator('button[data-action="revoke"]').focus();
    await page.keyboard.press("Enter");
    const dialog = page.locator('dialog[data-confirm="revoke"][open]');
    await expect.poll(() => dialog.isVisible()).toBe(true);
    expect(await dialog.textContent()).toContain("cannot be undone");
    // Focus moved into the dialog, on Cancel.
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Cancel");
    await expectAccessible(page, "confirmation dialog");
    await screenshots(page, "views-confirm-revoke");
    await page.keyboard.press("Escape");
    await expect.poll(() => dialog.count()).toBe(0);
    const keys = (await manage("GET", "/api/v1/api-keys")).data as Array<{ api_key: string; revoked: boolean }>;
    expect(keys.find((key) => key.api_key === apiKey)?.revoked).toBe(false);
  });

  it("is usable from the keyboard: skip link, navigation, search", async () => {
    await page.goto("about:blank");
    await page.goto(`${service.baseUrl}/console/#/licenses`);
    await page.getByRole("navigation", { name: "Sections" }).waitFor();
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Skip to content");
    const reached: string[] = [];
    for (let step = 0; step < 12; step++) {
      await page.keyboard.press("Tab");
      reached.push(
        await page.evaluate(() => {
          const focused = document.activeElement as HTMLInputElement | null;
          return focused?.getAttribute("aria-label") || focused?.labels?.[0]?.textContent || focused?.textContent || "";
        }),
      );
    }
    expect(reached).toEqual(
      expect.arrayContaining(["Search licenses and customers", "Sign out", "Licenses", "Products", "API keys", "Consumption log"]),
    );
    await page.getByRole("link", { name: "Products", exact: true }).focus();
    await page.keyboard.press("Enter");
    await expect.poll(() => page.locator("main h1").textContent()).toBe("Products");
  });

  it("says so when a view cannot load or does not exist", async () => {
    await page.goto(`${service.baseUrl}/console/#/licenses/987654321`);
    await expect.poll(() => main().locator(".load-error").textContent()).toMatch(/Could not load: License 987654321 not found/);
    await expectAccessible(page, "a license that does not exist");
    await page.goto(`${service.baseUrl}/console/#/nowhere`);
    await expect.poll(() => main().locator("h1").textContent()).toBe("Nothing here");
  });

  it("shows the consumption log with its filters and an empty result", async () => {
    await openSection(page, "Consumption log");
    await expectAccessible(page, "consumption log");
    await page.getByLabel("Feature code").fill("no-such-feature");
    await page.getByRole("button", { name: "Filter" }).click();
    await expect.poll(() => main().locator("[data-empty]").textContent()).toMatch(/No entry matches/);
    await screenshots(page, "views-consumption-log-empty");
    await page.getByRole("button", { name: "Export CSV" }).click();
    await expectSuccess(page, "Consumption log exported as CSV");
  });

  it("lists the customers near their caps and the totals per period, and exports a month", async () => {
    const sdk = customerApp();
    const identity = { product: service.demo.keyProduct, license_key: service.demo.licenseKey, hardware_id: service.demo.hardwareId };
    await sdk.addFeatureConsumption({ ...identity, feature: service.demo.feature, consumptions: 850 });
    await openSection(page, "Usage");
    const row = page.locator('tr[data-near-cap$=".exports"]');
    // Near-cap reads D1's mirror of the counters, written by the audit queue's consumer: about a
    // second after the consumption, tens of seconds on a loaded machine (a CI run saw over 30 s).
    await expect
      .poll(
        async () => {
          await page.reload();
          return row.count();
        },
        { timeout: 90_000, interval: 1_000 },
      )
      .toBe(1);
    expect(await row.textContent()).toContain("85 %");
    await expect.poll(() => page.locator('tr[data-usage-product="demo-key.exports"]').count()).toBe(1);
    await expectAccessible(page, "usage");
    await screenshots(page, "views-usage");
    await page.getByLabel("Show counters at").selectOption("100");
    await expect.poll(() => main().locator("[data-empty]").first().textContent()).toMatch(/No counter is at 100 %/);
    await page.getByRole("button", { name: "Download" }).click();
    await expectSuccess(page, /Billing export of \d{4}-\d{2} downloaded/);
  }, 180_000);

  it("registers a webhook endpoint, shows its delivery log and resends a failed delivery", async () => {
    const received: Array<{ status: number; headers: Record<string, unknown>; body: string }> = [];
    const receiver: Server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        const status = received.length === 0 ? 500 : 204; // the first delivery fails, later ones succeed
        received.push({ status, headers: request.headers, body: Buffer.concat(chunks).toString("utf8") });
        response.writeHead(status).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/hooks`;
    try {
      await openSection(page, "Webhooks");
      expect(await main().locator("[data-empty]").textContent()).toMatch(/No endpoint yet/);
      const form = page.locator("#create-webhook");
      await form.getByLabel("URL").fill(url);
      await form.getByLabel(/A counter reaches a threshold/).uncheck();
      await form.getByLabel(/A device is blacklisted/).check();
      await form.getByRole("button", { name: "Register endpoint" }).click();
      await expectSuccess(page, "Endpoint registered");
      expect(await page.locator('[data-secret="webhook-secret"]').textContent()).toMatch(/^whsec_/);
      await expectAccessible(page, "webhooks");
      await screenshots(page, "views-webhooks");
      await page.getByRole("button", { name: "I have saved the secret" }).click();

      // A device blacklisted in the console is the event.
      const manage = vendorApi(service);
      const license = (await manage("GET", `/api/v1/licenses?license_key=${service.demo.licenseKey}`)).data[0];
      await page.goto(`${service.baseUrl}/console/#/licenses/${license.id}`);
      const device = page.locator(`tr[data-hardware-id="${service.demo.hardwareId}"]`);
      await device.locator('button[data-action="blacklist"]').click();
      await page.locator('dialog[data-confirm="blacklist"] button[data-confirm-action]').click();
      await expectSuccess(page, `${service.demo.hardwareId} blacklisted`);
      await device.locator('button[data-action="unblacklist"]').click();
      await expectSuccess(page, "no longer blacklisted");

      await openSection(page, "Webhooks");
      await page.locator(`tr[data-webhook="${url}"] a`).click();
      const delivery = page.locator('tr[data-delivery="device.blacklisted"]');
      await expect
        .poll(
          async () => {
            await page.getByRole("button", { name: "Refresh" }).click();
            return (await delivery.count()) > 0 ? delivery.locator("td").nth(4).textContent() : null;
          },
          { timeout: 90_000, interval: 1_000 },
        )
        .toBe("500");
      expect(await delivery.getAttribute("data-status")).toBe("pending");
      await expectAccessible(page, "delivery log");
      await screenshots(page, "views-webhook-deliveries");
      await delivery.locator('button[data-action="resend"]').click();
      await expectSuccess(page, "device.blacklisted sent again");
      await expect
        .poll(
          async () => {
            await page.getByRole("button", { name: "Refresh" }).click();
            return delivery.getAttribute("data-status");
          },
          { timeout: 90_000, interval: 1_000 },
        )
        .toBe("delivered");
      expect(received.map((delivery) => delivery.status)).toEqual([500, 204]);
      expect(received[1]!.headers).toHaveProperty("webhook-signature");
      expect(JSON.parse(received[1]!.body)).toMatchObject({ type: "device.blacklisted" });
    } finally {
      await new Promise<void>((resolve) => receiver.close(() => resolve()));
    }
  }, 180_000);

  it("creates, finds and edits a customer; an empty search says so", async () => {
    await openSection(page, "Customers");
    const form = page.locator("#create-customer");
    await form.getByLabel("E-mail").fill("buyer@globex.example");
    await form.getByLabel("Company").fill("Globex Corporation");
    await form.getByLabel("First name").fill("Hank");
    await form.getByLabel("Last name").fill("Scorpio");
    await form.getByRole("button", { name: "Create customer" }).click();
    await expectSuccess(page, "Customer Hank Scorpio created");
    await expect.poll(() => main().locator("h1").first().textContent()).toBe("Hank Scorpio");
    expect(await main().locator("[data-empty]").first().textContent()).toMatch(/No license yet/);
    await page.locator('button[data-action="edit-customer"]').click();
    const dialog = page.locator('dialog[data-dialog="edit-customer"]');
    await dialog.getByLabel("Phone").fill("+1 555 0100");
    await dialog.getByRole("button", { name: "Save" }).click();
    await expectSuccess(page, "Customer saved");
    await expect.poll(() => main().locator('[data-fact="phone"]').textContent()).toBe("+1 555 0100");
    await expectAccessible(page, "a customer");
    await screenshots(page, "views-customer");
    await openSection(page, "Customers");
    await page.getByLabel("Find customers").fill("GLOBEX");
    await page.getByRole("button", { name: "Find" }).click();
    await expect.poll(() => main().locator("table[data-table=customers] a").allTextContents()).toEqual(["Hank Scorpio"]);
    await expectAccessible(page, "customers");
    await screenshots(page, "views-customers");
    await page.getByLabel("Find customers").fill("nobody-like-this");
    await page.getByRole("button", { name: "Find" }).click();
    await expect.poll(() => main().locator("[data-empty]").textContent()).toMatch(/No customer matches/);
  });

  it("issues a license to an existing customer, adds and removes a feature, archives and restores it", async () => {
    const manage = vendorApi(service);
    const product = (await manage("GET", "/api/v1/products")).data.find(
      (candidate: { short_code: string }) => candidate.short_code === service.demo.keyProduct,
    );
    await page.goto(`${service.baseUrl}/console/#/licenses/new?product=${product.id}`);
    const issue = page.locator("#issue-license");
    await issue.getByLabel("The license is for").selectOption("existing");
    await issue.getByLabel("Find the customer").fill("scorpio");
    await issue.getByRole("button", { name: "Find" }).click();
    await expect.poll(() => issue.locator('select[name="customer_id"] option:checked').textContent()).toMatch(/Hank Scorpio/);
    await issue.getByRole("button", { name: "Issue license" }).click();
    await expectSuccess(page, /License .+ issued/);
    await expect.poll(() => main().locator("[data-customer] a").textContent()).toBe("Hank Scorpio");

    // A feature the product gains after the license was issued, then added to this license alone.
    const licenseId = Number(await main().locator("[data-license-id]").first().getAttribute("data-license-id"));
    await manage("POST", `/api/v1/products/${product.id}/features`, { code: "late-feature", name: "Late", max_consumption: 10 });
    await page.locator('button[data-action="add-feature"]').click();
    const add = page.locator('dialog[data-dialog="add-feature"]');
    await expect.poll(() => add.getByLabel("Feature").inputValue()).toBe("late-feature");
    await add.getByRole("button", { name: "Add to this license" }).click();
    await expectSuccess(page, "late-feature added to the license");
    await expect.poll(() => page.locator('[data-counter="late-feature"]').count()).toBe(1);
    await page.locator('button[data-action="remove-late-feature"]').click();
    await page.locator('dialog[data-confirm="remove-late-feature"] button[data-confirm-action]').click();
    await expectSuccess(page, "late-feature removed from the license");
    await expect.poll(() => page.locator('[data-counter="late-feature"]').count()).toBe(0);

    await page.locator('button[data-action="archive-license"]').click();
    await page.locator('dialog[data-confirm="archive-license"] button[data-confirm-action]').click();
    await expectSuccess(page, /archived/);
    await expect.poll(() => main().locator("h1 [data-state]").getAttribute("data-state")).toBe("archived");
    expect(await manage("GET", `/api/v1/licenses/${licenseId}`)).toMatchObject({ enabled: false });
    await expectAccessible(page, "an archived license");
    await screenshots(page, "views-license-archived");
    await page.getByRole("button", { name: "Restore" }).click();
    await expectSuccess(page, /restored/);
    await expect.poll(() => main().locator("h1 [data-state]").getAttribute("data-state")).toBe("disabled");
  });

  it("adds a product's feature to every license of the product in one action", async () => {
    const manage = vendorApi(service);
    const product = (await manage("GET", "/api/v1/products")).data.find(
      (candidate: { short_code: string }) => candidate.short_code === service.demo.keyProduct,
    );
    await page.goto(`${service.baseUrl}/console/#/products/${product.id}`);
    await page.locator('button[data-action="add-to-licenses-late-feature"]').click();
    await page.locator('dialog[data-confirm="add-to-licenses-late-feature"] button[data-confirm-action]').click();
    await expectSuccess(page, /late-feature added to \d+ licenses?/);
    await expectAccessible(page, "a product");
    await screenshots(page, "views-product");
  });

  it("publishes a product version that the SDK's update check finds, refuses it twice, and withdraws it", async () => {
    const manage = vendorApi(service);
    const product = (await manage("GET", "/api/v1/products")).data.find(
      (candidate: { short_code: string }) => candidate.short_code === service.demo.keyProduct,
    );
    const sdk = customerApp();
    const build = {
      product: service.demo.keyProduct,
      license_key: service.demo.licenseKey,
      hardware_id: service.demo.hardwareId,
      env: "win64",
      channel: "stable",
    };
    await page.goto(`${service.baseUrl}/console/#/products/${product.id}`);
    const publish = async (released: string) => {
      await page.locator('button[data-action="publish-version"]').click();
      const dialog = page.locator('dialog[data-dialog="publish-version"]');
      await dialog.getByLabel("Version", { exact: true }).fill("2.0.0");
      await dialog.getByLabel("Environment").fill("win64");
      await dialog.getByLabel("Channel").fill("stable");
      await dialog.getByLabel("Release date").fill(released);
      await dialog.getByLabel("Installation file URL").fill("https://downloads.example.com/demo-2.0.0.msi");
      await dialog.getByRole("button", { name: "Publish", exact: true }).click();
      return dialog;
    };
    await publish("2031-02-03");
    await expectSuccess(page, "Version 2.0.0 published");
    const row = page.locator('table[data-table="product-versions"] tr[data-version="2.0.0/win64/stable"]');
    await expect.poll(() => row.getAttribute("data-enabled")).toBe("true");
    expect(await sdk.getInstallationFile(build)).toMatchObject({
      version: "2.0.0",
      installation_file: "https://downloads.example.com/demo-2.0.0.msi",
      release_date: "2031-02-03T00:00:00.000Z",
    });
    await expectAccessible(page, "a product's versions");
    await screenshots(page, "views-product-versions");

    // The same version, environment and channel again: the dialog stays open with the API's reason.
    const again = await publish("2031-02-04");
    await expect.poll(() => again.locator("[data-form-error]").textContent()).toMatch(/already has version "2.0.0"/);
    await again.getByRole("button", { name: "Cancel" }).click();
    await page.locator('[data-notice="error"] button').click();

    await row.locator('button[data-action="withdraw-version"]').click();
    await expectSuccess(page, "Version 2.0.0 withdrawn");
    await expect.poll(() => row.getAttribute("data-enabled")).toBe("false");
    await expect(sdk.getInstallationFile(build)).rejects.toMatchObject({ code: "version_not_found" });
  });

  it("refuses a read-only key's change with the API's reason, and revokes the key", async () => {
    await openSection(page, "Management keys");
    const form = page.locator("#create-management-key");
    await form.getByLabel("Who holds it").fill("auditor");
    await form.getByLabel("Role").selectOption("read-only");
    await form.getByRole("button", { name: "Create key" }).click();
    const key = (await page.locator('[data-secret="management-key"]').textContent())!;
    await screenshots(page, "views-management-keys");
    await page.getByRole("button", { name: "Sign out" }).click();
    await signIn(page, service.baseUrl, key);
    await openSection(page, "Products");
    await page.locator("#create-product").getByLabel("Name").fill("Nope");
    await page.locator("#create-product").getByLabel("Short code").fill("nope");
    await page.locator("#create-product").getByRole("button", { name: "Create product" }).click();
    await expectError(page, /Creating the product failed: .*read-only/i);
    await page.getByRole("button", { name: "Sign out" }).click();
    await signIn(page, service.baseUrl, service.managementKey);
    await openSection(page, "Management keys");
    await page.locator('tr[data-management-key="auditor"] button[data-action="revoke-management-key"]').click();
    await page.locator('dialog[data-confirm="revoke-management-key"][open] button[data-confirm-action]').click();
    await expectSuccess(page, "The key of auditor is revoked");
    await openSection(page, "Activity");
    await expect.poll(() => main().locator('tr[data-activity="management_key.revoked"]').getAttribute("data-actor")).toBe("MANAGEMENT_KEY");
    await expectAccessible(page, "activity");
  });

  it("signs out, and back to the sign-in form", async () => {
    await page.getByRole("button", { name: "Sign out" }).click();
    await expect.poll(() => page.getByLabel("Management key").isVisible()).toBe(true);
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
    expect(watched.problems).toEqual([]);
  });
});
