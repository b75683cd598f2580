/**
 * itty-router middleware: every /api/v1 route counts against its client address's rate limit, then
 * needs the management key (src/auth/management-key.ts). Counting first keeps a flood of guesses cheap.
 */
import type { IRequest } from "itty-router";
import { verifyManagementKey } from "../auth/management-key";
import { limitManagementAddress } from "../auth/rate-limit";

export async function withManagementAuth(request: IRequest, env: Env): Promise<void> {
  await limitManagementAddress(request, env);
  await verifyManagementKey(request.headers.get("Authorization"), env.MANAGEMENT_KEY);
}
