/**
 * Consumption requests are applied at most once, even when the client or the Worker retries.
 *
 * - A client may send `Idempotency-Key: <1-255 printable ASCII>` on add_feature_consumption and
 *   add_consumption. The counter object remembers the key (scoped to the API key and to the
 *   counter the request targets) with a fingerprint of the request for 24 hours: the same key
 *   and body get the original answer again (same bytes, same LicenseSignature, header
 *   `Idempotent-Replayed: true`) without a second charge; the same key with another body is
 *   refused with `idempotency_key_reused`.
 * - Without a key, the Worker makes one up per request and keeps it 10 minutes, so that it can
 *   safely retry a call to a counter object that was reset or evicted mid-request: if the first
 *   attempt had committed, the retry gets its stored answer instead of charging again.
 */
import type { RequestKey } from "../counter/types";
import { ApiError } from "../errors";
import type { DeclaredErrors } from "../http/route";

/** What an endpoint that takes Idempotency-Key can answer for it (its route's `errors`). */
export const IDEMPOTENCY_ERRORS = {
  idempotency_key_reused: "this Idempotency-Key was used within 24 hours for a different request",
} satisfies DeclaredErrors;

export const CLIENT_KEY_TTL_MS = 24 * 60 * 60 * 1000;
export const INTERNAL_KEY_TTL_MS = 10 * 60 * 1000;
const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

const encoder = new TextEncoder();

async function sha256Hex(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(text)));
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/**
 * The request's key: the client's Idempotency-Key if it sent one (with a fingerprint of the request,
 * to refuse the key's reuse for another request), else a fresh internal one, which no other request
 * can carry, so it needs no fingerprint.
 */
export async function requestKeyFor(
  request: Request,
  apiKeyId: number,
  endpoint: string,
  body: unknown,
  nowMs = Date.now(),
): Promise<RequestKey> {
  const clientKey = request.headers.get("Idempotency-Key");
  if (clientKey === null) return { key: `internal:${crypto.randomUUID()}`, fingerprint: "", expiresAt: nowMs + INTERNAL_KEY_TTL_MS };
  if (!KEY_PATTERN.test(clientKey)) throw new ApiError("validation_error", "Idempotency-Key must be 1 to 255 printable ASCII characters");
  const fingerprint = await sha256Hex(`${endpoint}\n${JSON.stringify(body)}`);
  return { key: `client:${apiKeyId}:${clientKey}`, fingerprint, expiresAt: nowMs + CLIENT_KEY_TTL_MS };
}

/** Marks a replayed answer so clients and operators can tell. */
export function replayHeaders(replayed: boolean): Record<string, string> {
  return replayed ? { "Idempotent-Replayed": "true" } : {};
}
