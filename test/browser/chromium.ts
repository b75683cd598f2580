// Headless Chromium from Debian (`apt-get install chromium`), driven by playwright-core.
// No browser: loud warning and skip locally; with CI=true, a failure (.ci/run installs it first).
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext } from "playwright-core";

export const CHROMIUM_PATH = "/usr/bin/chromium";

/** Whether the browser tests can run here; throws under CI=true when they cannot. */
export function chromiumAvailable(): boolean {
  if (existsSync(CHROMIUM_PATH)) return true;
  const message = `${CHROMIUM_PATH} not found: the console's browser tests need Chromium. Install it with: apt-get update && apt-get install -y chromium`;
  if (process.env.CI === "true") throw new Error(`${message} (CI=true: a missing browser fails the run)`);
  const rule = "!".repeat(100);
  console.warn(`\n${rule}\n!!! SKIPPING THE BROWSER TESTS: ${message}\n${rule}\n`);
  return false;
}

export interface LaunchedChromium {
  /** A fresh profile (its own --user-data-dir), deleted on close. */
  context: BrowserContext;
  close(): Promise<void>;
}

export async function launchChromium(): Promise<LaunchedChromium> {
  const profile = mkdtempSync(join(tmpdir(), "edge-license-api-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
    viewport: { width: 1400, height: 1000 },
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
