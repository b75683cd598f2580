/**
 * Authenticates a License API request: the Authorization header, the Date window, the API key
 * and the HMAC, in that order, so a client learns as little as possible before proving it holds
 * a shared key: an unknown key and a bad signature are told apart (both are documented codes),
 * but whether a key is revoked or read-only is only said to a caller who signed correctly.
 *
 * It happens in two steps so that the API key can be read in the same D1 round trip as the
 * handler's own first query (one round trip per request instead of two):
 *   1. readSignedRequest: pure, no I/O: header syntax, algorithm, signed headers, Date window;
 *   2. authenticateRequest: the API key row (batched with the caller's reads) and the HMAC.
 */
import { ApiError } from "../errors";
import { apiKeyStatement, toApiKey, type ApiKey } from "../db/api-keys";
import { readWithRetry } from "../db/read-retry";
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
 * Reads the API key together with `reads` (one D1 batch), verifies the HMAC and the key's state,
 * and only then hands back the first row of each read (undefined when it found none).
 */
export async function authenticateRequest(
  signed: SignedRequest,
  db: D1Database,
  reads: D1PreparedStatement[] = [],
): Promise<{ apiKey: ApiKey; rows: unknown[] }> {
  const results = await readWithRetry(() => db.batch([apiKeyStatement(db, signed.apiKey), ...reads]));
  const apiKey = toApiKey(results[0]?.results[0]);
  if (!apiKey) throw new ApiError("invalid_api_key");
  if (!(await verifySignature(apiKey.sharedKey, signed.dateHeader, signed.signature))) throw new ApiError("signature_mismatch");
  if (apiKey.revoked) throw new ApiError("revoked_api_key");
  if (signed.writes && apiKey.readOnly) throw new ApiError("read_only_api_key");
  return { apiKey, rows: results.slice(1).map((result) => result.results[0]) };
}
