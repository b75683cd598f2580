// Calls the management API (/api/v1) through the Worker, as a vendor's script would, and sets up
// vendor data through it (no SQL): product → feature → license → API key → activated device.
import { env } from "cloudflare:workers";
import { expect } from "vitest";
import { callWorker, postSigned } from "./client";
import type { Credentials } from "./fixtures";

let sequence = 0;
export const uniqueCode = (prefix: string) => `${prefix}-${++sequence}-${crypto.randomUUID().slice(0, 8)}`;

export interface ManageOptions {
  /** The management key to send; null sends no Authorization header. Default: the right key. */
  key?: string | null;
  headers?: Record<string, string>;
  /** A raw body (string) instead of JSON.stringify(body). */
  rawBody?: string;
}

export function manage(method: string, path: string, body?: unknown, options: ManageOptions = {}): Promise<Response> {
  const key = options.key === undefined ? env.MANAGEMENT_KEY : options.key;
  const headers: Record<string, string> = { ...(key === null ? {} : { Authorization: `Api-Key ${key}` }) };
  const hasBody = body !== undefined || options.rawBody !== undefined;
  if (hasBody) headers["Content-Type"] = "application/json";
  return callWorker(path, {
    method,
    headers: { ...headers, ...options.headers },
    body: options.rawBody ?? (body === undefined ? undefined : JSON.stringify(body)),
  });
}

/** A management call that must succeed: returns its JSON body. */
export async function manageOk<T = any>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await manage(method, path, body);
  const text = await response.text();
  expect(response.status, `${method} ${path} → ${response.status} ${text}`).toBeLessThan(300);
  return JSON.parse(text) as T;
}

/** The error body of a failed management call: status and code, after checking its shape. */
export async function managementError(response: Response): Promise<{ status: number; code: string; message: string }> {
  const body = (await response.json()) as { status: number; code: string; message: string };
  expect(Object.keys(body).sort()).toEqual(["code", "message", "status"]);
  expect(body.status).toBe(response.status);
  expect(body.message).not.toBe("");
  return body;
}

export interface VendorSetup {
  product: { id: number; short_code: string };
  featureCode: string;
  license: { id: number; license_key: string; features: Array<{ id: number; code: string }> };
  licenseFeatureId: number;
  credentials: Credentials;
  hardwareId: string;
  deviceId: number;
  /** Body fields of a License API request for this license and device. */
  identity: { product: string; license_key: string; hardware_id: string };
}

/** Everything a vendor does before a client consumes, through the management API; then the client activates. */
export async function vendorSetup(
  feature: Record<string, unknown> = { max_consumption: 100 },
  license: Record<string, unknown> = {},
): Promise<VendorSetup> {
  const product = await manageOk("POST", "/api/v1/products", { short_code: uniqueCode("product"), name: "Product" });
  const featureCode = uniqueCode("feature");
  await manageOk("POST", `/api/v1/products/${product.id}/features`, { code: featureCode, name: "Feature", ...feature });
  const issued = await manageOk("POST", "/api/v1/licenses", { product_id: product.id, max_activations: 5, ...license });
  const created = await manageOk("POST", "/api/v1/api-keys", {});
  const credentials: Credentials = { id: created.id, apiKey: created.api_key, sharedKey: created.shared_key };
  const hardwareId = uniqueCode("hw");
  const identity = { product: product.short_code, license_key: issued.license_key, hardware_id: hardwareId };
  const activation = await postSigned("/api/v4/activate_license", identity, credentials);
  expect(activation.status, await activation.clone().text()).toBe(200);
  const devices = await manageOk("GET", `/api/v1/licenses/${issued.id}/devices`);
  return {
    product,
    featureCode,
    license: issued,
    licenseFeatureId: issued.features.find((f: { code: string }) => f.code === featureCode).id,
    credentials,
    hardwareId,
    deviceId: devices.data[0].id,
    identity,
  };
}

/** add_feature_consumption for the setup's license and device. */
export function consumeAs(setup: VendorSetup, consumptions = 1, credentials: Credentials = setup.credentials): Promise<Response> {
  return postSigned("/api/v4/add_feature_consumption", { ...setup.identity, feature: setup.featureCode, consumptions }, credentials);
}

/** A named management key with `role`, created through the API with the bootstrap key. */
export async function createManagementKey(
  role: "admin" | "support" | "read-only",
  name = uniqueCode(role),
): Promise<{ id: number; name: string; key: string }> {
  const created = await manageOk("POST", "/api/v1/management-keys", { name, role });
  return { id: created.id, name: created.name, key: created.key };
}
