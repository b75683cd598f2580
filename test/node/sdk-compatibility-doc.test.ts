// docs/sdk-compatibility.md against the installed SDK and the server: it names every public
// method of LicenseAPI, LicenseManager (with AbstractManager), License and BundleManager; every
// path the server answers not_supported on appears only in rows marked "not supported"; every
// License API route the server serves appears in a row marked "supported".
import { readFileSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { UNSUPPORTED_CALLS } from "../../src/license-api/not-supported";

const root = join(import.meta.dirname, "..", "..");
const doc = readFileSync(join(root, "docs", "sdk-compatibility.md"), "utf8");
const tableRows = doc.split("\n").filter((line) => line.startsWith("| `"));
const sdkDir = dirname(createRequire(import.meta.url).resolve("@licensespring/node-sdk"));

/** Public methods a class declares in its .d.ts (no constructor, getters, private or protected members). */
function publicMethods(file: string): string[] {
  const source = readFileSync(join(sdkDir, file), "utf8");
  return [...source.matchAll(/^ {4}([a-zA-Z]\w*)\(/gm)].map((match) => match[1]!).filter((name) => name !== "constructor");
}

const classes: Record<string, string[]> = {
  LicenseAPI: publicMethods("api.d.ts"),
  LicenseManager: [...new Set([...publicMethods("license-manager.d.ts"), ...publicMethods("abstract-manager.d.ts")])],
  License: publicMethods("license.d.ts"),
  BundleManager: publicMethods("bundle-manager.d.ts"),
};

const status = (row: string) => row.split("|")[3]!.trim();

describe("docs/sdk-compatibility.md", () => {
  it("names every public method of the SDK's client classes", () => {
    expect(classes.LicenseAPI!.length).toBeGreaterThan(30);
    const missing = Object.entries(classes).flatMap(([name, methods]) =>
      methods.map((method) => `${name}.${method}`).filter((qualified) => !doc.includes(`\`${qualified}\``)),
    );
    expect(missing).toEqual([]);
  });

  it("marks every path answered not_supported as not supported, in every row naming it", () => {
    for (const call of UNSUPPORTED_CALLS) {
      const rows = tableRows
        .concat(doc.split("\n").filter((line) => line.startsWith("| ") && !line.startsWith("| `")))
        .filter((row) => row.includes(`\`${call.path}\``));
      expect(rows.length, call.path).toBeGreaterThan(0);
      for (const row of rows) expect(status(row), call.path).toMatch(/^not supported/);
    }
  });

  it("marks every served License API route supported", () => {
    const routeFiles = readdirSync(join(root, "src", "license-api", "routes")).map((file) =>
      readFileSync(join(root, "src", "license-api", "routes", file), "utf8"),
    );
    const served = routeFiles.flatMap((source) => [...source.matchAll(/path: "\/api\/v4\/([\w/]+)"/g)].map((match) => match[1]!));
    expect(served.length).toBeGreaterThanOrEqual(16);
    expect(served).toContain("floating/feature_release");
    for (const path of served) {
      const rows = tableRows.filter((row) => row.split("|")[2]?.includes(`\`${path}\``));
      expect(rows.length, path).toBeGreaterThan(0);
      expect(
        rows.some((row) => status(row).startsWith("supported")),
        path,
      ).toBe(true);
    }
  });
});
