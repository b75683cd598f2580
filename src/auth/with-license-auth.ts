/** itty-router middleware: authenticates a License API request and attaches its API key. */
import type { IRequest } from "itty-router";
import type { ApiKey } from "../db/api-keys";
import { authenticateRequest } from "./authenticate-request";

export interface LicenseApiRequest extends IRequest {
  apiKey: ApiKey;
}

/** Every License API route goes through this. GETs are reads; anything else needs a writable key. */
export async function withLicenseAuth(request: IRequest, env: Env): Promise<void> {
  request.apiKey = await authenticateRequest(request, env.DB, { writes: request.method !== "GET" && request.method !== "HEAD" });
}
