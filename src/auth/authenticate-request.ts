/**
 * Authenticates a License API request: the Authorization header, the Date window, the API key
 * and the HMAC, in that order, so a client learns as little as possible before proving it holds
 * a shared key: an unknown key and a bad signature are told apart (both are documented codes),
 * but whether a key is revoked or read-only is only said to a caller who signed correctly.
 */
import { ApiError } from "../errors";
import { findApiKey, type ApiKey } from "../db/api-keys";
import { checkDate, parseAuthorization, verifySignature } from "./request-signature";

export interface AuthenticateOptions {
  /** Endpoints that change state refuse read-only keys. */
  writes: boolean;
  nowMs?: number;
}

export async function authenticateRequest(request: Request, db: D1Database, options: AuthenticateOptions): Promise<ApiKey> {
  const params = parseAuthorization(request.headers.get("Authorization"));
  const dateHeader = request.headers.get("Date");
  checkDate(dateHeader, options.nowMs ?? Date.now());

  const apiKey = await findApiKey(db, params.apikey);
  if (!apiKey) throw new ApiError("invalid_api_key");
  if (!(await verifySignature(apiKey.sharedKey, dateHeader!, params.signature))) throw new ApiError("signature_mismatch");
  if (apiKey.revoked) throw new ApiError("revoked_api_key");
  if (options.writes && apiKey.readOnly) throw new ApiError("read_only_api_key");
  return apiKey;
}
