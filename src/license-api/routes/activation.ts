/**
 * POST /api/v4/activate_license and POST /api/v4/deactivate_license: devices come into being by
 * activating, and stop being able to consume by deactivating.
 */
import { licenseSignature } from "../../auth/response-signing";
import { invalidateLicenseCounters, licenseTarget, liveFeatureStates, liveLicenseState } from "../../counter/counter-stubs";
import { MAX_DEVICE_VARIABLES, deviceVariables, writeDeviceVariables } from "../../db/device-variables";
import { activateDevice, deactivateDevice } from "../../db/devices";
import { loadLicenseDetails } from "../../db/licenses";
import { ApiError } from "../../errors";
import { askPool } from "../ask-pool";
import { licenseBody } from "../license-body";
import { licenseApiRoute } from "../license-api-route";
import { signInToLicense } from "../license-user-sign-in";
import { isExpired, resolveLicenseIdentity } from "../resolve-license";
import { DeactivatedBody, LicenseBody } from "../response-schemas";
import { ActivateLicenseBody, DeactivateLicenseBody } from "../schemas";

/**
 * Precedence: identity (unknown_product, license_not_found; on user-based products the
 * identifier, then missing_parameters without a password, then the sign-in:
 * too_many_password_attempts, invalid_password for an unknown user or a wrong password) →
 * license_not_enabled → license_expired → blacklisted → license_activated_max_times →
 * validation_error (variables over the device's bound; the device stays activated).
 * Activating an already active device again is allowed and takes no extra seat. `variables`
 * are stored on the device as track_device_variables stores them, and the answer lists them.
 * Activating a floating cloud license takes no floating slot (a check does): the answer says
 * whether the device holds one (`floating_in_use`) and how many are in use.
 */
export const activateLicense = licenseApiRoute({
  method: "post",
  path: "/api/v4/activate_license",
  summary: "Activate a device on a license",
  body: ActivateLicenseBody,
  response: LicenseBody,
  reads: "context",
  async handler({ request, env, ctx, apiKey, body, lookup, context }) {
    const { product, license, user } =
      body.username === undefined
        ? { ...resolveLicenseIdentity(context, lookup, apiKey), user: null }
        : await signInToLicense({ request, env, ctx, apiKey }, context, { ...lookup, username: body.username }, body.password, "activate");
    const nowMs = Date.now();
    if (!license.enabled) throw new ApiError("license_not_enabled");
    if (isExpired(license.validityPeriod, nowMs)) throw new ApiError("license_expired");
    if (context.device?.blacklisted) throw new ApiError("blacklisted");

    const details = await loadLicenseDetails(env.DB, license.id);
    const deviceId = await activateDevice(env.DB, license.id, body.hardware_id, details.maxActivations, details.allowUnlimitedActivations);
    if (deviceId === null) throw new ApiError("license_activated_max_times");
    // The license's counter objects learn of the device (and the license's activation) before this
    // answers, whatever it answers: the device is activated from here on.
    await invalidateLicenseCounters(env, license.id);
    if (body.variables && !(await writeDeviceVariables(env.DB, deviceId, body.variables, new Date(nowMs).toISOString()))) {
      throw new ApiError("validation_error", `variables: a device holds at most ${MAX_DEVICE_VARIABLES} variables`);
    }

    const [activated, featureStates, licenseState, variables, pool] = await Promise.all([
      loadLicenseDetails(env.DB, license.id),
      liveFeatureStates(env, license.id, details.features, product.defaultsVersion),
      liveLicenseState(env, license, product.defaultsVersion),
      deviceVariables(env.DB, deviceId),
      license.floating.isFloatingCloud
        ? askPool(env, apiKey, lookup, licenseTarget(license.id), product.defaultsVersion, { kind: "status" })
        : null,
    ]);
    return licenseBody({
      license: { ...license, active: true },
      details: activated,
      deviceId,
      hardwareId: body.hardware_id,
      user,
      featureStates,
      licenseState,
      includeExpiredFeatures: false,
      licenseSignature: await licenseSignature(
        env.LICENSE_SIGNING_KEY,
        body.hardware_id,
        body.username ?? body.license_key ?? "",
        license.validityPeriod,
      ),
      nowMs,
      activation: { variables },
      pool,
    });
  },
});

/**
 * Answers the JSON string "license_deactivated", as the SDK checks. Deactivating is allowed
 * whatever the license's state (a disabled or expired license can still free a seat);
 * a blacklisted device is told so, an unknown or already inactive one is device_not_found.
 */
export const deactivateLicense = licenseApiRoute({
  method: "post",
  path: "/api/v4/deactivate_license",
  summary: "Deactivate a device",
  body: DeactivateLicenseBody,
  response: DeactivatedBody,
  reads: "context",
  async handler({ env, apiKey, body, lookup, context }) {
    const { license } = resolveLicenseIdentity(context, lookup, apiKey);
    if (context.device?.blacklisted) throw new ApiError("blacklisted");
    if (!(await deactivateDevice(env.DB, license.id, body.hardware_id))) throw new ApiError("device_not_found");
    await invalidateLicenseCounters(env, license.id);
    return "license_deactivated" as const;
  },
});
