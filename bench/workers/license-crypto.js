// The per-request cryptography every License API answer needs, shared by the crypto floor and the
// design floor so that both pay exactly the same: one HMAC-SHA256 verification of the request's
// Authorization signature over its Date header (key imported once per isolate, as
// src/auth/request-signature.ts) and one RSASSA-PKCS1-v1_5 / SHA-256 signature with a 2048-bit key
// (imported once per isolate, as src/auth/response-signing.ts) over the answer's body.

const encoder = new TextEncoder();
const RSA_SIGN = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" };
const SIGNATURE_PARAM = /signature="([^"]*)"/;

/** @type {Promise<CryptoKey> | null} */
let hmacKey = null;
/** @type {Promise<CryptoKey> | null} */
let rsaKey = null;

/** @param {string} text */
function base64ToBytes(text) {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** @param {Uint8Array} bytes */
function bytesToBase64(bytes) {
  let binary = "";
  for (let i = 0; i < bytes.length; i++) binary += String.fromCharCode(/** @type {number} */ (bytes[i]));
  return btoa(binary);
}

/** @param {string} pem */
function pemToDer(pem) {
  return base64ToBytes(
    pem
      .replace(/\\n/g, "\n")
      .replace(/-----(BEGIN|END) [A-Z ]+-----/g, "")
      .replace(/\s+/g, ""),
  );
}

/**
 * @typedef {{ SHARED_KEY: string, LICENSE_SIGNING_KEY: string }} CryptoEnv
 */

/** True if the request's Authorization HMAC over its Date header verifies. @param {Request} request @param {CryptoEnv} env */
export async function verifyRequest(request, env) {
  hmacKey ??= crypto.subtle.importKey("raw", encoder.encode(env.SHARED_KEY), { name: "HMAC", hash: "SHA-256" }, false, ["verify"]);
  const match = SIGNATURE_PARAM.exec(request.headers.get("Authorization") ?? "");
  const date = request.headers.get("Date") ?? "";
  return (
    match !== null &&
    (await crypto.subtle.verify(
      "HMAC",
      await hmacKey,
      base64ToBytes(/** @type {string} */ (match[1])),
      encoder.encode(`licenseSpring\ndate: ${date}`),
    ))
  );
}

/** A 400 like the service's for a signature that does not verify (the bench counts it as an error). */
export function badSignature() {
  return new Response('{"status":400,"code":"signature_mismatch","message":"bad signature"}', {
    status: 400,
    headers: { "Content-Type": "application/json" },
  });
}

/** The body of an add_feature_consumption answer (the fields the service sends), with `total`. @param {number} total */
export function consumptionAnswer(total) {
  return JSON.stringify({ id: 1, license_id: 1, company: { id: 1 }, total_consumptions: total, max_consumptions: 0, ...UNLIMITED });
}

/** The rule and floating fields of an unlimited, non-floating counter, as the service answers them. */
const UNLIMITED = {
  allow_unlimited_consumptions: true,
  allow_negative_consumptions: false,
  allow_overages: false,
  max_overages: 0,
  reset_consumption: false,
  consumption_period: null,
  is_floating: false,
  is_floating_cloud: false,
};

/**
 * The body of a check_license answer shaped like the service's (the license object the SDK stores),
 * with one feature object per `features` entry.
 * @param {Array<{ code: string, total: number }>} features @param {string} licenseSignature
 */
export function licenseAnswer(features, licenseSignature) {
  return JSON.stringify({
    id: 1,
    license_key: "BENCH",
    license_type: "perpetual",
    license_active: true,
    license_enabled: true,
    is_expired: false,
    validity_period: null,
    max_activations: 1,
    times_activated: 1,
    allow_unlimited_activations: false,
    is_floating: false,
    is_floating_cloud: false,
    floating_users: 0,
    floating_timeout: 120,
    metadata: {},
    customer: { email: "", first_name: "", last_name: "", company_name: "", phone: "", reference: "", metadata: {} },
    product_details: { product_id: 1, product_name: "Benchmark", short_code: "bench", authorization_method: "license-key", metadata: {} },
    custom_fields: [],
    product_features: features.map((feature, i) => ({
      id: i + 1,
      code: feature.code,
      name: feature.code,
      feature_type: "consumption",
      expiry_date: null,
      metadata: {},
      floating_users: 0,
      floating_timeout: 120,
      max_consumption: 0,
      total_consumptions: feature.total,
      ...UNLIMITED,
    })),
    license_signature: licenseSignature,
  });
}

/**
 * A license object's `license_signature`, which the protocol asks of every check (RSA-2048 over
 * hardware id, key and validity, as src/auth/response-signing.ts): a second signature per check.
 * @param {string} text @param {CryptoEnv} env
 */
export async function signText(text, env) {
  rsaKey ??= crypto.subtle.importKey("pkcs8", pemToDer(env.LICENSE_SIGNING_KEY), RSA_SIGN, false, ["sign"]);
  return bytesToBase64(new Uint8Array(await crypto.subtle.sign(RSA_SIGN, await rsaKey, encoder.encode(text))));
}

/** `body` as a JSON response signed like the service's (LicenseSignature header). @param {string} body @param {CryptoEnv} env */
export async function signedResponse(body, env) {
  rsaKey ??= crypto.subtle.importKey("pkcs8", pemToDer(env.LICENSE_SIGNING_KEY), RSA_SIGN, false, ["sign"]);
  const signature = await crypto.subtle.sign(RSA_SIGN, await rsaKey, encoder.encode(body));
  return new Response(body, {
    headers: { "Content-Type": "application/json", LicenseSignature: bytesToBase64(new Uint8Array(signature)) },
  });
}
