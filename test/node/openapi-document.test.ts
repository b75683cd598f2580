// The served OpenAPI document, used as tools use it, against the running service:
// - it is valid OpenAPI 3.1 by the specification's own JSON Schema (@seriousme/openapi-schema-validator);
// - a TypeScript client generated from it (openapi-typescript) type-checks a vendor's script that
//   uses its named types, and that script, run with openapi-fetch, issues and lists licenses.
// The client side is a project of its own (test/openapi-client/: its own lock, its own TypeScript 5,
// as a vendor's project would be), installed here on first use.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Validator } from "@seriousme/openapi-schema-validator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "../../scripts/local-setup.mjs";
import { startLocalService, type LocalService } from "../sdk/local-service";

const CLIENT = join(ROOT, "test", "openapi-client");

let service: LocalService;
let document: Record<string, any>;

beforeAll(async () => {
  installClientProject();
  service = await startLocalService();
  document = (await (await fetch(`${service.baseUrl}/api/openapi.json`)).json()) as Record<string, any>;
});

afterAll(async () => {
  await service?.stop();
});

/** npm ci in the client project, unless it was installed from the same lock already. */
function installClientProject(): void {
  const stamp = join(CLIENT, "node_modules", ".installed-from-lock");
  const lock = createHash("sha256")
    .update(readFileSync(join(CLIENT, "package-lock.json")))
    .digest("hex");
  if (existsSync(stamp) && readFileSync(stamp, "utf8").trim() === lock) return;
  const npm = process.env.npm_execpath;
  const args = ["ci", "--no-audit", "--no-fund", "--loglevel=error"];
  if (npm) execFileSync(process.execPath, [npm, ...args], { cwd: CLIENT, stdio: "inherit" });
  else execFileSync("npm", args, { cwd: CLIENT, stdio: "inherit", shell: process.platform === "win32" });
  writeFileSync(stamp, `${lock}\n`);
}

/** Runs one of the client project's tools; a failure shows what it printed. */
function runClientTool(script: string, args: string[]): void {
  try {
    execFileSync(process.execPath, [join(CLIENT, "node_modules", script), ...args], { cwd: CLIENT, encoding: "utf8", stdio: "pipe" });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`${script} failed:\n${stdout ?? ""}${stderr ?? ""}`);
  }
}

/** What the test uses of test/openapi-client/vendor-script.ts (its own types come from the generated client). */
interface VendorScript {
  managementClient(serverUrl: string, managementKey: string): unknown;
  issueLicense(
    client: unknown,
    shortCode: string,
  ): Promise<{
    product: { id: number; short_code: string };
    feature: { consumption_period: string | null };
    license: { id: number; customer: { company_name: string } | null };
  }>;
  listLicenses(client: unknown, productId: number): Promise<Array<{ id: number }>>;
  missingLicenseCode(client: unknown): Promise<string | undefined>;
}

describe("GET /api/openapi.json", () => {
  it("validates against the OpenAPI 3.1 schema", async () => {
    const validator = new Validator();
    const result = await validator.validate(document);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe("3.1");
  });

  it("generates a TypeScript client that type-checks a vendor's script, which then issues and lists licenses", async () => {
    expect(document.servers).toEqual([{ url: service.baseUrl }]);
    const documentFile = join(service.stateDir, "openapi.json");
    writeFileSync(documentFile, JSON.stringify(document));
    mkdirSync(join(CLIENT, "generated"), { recursive: true });
    runClientTool("openapi-typescript/bin/cli.js", [documentFile, "--output", join(CLIENT, "generated", "api.ts")]);
    // The script's @ts-expect-error lines must each be an error: integer ids and limits, typed bodies, enums.
    runClientTool("typescript/bin/tsc", ["-p", CLIENT]);

    // Imported by path: the script's types exist only once the client is generated, so the
    // project's own type-check (which runs first, on a fresh clone) must not follow it.
    const script = (await import(join(CLIENT, "vendor-script.ts"))) as VendorScript;
    const client = script.managementClient(document.servers[0].url, service.managementKey);
    const shortCode = `client-${crypto.randomUUID().slice(0, 8)}`;
    const { product, feature, license } = await script.issueLicense(client, shortCode);
    expect(product.short_code).toBe(shortCode);
    expect(feature.consumption_period).toBe("monthly");
    expect(license.customer?.company_name).toBe("ACME");
    const second = await script.issueLicense(client, `${shortCode}-2`);
    expect((await script.listLicenses(client, product.id)).map((listed) => listed.id)).toEqual([license.id]);
    expect((await script.listLicenses(client, second.product.id)).map((listed) => listed.id)).toEqual([second.license.id]);
    expect(await script.missingLicenseCode(client)).toBe("not_found");
  });
});
