/**
 * Authenticates a License API request: the Authorization header, the Date window, the API key
 * and the HMAC, in that order, so a client learns as little as possible before proving it holds
 * a shared key: an unknown key and a bad signature are told apart (both are documented codes),
 * but whether a key is revoked or read-only is only said to a caller who signed correctly.
 *
 * It happens in two steps so that the API key can come from the isolate's memory or be read in
 * the same D1 round trip as whatever else the request needs:
 *   1. readSignedRequest: pure, no I/O: header syntax, algorithm, signed headers, Date window;
 *   2. authenticateRequest: given the key's row, the HMAC and the key's state.
 */
import { ApiError } from "../errors";
import type { ApiKey } from "../db/api-keys";
import { checkDate, parseAuthorization, verifySignature } from "./request-signature";

/** A request whose Authorization and Date headers are well-formed and fresh, not yet verified. */
export interface SignedRequest {
  apiKey: string;
  signature: string;
  dateHeader: string;
  /** Endpoints that change state refuse read-only keys. */
  writes: boolean;
}

export function readSignedRequest(request: Request, writes: boolean, nowMs = Date.now()): SignedRequest {
  const params = parseAuthorization(request.headers.get("Authorization"));
  const dateHeader = request.headers.get("Date");
  checkDate(dateHeader, nowMs);
  return { apiKey: params.apikey, signature: params.signature, dateHeader: dateHeader!, writes };
}

/**
 * Verifies the HMAC with the key's shared key, then the key's state. `apiKey` is the key the
 * request names, as the caller found it (src/license-api/edge-state.ts: from this isolate's
 * memory or its location, at most 60 s old, or from D1); null when there is no such key.
 */
export async function authenticateRequest(signed: SignedRequest, apiKey: ApiKey | null): Promise<ApiKey> {
  if (!apiKey) throw new ApiError("invalid_api_key");
  if (!(await verifySignature(apiKey.sharedKey, signed.dateHeader, signed.signature))) throw new ApiError("signature_mismatch");
  if (apiKey.revoked) throw new ApiError("revoked_api_key");
  if (signed.writes && apiKey.readOnly) throw new ApiError("read_only_api_key");
  return apiKey;
}
