/** itty-router middleware: every /api/v1 route needs the management key (src/auth/management-key.ts). */
import type { IRequest } from "itty-router";
import { verifyManagementKey } from "../auth/management-key";

export async function withManagementAuth(request: IRequest, env: Env): Promise<void> {
  await verifyManagementKey(request.headers.get("Authorization"), env.MANAGEMENT_KEY);
}
