// Real signed requests through the Worker, and checks of what comes back (error bodies, signatures).
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import worker from "../../src/index";
import { decodeBase64 } from "../../src/base64";
import type { Credentials, Fixture } from "./fixtures";
import { expectDocumentedStatus } from "./documented-responses";
import { authHeaders } from "./signing";

/** A request through the Worker; its answer must be one the OpenAPI document lists (./documented-responses.ts). */
export async function callWorker(path: string, init: RequestInit): Promise<Response> {
  const response = await exports.default.fetch(new Request(`http://license.test${path}`, init));
  expectDocumentedStatus(init.method ?? "GET", path, response.status);
  return response;
}

/**
 * Calls the Worker's fetch handler in this isolate, without the test pool's service-binding hop.
 * Same code, same runtime, same Durable Objects and D1; used where a test sends thousands of
 * requests, because the pool's `exports.default.fetch` slows down with every call in a test.
 */
export async function callWorkerDirect(path: string, init: RequestInit): Promise<Response> {
  const ctx = createExecutionContext();
  const request = new Request(`http://license.test${path}`, init) as Request<unknown, IncomingRequestCfProperties>;
  const response = await worker.fetch(request, env, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

export async function postSigned(
  path: string,
  body: unknown,
  credentials: Credentials,
  extraHeaders: Record<string, string> = {},
): Promise<Response> {
  return callWorker(path, {
    method: "POST",
    headers: { ...(await authHeaders(credentials)), "Content-Type": "application/json", ...extraHeaders },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

export async function getSigned(
  path: string,
  query: Record<string, string | number | boolean>,
  credentials: Credentials,
): Promise<Response> {
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
