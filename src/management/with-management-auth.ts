/**
 * Every /api/v1 request counts against its client address's rate limit, then authenticates
 * (src/auth/authenticate-management.ts): counting first keeps a flood of guesses cheap.
 */
import type { IRequest } from "itty-router";
import { authenticateManagement } from "../auth/authenticate-management";
import type { ManagementActor } from "../auth/management-roles";
import { limitManagementAddress } from "../auth/rate-limit";

export async function withManagementAuth(request: IRequest, env: Env): Promise<ManagementActor> {
  await limitManagementAddress(request, env);
  return authenticateManagement(request, env);
}
