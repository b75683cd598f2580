/// <reference lib="dom" />
// (DOM types: the page.evaluate callbacks below run in the browser.)
// Driving the console as a person does: by labels, roles and the text on the page; checking what
// every view must keep (no CSP violation, no script error, axe-core's WCAG rules), and leaving a
// screenshot of each step at 1280 px and 390 px in test-artifacts/console/ (git-ignored).
import { mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import type { Locator, Page } from "playwright-core";
import { expect } from "vitest";
import { ROOT } from "../../scripts/local-setup.mjs";

export const SCREENSHOT_DIR = join(ROOT, "test-artifacts", "console");
export const WIDE = { width: 1280, height: 900 };
export const NARROW = { width: 390, height: 844 };

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

/** Collects what must never happen on a console page: CSP violations and uncaught errors. */
export function watchPage(page: Page): { problems: string[] } {
  const problems: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error" && !/Failed to load resource: the server responded with a status of 4\d\d/.test(message.text()))
      problems.push(`console error: ${message.text()}`);
  });
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  return { problems };
}

export async function signIn(page: Page, baseUrl: string, key: string): Promise<void> {
  await page.goto(`${baseUrl}/console/`);
  await page.getByLabel("Management key").fill(key);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("navigation", { name: "Sections" }).waitFor();
}

/** Opens a section from the navigation, as a click on its link. */
export async function openSection(page: Page, name: string): Promise<void> {
  await page.getByRole("navigation", { name: "Sections" }).getByRole("link", { name, exact: true }).click();
  await expect.poll(() => page.locator("main h1").first().textContent()).toBeTruthy();
}

/** Waits for the success notice that names what was done; fails on an error notice. */
export async function expectSuccess(page: Page, text: string | RegExp): Promise<void> {
  const success = page.locator('[data-notice="success"]', { hasText: text });
  await expect
    .poll(async () => {
      const errors = await page.locator('[data-notice="error"]').allTextContents();
      if (errors.length > 0) throw new Error(`error notice instead of "${text}": ${errors.join(" | ")}`);
      return success.count();
    })
    .toBeGreaterThan(0);
}

export async function expectError(page: Page, text: string | RegExp): Promise<void> {
  await expect.poll(() => page.locator('[data-notice="error"]', { hasText: text }).count()).toBeGreaterThan(0);
}

/** Clicks a destructive action, checks that it asks first, then confirms in its dialog. */
export async function confirmAction(page: Page, scope: Locator, action: string): Promise<void> {
  await scope.locator(`button[data-action="${action}"]`).click();
  const dialog = page.locator(`dialog[data-confirm="${action}"][open]`);
  await expect.poll(() => dialog.isVisible()).toBe(true);
  await dialog.locator("button[data-confirm-action]").click();
  await expect.poll(() => dialog.isVisible()).toBe(false);
}

/** Runs axe-core (injected from npm, outside the page's CSP) and fails on any WCAG 2.1 A/AA or best-practice violation. */
export async function expectAccessible(page: Page, where: string): Promise<void> {
  if (!(await page.evaluate(() => "axe" in window))) await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(context: Document, options: object): Promise<{ violations: any[] }> } }).axe;
    const result = await axe.run(document, {
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] },
    });
    return result.violations.map(
      (violation) =>
        `${violation.id} (${violation.impact}): ${violation.help} at ${violation.nodes.map((node: any) => node.target.join(" ")).join(", ")}`,
    );
  });
  expect(violations, `accessibility of ${where}`).toEqual([]);
}

/** A full-page screenshot at 1280 px and at 390 px: test-artifacts/console/<name>-1280.png and -390.png. */
export async function screenshots(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}-1280.png`), fullPage: true });
  await page.setViewportSize(NARROW);
  // Nothing may stick out sideways at 390 px: wide tables scroll inside their own box.
  await expect
    .poll(() =>
      page.evaluate((width) => {
        const scrollsInside = (element: Element) => {
          for (let parent = element.parentElement; parent; parent = parent.parentElement)
            if (["auto", "scroll"].includes(getComputedStyle(parent).overflowX)) return true;
          return false;
        };
        const describe = (element: Element) =>
          `${element.tagName.toLowerCase()}.${element.className} "${element.textContent?.slice(0, 30)}"`;
        // Boxes that stick out, and boxes whose own content (a long word, say) overflows them.
        const wider = [...document.querySelectorAll("body *")]
          .filter((element) => !scrollsInside(element))
          .filter(
            (element) =>
              element.getBoundingClientRect().right > width + 0.5 ||
              (element.scrollWidth > element.clientWidth + 1 &&
                element.clientWidth > 0 &&
                getComputedStyle(element).overflowX === "visible"),
          )
          .map(describe);
        const pageWidth = document.documentElement.scrollWidth;
        // The innermost culprits are the last ones in document order.
        return pageWidth <= width ? [] : [`the page is ${pageWidth} px wide`, ...wider.slice(-5)];
      }, NARROW.width),
    )
    .toEqual([]);
  // Two frames, so that what the resize changed (uPlot's canvas, wrapped rows) is painted before the picture.
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}-390.png`), fullPage: true });
  await page.setViewportSize(WIDE);
}
