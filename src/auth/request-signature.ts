/**
 * License API request authentication: the pure part (no I/O, no globals but WebCrypto).
 *
 * A client signs every request with its API key's shared key:
 *
 *   Date:          Tue, 07 Jun 2011 20:51:35 GMT
 *   Authorization: algorithm="hmac-sha256",headers="date",signature="<base64>",apikey="<api key>"
 *
 * where signature = base64(HMAC-SHA256(sharedKey, "licenseSpring\ndate: " + <Date header>)).
 * The official SDK writes no spaces after the commas; LicenseSpring's docs do. Both parse here.
 *
 * Everything in this file is deliberately strict and boring: it is the trust boundary.
 */
import { decodeBase64, encodeBase64 } from "../base64";
import { ApiError } from "../errors";

/** How old a Date header may be (LicenseSpring's documented window). */
export const MAX_DATE_AGE_MS = 15 * 60 * 1000;
/** How far in the future a Date header may be: clients' clocks drift, but not by minutes. */
export const MAX_DATE_SKEW_MS = 60 * 1000;

export interface AuthorizationParams {
  algorithm: string;
  headers: string;
  signature: string;
  apikey: string;
}

const PARAM = /^\s*([A-Za-z]+)\s*=\s*"([^"]*)"\s*$/;
const REQUIRED_PARAMS = ["algorithm", "headers", "signature", "apikey"] as const;

/**
 * Parses the Authorization header's `key="value"` list.
 * Missing header or parameters, or a parameter named twice (in any letter case) →
 * authorization_missing_params; a Bearer token → hmac_required
 * (this server implements API-key + HMAC only; docs/protocol.md "Request authentication").
 */
export function parseAuthorization(header: string | null): AuthorizationParams {
  if (header === null || header.trim() === "") throw new ApiError("authorization_missing_params");
  if (/^\s*bearer\s/i.test(header)) {
    throw new ApiError(
      "hmac_required",
      "OAuth bearer tokens are not supported by this server: sign requests with an API key and shared key (hmac-sha256)",
    );
  }
  const params = new Map<string, string>();
  for (const part of header.split(",")) {
    const match = PARAM.exec(part);
    if (!match)
      throw new ApiError(
        "authorization_missing_params",
        'The Authorization header must be a comma-separated list of key="value" parameters',
      );
    const [, key, value] = match as unknown as [string, string, string];
    const name = key.toLowerCase();
    // A repeated parameter (or two Authorization headers, which arrive joined by ", ") is ambiguous:
    // a proxy, rate limiter or log in front of us that reads the first value would see another
    // identity than we do. Refused, whichever value is the valid one.
    if (params.has(name)) throw new ApiError("authorization_missing_params", `The Authorization header repeats "${name}"`);
    params.set(name, value);
  }
  for (const name of REQUIRED_PARAMS) {
    if (!params.get(name)) throw new ApiError("authorization_missing_params", `The Authorization header is missing "${name}"`);
  }
  const parsed = {
    algorithm: params.get("algorithm")!,
    headers: params.get("headers")!,
    signature: params.get("signature")!,
    apikey: params.get("apikey")!,
  };
  if (parsed.algorithm.toLowerCase() !== "hmac-sha256") throw new ApiError("hmac_required");
  if (parsed.headers.trim().toLowerCase() !== "date") throw new ApiError("authorization_invalid_headers");
  return parsed;
}

// RFC 7231 IMF-fixdate, the only form `Date.prototype.toUTCString()` (and so the SDK) produces.
const IMF_FIXDATE = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$/;

/**
 * Checks the Date header against the server clock: at most 15 minutes old, at most 60 s ahead.
 * A missing or non-RFC-7231 Date is authorization_invalid_headers: the signature covers it.
 */
export function checkDate(dateHeader: string | null, nowMs: number): void {
  if (dateHeader === null || !IMF_FIXDATE.test(dateHeader)) {
    throw new ApiError(
      "authorization_invalid_headers",
      'The Date header is missing or not an RFC 7231 GMT date (e.g. "Tue, 07 Jun 2011 20:51:35 GMT")',
    );
  }
  const dateMs = Date.parse(dateHeader);
  if (Number.isNaN(dateMs)) throw new ApiError("authorization_invalid_headers");
  if (nowMs - dateMs > MAX_DATE_AGE_MS) throw new ApiError("date_header_diff");
  if (dateMs - nowMs > MAX_DATE_SKEW_MS) throw new ApiError("date_header_diff", "The Date header is in the future");
}

/** The exact bytes a client signs. */
export function signingString(dateHeader: string): string {
  return `licenseSpring\ndate: ${dateHeader}`;
}

const encoder = new TextEncoder();
// Imported HMAC keys, per isolate. Keyed by the shared key itself, so a rotated key is a new entry.
const hmacKeys = new Map<string, Promise<CryptoKey>>();
const MAX_CACHED_KEYS = 1000;

function hmacKey(sharedKey: string): Promise<CryptoKey> {
  let key = hmacKeys.get(sharedKey);
  if (!key) {
    if (hmacKeys.size >= MAX_CACHED_KEYS) hmacKeys.clear();
    key = crypto.subtle.importKey("raw", encoder.encode(sharedKey), { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]);
    hmacKeys.set(sharedKey, key);
  }
  return key;
}

/**
 * True when `signatureBase64` is HMAC-SHA256(sharedKey, signingString(dateHeader)).
 * `crypto.subtle.verify` compares in constant time; a string compare of digests would not.
 */
export async function verifySignature(sharedKey: string, dateHeader: string, signatureBase64: string): Promise<boolean> {
  const signature = decodeBase64(signatureBase64);
  if (signature === null) return false;
  return verifyHmac(sharedKey, signingString(dateHeader), signature);
}

/** True when `signature` is HMAC-SHA256(sharedKey, message) (compared in constant time by WebCrypto). */
export async function verifyHmac(sharedKey: string, message: string, signature: Uint8Array<ArrayBuffer>): Promise<boolean> {
  if (signature.byteLength !== 32) return false;
  return crypto.subtle.verify("HMAC", await hmacKey(sharedKey), signature, encoder.encode(message));
}

/** base64(HMAC-SHA256(sharedKey, message)): what a client holding the shared key can check (offline files). */
export async function hmacBase64(sharedKey: string, message: string): Promise<string> {
  return encodeBase64(new Uint8Array(await crypto.subtle.sign("HMAC", await hmacKey(sharedKey), encoder.encode(message))));
}
