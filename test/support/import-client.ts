// Calls the bulk import endpoints (/api/v1/import/...) as a vendor's migration script would:
// rows as a JSON array or as NDJSON, and reads their answers and row-numbered errors.
import { expect } from "vitest";
import { manage, manageOk, uniqueCode } from "./management-client";

export type ImportKind = "api-keys" | "licenses" | "devices" | "totals";

export interface RowError {
  row: number;
  field: string | null;
  message: string;
}

/** Sends `rows` as a JSON array (default) or as NDJSON (one row per line), or `raw` text as is. */
export function importRows(
  kind: ImportKind,
  rows: unknown[],
  options: { format?: "json" | "ndjson"; raw?: string; contentType?: string } = {},
): Promise<Response> {
  const format = options.format ?? "json";
  const body = options.raw ?? (format === "json" ? JSON.stringify(rows) : rows.map((row) => JSON.stringify(row)).join("\n") + "\n");
  const contentType = options.contentType ?? (format === "json" ? "application/json" : "application/x-ndjson");
  return manage("POST", `/api/v1/import/${kind}`, undefined, { rawBody: body, headers: { "Content-Type": contentType } });
}

/** An import that must succeed: its summary. */
export async function importOk<T = any>(kind: ImportKind, rows: unknown[], options: { format?: "json" | "ndjson" } = {}): Promise<T> {
  const response = await importRows(kind, rows, options);
  const text = await response.text();
  expect(response.status, `import ${kind} → ${response.status} ${text}`).toBe(200);
  return JSON.parse(text) as T;
}

/** A failed import: the error body, checked to be {status, code, message} plus `errors` when rows were at fault. */
export async function importError(response: Response): Promise<{ status: number; code: string; message: string; errors?: RowError[] }> {
  const body = (await response.json()) as { status: number; code: string; message: string; errors?: RowError[] };
  expect(Object.keys(body).sort()).toEqual(body.errors ? ["code", "errors", "message", "status"] : ["code", "message", "status"]);
  expect(body.status).toBe(response.status);
  expect(body.message).not.toBe("");
  return body;
}

/** A product made through the management API (company 1), with features and custom fields. */
export async function importProduct(
  options: {
    authorizationMethod?: "license-key" | "user";
    features?: Array<Record<string, unknown>>;
    customFields?: string[];
  } = {},
): Promise<{ id: number; short_code: string; features: string[] }> {
  const product = await manageOk("POST", "/api/v1/products", {
    short_code: uniqueCode("import"),
    name: "Imported product",
    authorization_method: options.authorizationMethod ?? "license-key",
  });
  const features: string[] = [];
  for (const feature of options.features ?? [{ max_consumption: 100 }]) {
    const code = uniqueCode("feature");
    await manageOk("POST", `/api/v1/products/${product.id}/features`, { code, name: code, ...feature });
    features.push(code);
  }
  for (const name of options.customFields ?? []) {
    await manageOk("POST", `/api/v1/products/${product.id}/custom-fields`, { name, data_type: "text", default_value: "default" });
  }
  return { id: product.id, short_code: product.short_code, features };
}

let nextLicenseId = 1_593_781_720_000_000 + Math.floor(Math.random() * 1_000_000) * 1000;
/** A fresh LicenseSpring-style license id (16 digits). */
export const licenseSpringId = () => ++nextLicenseId;

/** A fresh shared key shaped like LicenseSpring's (40 letters and digits). */
export const licenseSpringSharedKey = () =>
  Array.from(
    crypto.getRandomValues(new Uint8Array(40)),
    (byte) => "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"[byte % 62],
  ).join("");
