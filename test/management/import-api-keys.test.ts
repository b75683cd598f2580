// POST /api/v1/import/api-keys: clients keep their api key and shared key.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { postSigned, signedBody } from "../support/client";
import { importError, importOk, importProduct, importRows, licenseSpringId, licenseSpringSharedKey } from "../support/import-client";
import { manageOk, uniqueCode } from "../support/management-client";

const countKeys = async (apiKey: string) =>
  (await env.DB.prepare("SELECT COUNT(*) AS n FROM api_keys WHERE api_key = ?").bind(apiKey).first<number>("n")) ?? 0;

describe("POST /api/v1/import/api-keys", () => {
  it("imports keys that sign License API requests at once, with their company, products and read-only state", async () => {
    const product = await importProduct();
    const other = await importProduct();
    const licenseKey = uniqueCode("KEY");
    await importOk("licenses", [{ id: licenseSpringId(), product: product.short_code, license_key: licenseKey }]);
    const rows = [
      { api_key: uniqueCode("ls-key"), shared_key: licenseSpringSharedKey() },
      { api_key: uniqueCode("ls-key"), shared_key: licenseSpringSharedKey(), product_ids: [other.id] },
      { api_key: uniqueCode("ls-key"), shared_key: licenseSpringSharedKey(), read_only: true, company_id: 1 },
    ];
    const summary = await importOk("api-keys", rows);
    expect(summary).toEqual({
      kind: "api_keys",
      rows: 3,
      results: rows.map((row, i) => ({ row: i + 1, id: expect.any(Number), api_key: row.api_key })),
    });

    const listed = await manageOk("GET", "/api/v1/api-keys?limit=200");
    const byKey = (apiKey: string) => listed.data.find((key: { api_key: string }) => key.api_key === apiKey);
    expect(byKey(rows[0]!.api_key)).toMatchObject({ company_id: 1, product_ids: null, read_only: false, revoked: false });
    expect(byKey(rows[1]!.api_key)).toMatchObject({ product_ids: [other.id] });
    expect(byKey(rows[2]!.api_key)).toMatchObject({ read_only: true });

    // The License API accepts requests signed with the imported shared key, as the SDK signs them.
    const check = (row: (typeof rows)[number], id: number) =>
      postSigned(
        "/api/v4/activate_license",
        { product: product.short_code, license_key: licenseKey, hardware_id: uniqueCode("hw") },
        { id, apiKey: row.api_key, sharedKey: row.shared_key },
      );
    expect((await signedBody(await check(rows[0]!, summary.results[0].id))).license_key).toBe(licenseKey);
    expect(await (await check(rows[1]!, summary.results[1].id)).json()).toMatchObject({ code: "api_key_product_not_allowed" });
    expect(await (await check(rows[2]!, summary.results[2].id)).json()).toMatchObject({ code: "read_only_api_key" });
  });

  it("a retry changes nothing and answers the same; a key already here keeps its own settings", async () => {
    const row = { api_key: uniqueCode("ls-key"), shared_key: licenseSpringSharedKey() };
    const first = await importOk("api-keys", [row]);
    await manageOk("POST", `/api/v1/api-keys/${first.results[0].id}/revoke`);
    const again = await importOk("api-keys", [row], { format: "ndjson" });
    expect(again).toEqual(first);
    expect(await countKeys(row.api_key)).toBe(1);
    // The import did not undo the revocation.
    const listed = await manageOk("GET", "/api/v1/api-keys?limit=200");
    expect(listed.data.find((key: { api_key: string }) => key.api_key === row.api_key)).toMatchObject({ revoked: true });
  });

  it("a key already here with another shared key is a bad row: clients would fail to sign", async () => {
    const row = { api_key: uniqueCode("ls-key"), shared_key: licenseSpringSharedKey() };
    await importOk("api-keys", [row]);
    const fresh = { api_key: uniqueCode("ls-key"), shared_key: licenseSpringSharedKey() };
    const error = await importError(await importRows("api-keys", [fresh, { ...row, shared_key: licenseSpringSharedKey() }]));
    expect(error.code).toBe("validation_error");
    expect(error.errors).toEqual([
      { row: 2, field: "shared_key", message: "this api_key is already here with another shared_key; the stored key is left as it is" },
    ]);
    expect(error.message).not.toContain(row.shared_key);
    expect(await countKeys(fresh.api_key)).toBe(0);
  });

  it("product_ids must be products of the key's company; a key repeated in the file is a bad row", async () => {
    const product = await importProduct();
    const key = uniqueCode("ls-key");
    const sharedKey = licenseSpringSharedKey();
    const error = await importError(
      await importRows("api-keys", [
        { api_key: key, shared_key: sharedKey, company_id: 7, product_ids: [product.id] },
        { api_key: uniqueCode("ls-key"), shared_key: licenseSpringSharedKey(), product_ids: [product.id, 987654321] },
        { api_key: key, shared_key: sharedKey },
      ]),
    );
    expect(error.errors).toEqual([
      { row: 1, field: "product_ids", message: `${product.id} is not a product of company 7` },
      { row: 2, field: "product_ids", message: "987654321 is not a product of company 1" },
      { row: 3, field: "api_key", message: "repeats row 1" },
    ]);
    expect(await countKeys(key)).toBe(0);
  });

  it("a shared key shorter than 32 characters is a bad row, and no request signed with it is accepted", async () => {
    const product = await importProduct();
    const licenseKey = uniqueCode("KEY");
    await importOk("licenses", [{ id: licenseSpringId(), product: product.short_code, license_key: licenseKey }]);
    const short = [
      { api_key: uniqueCode("ls-key"), shared_key: "k" },
      { api_key: uniqueCode("ls-key"), shared_key: "x".repeat(31) },
    ];
    const error = await importError(await importRows("api-keys", short));
    expect(error.code).toBe("validation_error");
    expect(error.errors).toEqual([
      { row: 1, field: "shared_key", message: "shared_key must be at least 32 characters" },
      { row: 2, field: "shared_key", message: "shared_key must be at least 32 characters" },
    ]);
    for (const row of short) expect(await countKeys(row.api_key)).toBe(0);
    const signedWithShort = await postSigned(
      "/api/v4/activate_license",
      { product: product.short_code, license_key: licenseKey, hardware_id: uniqueCode("hw") },
      { id: 0, apiKey: short[0]!.api_key, sharedKey: short[0]!.shared_key },
    );
    expect(await signedWithShort.json()).toMatchObject({ code: "invalid_api_key" });

    // 32 characters, as the keys made here: imported.
    const enough = { api_key: uniqueCode("ls-key"), shared_key: licenseSpringSharedKey().slice(0, 32) };
    expect((await importOk("api-keys", [enough])).rows).toBe(1);
  });
});
