/**
 * POST /api/v4/activate_license and POST /api/v4/deactivate_license: devices come into being by
 * activating, and stop being able to consume by deactivating.
 */
import { licenseSignature } from "../../auth/response-signing";
import {
  licenseChangeStatements,
  licenseTarget,
  liveFeatureStates,
  liveLicenseState,
  tellLicenseCounters,
} from "../../counter/counter-stubs";
import { toLicenseDetails } from "../../db/counter-snapshot";
import { MAX_DEVICE_VARIABLES, deviceVariablesStatement, variablesWritten, writeDeviceVariablesStatement } from "../../db/device-variables";
import { activateDeviceStatements, activationOutcome, deactivateDeviceStatement, deactivated } from "../../db/devices";
import type { DeviceVariableResource } from "../../models/device";
import { announce, deviceActivatedEvent } from "../../webhooks/license-events";
import { sendDeliveries } from "../../webhooks/webhook-consumer";
import { ApiError } from "../../errors";
import { askPool } from "../ask-pool";
import { licenseBody } from "../license-body";
import { licenseApiRoute } from "../license-api-route";
import { SIGN_IN_ERRORS, signInToLicense } from "../license-user-sign-in";
import { isExpired, resolveLicenseIdentity } from "../resolve-license";
import { DeactivatedBody, LicenseBody } from "../response-schemas";
import { ActivateLicenseBody, DeactivateLicenseBody, SINGLE_SIGN_ON_ERRORS } from "../schemas";

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
  operationId: "activateLicense",
  errors: { ...SIGN_IN_ERRORS, ...SINGLE_SIGN_ON_ERRORS },
  summary: "Activate a device on a license",
  body: ActivateLicenseBody,
  response: LicenseBody,
  reads: "context",
  // One D1 read before the write: the context, the license in full and the license user, in one batch.
  readsLicense: true,
  async handler({ request, env, ctx, apiKey, body, lookup, context, license: before, licenseUser }) {
    const { product, license, user } =
      body.username === undefined
        ? { ...resolveLicenseIdentity(context, lookup, apiKey), user: null }
        : await signInToLicense(
            { request, env, ctx, apiKey },
            context,
            { ...lookup, username: body.username },
            body.password,
            "activate",
            licenseUser,
          );
    const nowMs = Date.now();
    if (!license.enabled) throw new ApiError("license_not_enabled");
    if (isExpired(license.validityPeriod, nowMs)) throw new ApiError("license_expired");
    if (context.device?.blacklisted) throw new ApiError("blacklisted");

    // One D1 batch writes: the device, its variables, and the license's change (its write version,
    // its objects, and the license as it is afterwards), then reads the device's variables back.
    const limits = toLicenseDetails(before!)!;
    // device.activated when this makes the device active (not when it was active already), decided with the activation.
    const event = deviceActivatedEvent(
      { license_id: license.id, license_key: license.licenseKey, product: product.shortCode },
      body.hardware_id,
      { maxActivations: limits.maxActivations, unlimited: limits.allowUnlimitedActivations },
      nowMs,
    );
    const announced = announce(event, env.DB);
    const device = { licenseId: license.id, hardwareId: body.hardware_id };
    const variables = body.variables && Object.keys(body.variables).length > 0 ? body.variables : null;
    const activation = activateDeviceStatements(
      env.DB,
      license.id,
      body.hardware_id,
      limits.maxActivations,
      limits.allowUnlimitedActivations,
      announced,
    );
    const written = variables ? [writeDeviceVariablesStatement(env.DB, device, variables, new Date(nowMs).toISOString())] : [];
    const change = licenseChangeStatements(env.DB, license.id);
    const results = await env.DB.batch([...activation, ...written, deviceVariablesStatement(env.DB, device), ...change.statements]);
    const { deviceId, deliveries } = activationOutcome(results, announced.length);
    if (deliveries.length > 0) ctx.waitUntil(sendDeliveries(env, deliveries));
    if (deviceId === null) throw new ApiError("license_activated_max_times");
    // The license's counter objects learn of the device (and the license's activation) before this
    // answers, whatever it answers: the device is activated from here on.
    const after = (await tellLicenseCounters(env, change, results))!;
    if (variables && !variablesWritten(variables, results[activation.length]!)) {
      throw new ApiError("validation_error", `variables: a device holds at most ${MAX_DEVICE_VARIABLES} variables`);
    }
    const details = toLicenseDetails(after)!;
    const [featureStates, licenseState, pool, signature] = await Promise.all([
      liveFeatureStates(env, license.id, details.features, product.defaultsVersion, after),
      liveLicenseState(env, license, product.defaultsVersion, after),
      license.floating.isFloatingCloud
        ? askPool(env, apiKey, lookup, licenseTarget(license.id), product.defaultsVersion, { kind: "status" })
        : null,
      licenseSignature(env.LICENSE_SIGNING_KEY, body.hardware_id, body.username ?? body.license_key ?? "", license.validityPeriod),
    ]);
    return licenseBody({
      license: { ...license, active: true },
      details,
      deviceId,
      hardwareId: body.hardware_id,
      user,
      featureStates,
      licenseState,
      includeExpiredFeatures: false,
      licenseSignature: signature,
      nowMs,
      activation: { variables: results[activation.length + written.length]!.results as DeviceVariableResource[] },
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
  operationId: "deactivateLicense",
  summary: "Deactivate a device",
  body: DeactivateLicenseBody,
  response: DeactivatedBody,
  reads: "context",
  async handler({ env, apiKey, body, lookup, context }) {
    const { license } = resolveLicenseIdentity(context, lookup, apiKey);
    if (context.device?.blacklisted) throw new ApiError("blacklisted");
    // One D1 batch: the device, and the license's change (its write version, its objects, the license afterwards).
    const change = licenseChangeStatements(env.DB, license.id);
    const results = await env.DB.batch([deactivateDeviceStatement(env.DB, license.id, body.hardware_id), ...change.statements]);
    if (!deactivated(results[0]!)) throw new ApiError("device_not_found");
    await tellLicenseCounters(env, change, results);
    return "license_deactivated" as const;
  },
});
