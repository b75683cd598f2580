/**
 * itty-router middleware for every License API route: checks the signed headers (pure, at once)
 * and gives the handler `authenticate(reads)`, which finishes the job (API key + HMAC) in the same
 * D1 round trip as the handler's first query. The router refuses to send a response from a
 * handler that did not authenticate (src/index.ts), so forgetting it cannot leak anything.
 */
import type { IRequest } from "itty-router";
import type { ApiKey } from "../db/api-keys";
import { authenticateRequest, readSignedRequest } from "./authenticate-request";

export interface LicenseApiRequest extends IRequest {
  /** Verifies the API key and the HMAC, reading the key in one batch with `reads`; returns their first rows. */
  authenticate(reads?: D1PreparedStatement[]): Promise<{ apiKey: ApiKey; rows: unknown[] }>;
  /** Set once authenticate() succeeded. */
  authenticatedKey?: ApiKey;
}

/** GETs are reads; anything else needs a writable key. */
export function withLicenseAuth(request: IRequest, env: Env): void {
  const signed = readSignedRequest(request, request.method !== "GET" && request.method !== "HEAD");
  const licenseRequest = request as LicenseApiRequest;
  licenseRequest.authenticate = async (reads = []) => {
    const result = await authenticateRequest(signed, env.DB, reads);
    licenseRequest.authenticatedKey = result.apiKey;
    return result;
  };
}
