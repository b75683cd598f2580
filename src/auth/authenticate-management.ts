/**
 * Who is calling the management API (docs/management-api.md "Authentication"), decided in this order:
 *
 * 1. `Authorization: Api-Key <key>`, when the request has an Authorization header: the bootstrap
 *    key (the Worker secret MANAGEMENT_KEY, admin) or a named management key that is not revoked,
 *    with its role. Any other key is 403 `forbidden`; another scheme is 401 `unauthorized`.
 * 2. Otherwise, when Cloudflare Access is configured and the request carries
 *    `Cf-Access-Jwt-Assertion`: the token's identity, with the role ACCESS_ROLES gives it
 *    (./access-jwt.ts). An invalid token, or an identity without a role, is 403 `forbidden`.
 * 3. Otherwise 401 `unauthorized`.
 *
 * A key works whether or not Access is configured: scripts use keys, people sign in through Access.
 */
import { findKeyHolder } from "../db/management-keys";
import { ApiError } from "../errors";
import { accessRole, accessSettings, verifyAccessToken, type AccessVars } from "./access-jwt";
import { NAMED_KEY_PATTERN, bootstrapKeyConfigured, isBootstrapKey, managementKeyHash, presentedManagementKey } from "./management-key";
import type { ManagementActor } from "./management-roles";

/** The bootstrap key's actor: always admin, named after the secret in the activity log. */
const BOOTSTRAP: ManagementActor = { type: "bootstrap", name: "MANAGEMENT_KEY", role: "admin", keyId: null };

export async function authenticateManagement(request: Request, env: Env & AccessVars): Promise<ManagementActor> {
  const authorization = request.headers.get("Authorization");
  const accessToken = request.headers.get("Cf-Access-Jwt-Assertion");
  if (authorization === null && accessToken !== null) {
    const settings = accessSettings(env);
    if (settings) {
      const identity = await verifyAccessToken(accessToken, settings);
      const role = accessRole(settings, identity);
      if (!role) throw new ApiError("forbidden", `${identity} signed in through Cloudflare Access, but ACCESS_ROLES gives it no role`);
      return { type: "access", name: identity, role, keyId: null };
    }
  }

  const presented = presentedManagementKey(authorization);
  if (await isBootstrapKey(presented, env.MANAGEMENT_KEY)) return BOOTSTRAP;
  const holder = NAMED_KEY_PATTERN.test(presented) ? await findKeyHolder(env.DB, await managementKeyHash(presented)) : null;
  if (holder) return holder;
  throw new ApiError(
    "forbidden",
    bootstrapKeyConfigured(env.MANAGEMENT_KEY)
      ? "The management key is not valid (or has been revoked)"
      : "The management key is not valid (or has been revoked); the Worker secret MANAGEMENT_KEY is not set, so only named management keys open the API",
  );
}
