/**
 * POST /api/v4/activate_license and POST /api/v4/deactivate_license: devices come into being by
 * activating, and stop being able to consume by deactivating.
 */
import type { LicenseApiRequest } from "../auth/with-license-auth";
import { verifyPassword } from "../auth/password";
import { licenseSignature, signedJson } from "../auth/response-signing";
import { liveFeatureStates, liveLicenseState } from "../counters";
import { activateDevice, deactivateDevice, findLicenseUser, loadLicenseDetails } from "../db/licenses";
import { ApiError } from "../errors";
import { readJsonBody } from "../http/read-json-body";
import { licenseBody } from "../license-body";
import { isExpired, resolveLicenseIdentity } from "../resolve-license-feature";
import { ActivateLicenseBody, DeactivateLicenseBody, parseWith } from "../schemas";
import { identityLookup, startLicenseRequest } from "./license-request";

/**
 * Precedence: identity (unknown_product, license_not_found) → password (user-based) →
 * license_not_enabled → license_expired → blacklisted → license_activated_max_times.
 * Activating an already active device again is allowed and takes no extra seat.
 */
export async function activateLicense(request: LicenseApiRequest, env: Env): Promise<Response> {
  const { body, lookup, context } = await startLicenseRequest(request, env, async () => parseWith(ActivateLicenseBody, await readJsonBody(request)), identityLookup);
  const { license } = resolveLicenseIdentity(context, lookup);
  const user = body.username === undefined ? null : await findLicenseUser(env.DB, license.id, body.username);
  if (body.username !== undefined) {
    if (body.password === undefined) throw new ApiError("missing_parameters", "password is required to activate a user-based license");
    if (!user || !(await verifyPassword(user.passwordHash, body.password))) throw new ApiError("invalid_password");
  }
  const nowMs = Date.now();
  if (!license.enabled) throw new ApiError("license_not_enabled");
  if (isExpired(license.validityPeriod, nowMs)) throw new ApiError("license_expired");
  if (context.device?.blacklisted) throw new ApiError("blacklisted");

  const details = await loadLicenseDetails(env.DB, license.id);
  const deviceId = await activateDevice(env.DB, license.id, body.hardware_id, details.maxActivations, details.allowUnlimitedActivations);
  if (deviceId === null) throw new ApiError("license_activated_max_times");

  const [activated, featureStates, licenseState] = await Promise.all([
    loadLicenseDetails(env.DB, license.id),
    liveFeatureStates(env, license.id, details.features),
    liveLicenseState(env, license),
  ]);
  return signedJson(
    env.LICENSE_SIGNING_KEY,
    licenseBody({
      license: { ...license, active: true },
      details: activated,
      deviceId,
      hardwareId: body.hardware_id,
      user,
      featureStates,
      licenseState,
      includeExpiredFeatures: false,
      licenseSignature: await licenseSignature(env.LICENSE_SIGNING_KEY, body.hardware_id, body.username ?? body.license_key ?? "", license.validityPeriod),
      nowMs,
      request: "activation",
    }),
  );
}

/**
 * Answers the JSON string "license_deactivated", as the SDK checks. Deactivating is allowed
 * whatever the license's state (a disabled or expired license can still free a seat);
 * a blacklisted device is told so, an unknown or already inactive one is device_not_found.
 */
export async function deactivateLicense(request: LicenseApiRequest, env: Env): Promise<Response> {
  const { body, lookup, context } = await startLicenseRequest(request, env, async () => parseWith(DeactivateLicenseBody, await readJsonBody(request)), identityLookup);
  const { license } = resolveLicenseIdentity(context, lookup);
  if (context.device?.blacklisted) throw new ApiError("blacklisted");
  if (!(await deactivateDevice(env.DB, license.id, body.hardware_id))) throw new ApiError("device_not_found");
  return signedJson(env.LICENSE_SIGNING_KEY, "license_deactivated");
}
