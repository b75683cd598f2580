// Test helpers: real rows in the real (local) D1, real signed requests through the Worker.
import { env, exports } from "cloudflare:workers";
import { hashPassword } from "../src/auth/password";
import { computeSignature, decodeBase64 } from "../src/auth/request-signature";
import { featureCounter } from "../src/counters";
import type { ConsumptionPeriod } from "../src/consumption-rules";

let sequence = 0;
const unique = (prefix: string) => `${prefix}-${++sequence}-${crypto.randomUUID().slice(0, 8)}`;

export interface Credentials {
  id: number;
  apiKey: string;
  sharedKey: string;
}

export async function createApiKey(options: { revoked?: boolean; readOnly?: boolean } = {}): Promise<Credentials> {
  const apiKey = unique("api");
  const sharedKey = unique("shared");
  const result = await env.DB.prepare("INSERT INTO api_keys (api_key, shared_key, revoked, read_only) VALUES (?, ?, ?, ?) RETURNING id")
    .bind(apiKey, sharedKey, options.revoked ? 1 : 0, options.readOnly ? 1 : 0)
    .first<{ id: number }>();
  return { id: result!.id, apiKey, sharedKey };
}

export interface FeatureOptions {
  featureType?: "consumption" | "activation";
  maxConsumption?: number;
  allowUnlimitedConsumptions?: boolean;
  allowOverages?: boolean;
  maxOverages?: number;
  allowNegativeConsumptions?: boolean;
  resetConsumption?: boolean;
  consumptionPeriod?: ConsumptionPeriod | null;
  expiryDate?: string | null;
}

export interface LicenseOptions {
  licenseType?: "perpetual" | "time-limited" | "consumption" | "subscription";
  maxConsumptions?: number;
  allowUnlimitedConsumptions?: boolean;
  allowOverages?: boolean;
  maxOverages?: number;
  allowNegativeConsumptions?: boolean;
  resetConsumption?: boolean;
  consumptionPeriod?: ConsumptionPeriod | null;
  maxActivations?: number;
  allowUnlimitedActivations?: boolean;
}

export interface FixtureOptions {
  authorizationMethod?: "license-key" | "user";
  /** The license user's password (user-based products). */
  password?: string;
  /** No device at all: clients must activate one. */
  noDevice?: boolean;
  license?: LicenseOptions;
  licenseEnabled?: boolean;
  licenseActive?: boolean;
  validityPeriod?: string | null;
  deviceActive?: boolean;
  deviceBlacklisted?: boolean;
  /** Put the feature on the product but not on the license. */
  featureNotOnLicense?: boolean;
  feature?: FeatureOptions;
}

export interface Fixture {
  productCode: string;
  licenseId: number;
  licenseKey: string | null;
  username: string | null;
  hardwareId: string;
  featureCode: string;
  licenseFeatureId: number;
  /** The identity fields every request body needs. */
  identity: Record<string, string>;
}

const flag = (value: boolean | undefined) => (value ? 1 : 0);

/** A product with one feature, one license carrying it, and one device: each with unique names. */
export async function createFixture(options: FixtureOptions = {}): Promise<Fixture> {
  const method = options.authorizationMethod ?? "license-key";
  const productCode = unique("product");
  const featureCode = unique("feature");
  const hardwareId = unique("hw");
  const feature = options.feature ?? {};
  const product = await env.DB.prepare("INSERT INTO products (short_code, name, authorization_method, company_id) VALUES (?, ?, ?, 7) RETURNING id")
    .bind(productCode, productCode, method)
    .first<{ id: number }>();
  const productFeature = await env.DB.prepare(
    `INSERT INTO product_features (product_id, code, name, feature_type, max_consumption, allow_unlimited_consumptions, allow_overages,
       max_overages, allow_negative_consumptions, reset_consumption, consumption_period) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
  )
    .bind(
      product!.id,
      featureCode,
      featureCode,
      feature.featureType ?? "consumption",
      feature.maxConsumption ?? 10,
      flag(feature.allowUnlimitedConsumptions),
      flag(feature.allowOverages),
      feature.maxOverages ?? 0,
      flag(feature.allowNegativeConsumptions),
      flag(feature.resetConsumption),
      feature.consumptionPeriod ?? null,
    )
    .first<{ id: number }>();
  const licenseKey = method === "license-key" ? unique("KEY") : null;
  const l = options.license ?? {};
  const license = await env.DB.prepare(
    `INSERT INTO licenses (product_id, license_key, enabled, active, validity_period, license_type, max_consumptions, allow_unlimited_consumptions,
       allow_overages, max_overages, allow_negative_consumptions, reset_consumption, consumption_period, max_activations, allow_unlimited_activations)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
  )
    .bind(
      product!.id,
      licenseKey,
      flag(options.licenseEnabled ?? true),
      flag(options.licenseActive ?? true),
      options.validityPeriod ?? null,
      l.licenseType ?? "perpetual",
      l.maxConsumptions ?? 0,
      flag(l.allowUnlimitedConsumptions),
      flag(l.allowOverages),
      l.maxOverages ?? 0,
      flag(l.allowNegativeConsumptions),
      flag(l.resetConsumption),
      l.consumptionPeriod ?? null,
      l.maxActivations ?? 1,
      flag(l.allowUnlimitedActivations),
    )
    .first<{ id: number }>();
  const username = method === "user" ? `${unique("user")}@example.com` : null;
  if (username) {
    const passwordHash = options.password === undefined ? null : await hashPassword(options.password, 1000);
    await env.DB.prepare("INSERT INTO license_users (license_id, username, password_hash) VALUES (?, ?, ?)").bind(license!.id, username, passwordHash).run();
  }
  let licenseFeatureId = -1;
  if (!options.featureNotOnLicense) {
    const row = await env.DB.prepare("INSERT INTO license_features (license_id, product_feature_id, expiry_date) VALUES (?, ?, ?) RETURNING id")
      .bind(license!.id, productFeature!.id, feature.expiryDate ?? null)
      .first<{ id: number }>();
    licenseFeatureId = row!.id;
  }
  if (!options.noDevice) {
    await env.DB.prepare("INSERT INTO devices (license_id, hardware_id, active, blacklisted) VALUES (?, ?, ?, ?)")
      .bind(license!.id, hardwareId, flag(options.deviceActive ?? true), flag(options.deviceBlacklisted))
      .run();
  }
  const identity: Record<string, string> = { product: productCode, hardware_id: hardwareId };
  if (licenseKey) identity.license_key = licenseKey;
  if (username) identity.username = username;
  return { productCode, licenseId: license!.id, licenseKey, username, hardwareId, featureCode, licenseFeatureId, identity };
}

