// Every id the API answers is exact in JSON (at most 2^53 - 1). Imports keep LicenseSpring's
// license ids, and a license issued here takes the next id after the largest: an import stops
// at 9 × 10^15 so that issuing has room, and a license that would pass 2^53 - 1 is refused rather
// than answered under a rounded id that names another license.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { MAX_IMPORTED_LICENSE_ID } from "../../src/models/import-rows";
import { postSigned, signedBody } from "../support/client";
import { importError, importOk, importProduct, importRows } from "../support/import-client";
import { manage, manageOk, managementError } from "../support/management-client";

const MAX_EXACT = Number.MAX_SAFE_INTEGER; // 9007199254740991

const licenseCount = async () => (await env.DB.prepare("SELECT COUNT(*) AS n FROM licenses").first<number>("n")) ?? 0;

describe("license ids stay exact in JSON", () => {
  it("an import keeps ids up to 9 × 10^15 and refuses larger ones, naming the row", async () => {
    const product = await importProduct();
    const error = await importError(
      await importRows("licenses", [
        { id: MAX_IMPORTED_LICENSE_ID, product: product.short_code, license_key: "KEY-AT-CEILING" },
        { id: MAX_IMPORTED_LICENSE_ID + 1, product: product.short_code, license_key: "KEY-PAST-CEILING" },
        { id: MAX_EXACT, product: product.short_code, license_key: "KEY-AT-2-53" },
      ]),
    );
    expect(error.code).toBe("validation_error");
    expect(error.errors!.map(({ row, field }) => [row, field])).toEqual([
      [2, "id"],
      [3, "id"],
    ]);
    expect(error.errors![0]!.message).toBe(
      `id must be at most ${MAX_IMPORTED_LICENSE_ID}: larger ids leave no room for the ids of licenses issued here (docs/migration.md)`,
    );

    await importOk("licenses", [{ id: MAX_IMPORTED_LICENSE_ID, product: product.short_code, license_key: "KEY-AT-CEILING" }]);
    const issued = await manageOk("POST", "/api/v1/licenses", { product_id: product.id });
    expect(issued.id).toBe(MAX_IMPORTED_LICENSE_ID + 1);
    expect(await manageOk("GET", `/api/v1/licenses/${issued.id}`)).toMatchObject({ id: issued.id, license_key: issued.license_key });
  });

  it("issuing next to 2^53 - 1 answers the last exact id, then refuses (conflict) instead of reusing a rounded one; clients name it exactly", async () => {
    const product = await manageOk("POST", "/api/v1/products", { short_code: "near-2-53", name: "P" });
    // A license imported with an id near 2^53 before imports stopped at 9 × 10^15.
    await env.DB.prepare("INSERT INTO licenses (id, product_id, license_key) VALUES (?, ?, ?)")
      .bind(MAX_EXACT - 1, product.id, "IMPORTED-NEAR-2-53")
      .run();

    const last = await manageOk("POST", "/api/v1/licenses", { product_id: product.id });
    expect(last.id).toBe(MAX_EXACT);
    expect(await manageOk("GET", `/api/v1/licenses/${MAX_EXACT}`)).toMatchObject({ id: MAX_EXACT, license_key: last.license_key });

    const before = await licenseCount();
    const refused = await manage("POST", "/api/v1/licenses", { product_id: product.id });
    const error = await managementError(refused);
    expect([error.status, error.code]).toEqual([409, "conflict"]);
    expect(error.message).toContain("2^53");
    expect(await licenseCount()).toBe(before);
    // The last license is still itself, under its own key.
    expect(await manageOk("GET", `/api/v1/licenses/${MAX_EXACT}`)).toMatchObject({ id: MAX_EXACT, license_key: last.license_key });

    // A client names it by license_id and gets it; one past 2^53 - 1, which JSON cannot tell from
    // 2^53, is refused, not rounded onto it.
    const created = await manageOk("POST", "/api/v1/api-keys", {});
    const credentials = { id: created.id, apiKey: created.api_key, sharedKey: created.shared_key };
    const identity = { product: product.short_code, license_key: last.license_key, hardware_id: "device-at-2-53" };
    const activated = await signedBody(await postSigned("/api/v4/activate_license", { ...identity, license_id: MAX_EXACT }, credentials));
    expect(activated).toMatchObject({ id: MAX_EXACT, license_key: last.license_key });
    const rounded = await postSigned("/api/v4/activate_license", { ...identity, license_id: MAX_EXACT + 1 }, credentials);
    expect(rounded.status).toBe(400);
    expect(await rounded.json()).toMatchObject({ code: "validation_error" });
  });
});
