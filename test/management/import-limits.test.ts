// An import call at its limits: 500 rows and close to 2 MiB in one D1 transaction, with every JSON
// parameter kept far below D1's 1,000,000-byte limit on one value (local D1 does not enforce that
// limit, so the split itself is checked here directly).
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { jsonChunks } from "../../src/db/json-rows";
import { MAX_IMPORT_BYTES, MAX_IMPORT_ROWS } from "../../src/http/read-import-body";
import { importOk, importProduct, importRows, licenseSpringId } from "../support/import-client";
import { uniqueCode } from "../support/management-client";

const bytes = (text: string) => new TextEncoder().encode(text).byteLength;

describe("import limits", () => {
  it("splits JSON parameters below 500,000 bytes each, multi-byte text included, losing nothing", () => {
    const items = Array.from({ length: 3000 }, (_, i) => ({ i, text: "é€😀".repeat(100 + (i % 50)) }));
    const chunks = jsonChunks(items);
    expect(chunks.length).toBeGreaterThan(3);
    for (const chunk of chunks) expect(bytes(chunk)).toBeLessThanOrEqual(500_000);
    expect(chunks.flatMap((chunk) => JSON.parse(chunk) as unknown[])).toEqual(items);
    expect(jsonChunks([])).toEqual([]);
  });

  it(`imports ${MAX_IMPORT_ROWS} licenses of almost ${MAX_IMPORT_BYTES} bytes in one call, and a retry answers the same`, async () => {
    const product = await importProduct({
      features: [{ max_consumption: 10 }, { max_consumption: 20 }, { feature_type: "activation" }],
      customFields: ["tier"],
    });
    const filler = "x".repeat(3400);
    const rows = Array.from({ length: MAX_IMPORT_ROWS }, (_, i) => ({
      id: licenseSpringId(),
      product: product.short_code,
      license_key: uniqueCode("KEY"),
      metadata: { note: filler, n: i },
      customer: { email: `c${i}@example.com`, company_name: "Acme" },
      custom_fields: { tier: "gold" },
      features: { [product.features[0]!]: { max_consumption: i } },
    }));
    const body = JSON.stringify(rows);
    expect(bytes(body)).toBeGreaterThan(0.85 * MAX_IMPORT_BYTES);
    expect(bytes(body)).toBeLessThan(MAX_IMPORT_BYTES);

    const started = Date.now();
    const response = await importRows("licenses", [], { raw: body });
    const elapsed = Date.now() - started;
    expect(response.status, await response.clone().text()).toBe(200);
    console.log(`import of ${MAX_IMPORT_ROWS} licenses, ${bytes(body)} bytes: ${elapsed} ms (local workerd + D1)`);

    const ids = JSON.stringify(rows.map((row) => row.id));
    const count = (sql: string) =>
      env.DB.prepare(sql)
        .bind(ids)
        .first<number>("n")
        .then((n) => n ?? 0);
    expect(await count("SELECT COUNT(*) AS n FROM licenses WHERE id IN (SELECT value FROM json_each(?))")).toBe(MAX_IMPORT_ROWS);
    expect(await count("SELECT COUNT(*) AS n FROM license_features WHERE license_id IN (SELECT value FROM json_each(?))")).toBe(
      3 * MAX_IMPORT_ROWS,
    );
    expect(await count("SELECT COUNT(DISTINCT customer_id) AS n FROM licenses WHERE id IN (SELECT value FROM json_each(?))")).toBe(
      MAX_IMPORT_ROWS,
    );
    const summary = await response.json();
    expect(await importOk("licenses", rows)).toEqual(summary);
  });
});