/** The Authorization and Date headers a client sends (PROTOCOL.md section 1). */
export async function authHeaders(credentials: Pick<Credentials, "apiKey" | "sharedKey">, date = new Date()): Promise<Record<string, string>> {
  const dateHeader = date.toUTCString();
  const signature = await computeSignature(credentials.sharedKey, dateHeader);
  return {
    Date: dateHeader,
    Authorization: `algorithm="hmac-sha256",headers="date",signature="${signature}",apikey="${credentials.apiKey}"`,
  };
}

export function callWorker(path: string, init: RequestInit): Promise<Response> {
  return exports.default.fetch(new Request(`http://license.test${path}`, init));
}

export async function postSigned(path: string, body: unknown, credentials: Credentials, extraHeaders: Record<string, string> = {}): Promise<Response> {
  return callWorker(path, {
    method: "POST",
    headers: { ...(await authHeaders(credentials)), "Content-Type": "application/json", ...extraHeaders },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

export async function getSigned(path: string, query: Record<string, string | number | boolean>, credentials: Credentials): Promise<Response> {
  const search = new URLSearchParams(Object.entries(query).map(([key, value]): [string, string] => [key, String(value)]));
  return callWorker(`${path}?${search}`, { method: "GET", headers: await authHeaders(credentials) });
}

export async function consume(fixture: Fixture, credentials: Credentials, extra: Record<string, unknown> = {}): Promise<Response> {
  return postSigned("/api/v4/add_feature_consumption", { ...fixture.identity, feature: fixture.featureCode, ...extra }, credentials);
}

/** Asserts the documented error body and returns its code. */
export async function errorCode(response: Response): Promise<string> {
  const body = (await response.json()) as { status: number; code: string; message: string };
  if (response.status !== body.status) throw new Error(`status ${response.status} but body.status ${body.status}`);
  if (typeof body.message !== "string" || body.message === "") throw new Error("error without a message");
  if (Object.keys(body).sort().join() !== "code,message,status") throw new Error(`unexpected error body keys: ${Object.keys(body).join()}`);
  return body.code;
}

let publicKey: Promise<CryptoKey> | null = null;

/** The service's public key, fetched from the service as a client would. */
function servicePublicKey(): Promise<CryptoKey> {
  publicKey ??= callWorker("/api/v4/public_key", {}).then(async (response) => {
    const pem = await response.text();
    const der = decodeBase64(pem.replace(/-----[A-Z ]+-----/g, "").replace(/\s+/g, ""))!;
    return crypto.subtle.importKey("spki", der, { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, false, ["verify"]);
  });
  return publicKey;
}

/** Verifies LicenseSignature over the exact body bytes, and that the SDK's re-serialisation matches them. */
export async function signedBody<T = Record<string, unknown>>(response: Response): Promise<T> {
  const text = await response.text();
  if (response.status !== 200) throw new Error(`expected 200, got ${response.status}: ${text}`);
  const signature = decodeBase64(response.headers.get("LicenseSignature") ?? "");
  if (!signature) throw new Error("missing LicenseSignature");
  const ok = await crypto.subtle.verify("RSASSA-PKCS1-v1_5", await servicePublicKey(), signature, new TextEncoder().encode(text));
  if (!ok) throw new Error("LicenseSignature does not verify");
  if (JSON.stringify(JSON.parse(text)) !== text) throw new Error("body is not in JSON.stringify form: the SDK would not verify it");
  return JSON.parse(text) as T;
}

export async function flushAudit(licenseFeatureId: number): Promise<void> {
  await featureCounter(env, licenseFeatureId).flushAudit();
}

export interface AuditRow {
  event_id: string;
  license_id: number;
  license_feature_id: number | null;
  feature_code: string | null;
  hardware_id: string | null;
  consumptions: number;
  total_after: number;
  event: string;
  api_key_id: number | null;
  created_at: string;
}

/** License-level audit rows (license_feature_id NULL) of one license, in order. */
export async function licenseAuditRows(licenseId: number): Promise<AuditRow[]> {
  const { results } = await env.DB.prepare("SELECT * FROM consumption_audit WHERE license_id = ? AND license_feature_id IS NULL ORDER BY id").bind(licenseId).all<AuditRow>();
  return results;
}

export async function auditRows(licenseFeatureId: number) {
  const { results } = await env.DB.prepare("SELECT * FROM consumption_audit WHERE license_feature_id = ? ORDER BY id").bind(licenseFeatureId).all<{
    event_id: string;
    license_id: number;
    license_feature_id: number;
    feature_code: string;
    hardware_id: string;
    consumptions: number;
    total_after: number;
    event: string;
    api_key_id: number;
    created_at: string;
  }>();
  return results;
}
