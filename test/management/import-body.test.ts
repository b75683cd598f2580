// The bodies of bulk imports: a JSON array or NDJSON, within 2 MiB and 500 rows, each row numbered
// in errors (its array position, or its line), and one bad row imports nothing.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { MAX_IMPORT_BYTES, MAX_IMPORT_ROWS } from "../../src/http/read-import-body";
import { importError, importOk, importRows, licenseSpringSharedKey } from "../support/import-client";
import { uniqueCode } from "../support/management-client";

const apiKeyRow = () => ({ api_key: uniqueCode("imported-key"), shared_key: licenseSpringSharedKey() });
const storedKeys = async (keys: string[]) =>
  (await env.DB.prepare("SELECT COUNT(*) AS n FROM api_keys k JOIN json_each(?) r ON r.value = k.api_key")
    .bind(JSON.stringify(keys))
    .first<number>("n")) ?? 0;

describe("import bodies", () => {
  it("takes a JSON array (rows numbered from 1) and NDJSON (rows numbered by line, blank lines counted)", async () => {
    const array = [apiKeyRow(), apiKeyRow()];
    const fromArray = await importOk("api-keys", array);
    expect(fromArray.results.map((result: { row: number }) => result.row)).toEqual([1, 2]);

    const lines = [apiKeyRow(), apiKeyRow()];
    const raw = `\n${JSON.stringify(lines[0])}\r\n\n${JSON.stringify(lines[1])}`;
    const response = await importRows("api-keys", [], { raw, contentType: "application/x-ndjson" });
    expect(response.status, await response.clone().text()).toBe(200);
    const fromLines = (await response.json()) as { rows: number; results: Array<{ row: number; api_key: string }> };
    expect(fromLines.rows).toBe(2);
    expect(fromLines.results.map((result) => [result.row, result.api_key])).toEqual([
      [2, lines[0]!.api_key],
      [4, lines[1]!.api_key],
    ]);
    expect(await storedKeys([...array, ...lines].map((row) => row.api_key))).toBe(4);
  });

  it("names every bad row by number and field, and imports none of the good ones", async () => {
    const good = [apiKeyRow(), apiKeyRow()];
    const rows = [good[0], { api_key: uniqueCode("k") }, good[1], { ...apiKeyRow(), read_only: "yes", extra: 1 }];
    const error = await importError(await importRows("api-keys", rows));
    expect(error).toMatchObject({ status: 400, code: "validation_error" });
    expect(error.errors).toEqual([
      { row: 2, field: "shared_key", message: "shared_key is required" },
      { row: 4, field: "read_only", message: 'expected true or false, got the string "yes"' },
      { row: 4, field: null, message: 'Unrecognized key "extra"' },
    ]);
    expect(error.message).toMatch(/^2 rows are invalid; nothing was imported: row 2: shared_key is required; row 4: read_only: expected /);
    expect(await storedKeys(good.map((row) => row.api_key))).toBe(0);
  });

  it("an NDJSON line that is not JSON, or a row that is not an object, is a bad row", async () => {
    const good = apiKeyRow();
    const raw = [JSON.stringify(good), "{not json", "[1,2]", "42"].join("\n");
    const error = await importError(await importRows("api-keys", [], { raw, contentType: "application/x-ndjson" }));
    expect(error.errors).toEqual([
      { row: 2, field: null, message: "this line is not valid JSON" },
      { row: 3, field: null, message: "a row must be a JSON object" },
      { row: 4, field: null, message: "a row must be a JSON object" },
    ]);
    expect(await storedKeys([good.api_key])).toBe(0);
  });

  it("a row over 64 KiB, or with a lone surrogate, is a bad row", async () => {
    const huge = { ...apiKeyRow(), shared_key: "x".repeat(70_000) };
    const surrogate = `{"api_key":"${uniqueCode("k")}","shared_key":"\\ud800"}`;
    const raw = `[${JSON.stringify(huge)},${surrogate}]`;
    const error = await importError(await importRows("api-keys", [], { raw }));
    expect(error.errors).toEqual([
      { row: 1, field: null, message: "a row may be at most 65536 bytes of JSON" },
      { row: 2, field: null, message: expect.stringContaining("well-formed Unicode") },
    ]);
  });

  it("answers invalid_content_type, invalid_json, validation_error and body_too_large for bodies it cannot take", async () => {
    const cases: Array<[string, Parameters<typeof importRows>[2], number, string]> = [
      ["text/csv", { raw: "api_key,shared_key\n", contentType: "text/csv" }, 400, "invalid_content_type"],
      ["no content type", { raw: "[]", contentType: "" }, 400, "invalid_content_type"],
      ["broken JSON array", { raw: "[{", contentType: "application/json" }, 400, "invalid_json"],
      ["an object, not an array", { raw: JSON.stringify(apiKeyRow()), contentType: "application/json" }, 400, "validation_error"],
      ["an empty array", { raw: "[]", contentType: "application/json" }, 400, "validation_error"],
      ["blank NDJSON", { raw: "\n\n", contentType: "application/x-ndjson" }, 400, "validation_error"],
      ["not UTF-8", { raw: undefined, contentType: "application/json" }, 400, "invalid_json"],
    ];
    for (const [what, options, status, code] of cases) {
      const response =
        options?.raw === undefined ? await fetchRaw(new Uint8Array([0x5b, 0xff, 0x5d])) : await importRows("api-keys", [], options);
      const error = await importError(response);
      expect([error.status, error.code], what).toEqual([status, code]);
    }
  });

  it(`refuses more than ${MAX_IMPORT_ROWS} rows and more than ${MAX_IMPORT_BYTES} bytes (body_too_large), naming the limits`, async () => {
    const tooMany = Array.from({ length: MAX_IMPORT_ROWS + 1 }, () => ({ api_key: "k", shared_key: "s" }));
    const rows = await importError(await importRows("api-keys", tooMany));
    expect(rows).toMatchObject({ status: 400, code: "body_too_large" });
    expect(rows.message).toContain(`${MAX_IMPORT_ROWS + 1} rows`);
    expect(rows.message).toContain(`${MAX_IMPORT_ROWS} rows per call`);

    const big = JSON.stringify([{ api_key: "k", shared_key: "x".repeat(MAX_IMPORT_BYTES) }]);
    const bytes = await importError(await importRows("api-keys", [], { raw: big }));
    expect(bytes).toMatchObject({ status: 400, code: "body_too_large" });
    expect(bytes.message).toContain(`${MAX_IMPORT_BYTES} bytes`);
  });

  it("exactly 500 rows are taken", async () => {
    const rows = Array.from({ length: MAX_IMPORT_ROWS }, apiKeyRow);
    const summary = await importOk("api-keys", rows, { format: "ndjson" });
    expect(summary.rows).toBe(MAX_IMPORT_ROWS);
    expect(await storedKeys(rows.map((row) => row.api_key))).toBe(MAX_IMPORT_ROWS);
  });
});

async function fetchRaw(body: Uint8Array): Promise<Response> {
  const { callWorker } = await import("../support/client");
  return callWorker("/api/v1/import/api-keys", {
    method: "POST",
    headers: { Authorization: `Api-Key ${env.MANAGEMENT_KEY}`, "Content-Type": "application/json" },
    body,
  });
}
