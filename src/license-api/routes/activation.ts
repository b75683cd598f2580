/**
 * POST /api/v4/activate_license and POST /api/v4/deactivate_license: devices come into being by
 * activating, and stop being able to consume by deactivating.
 */
import { ACTIVATION_ERRORS, activationRequest, activateOnDevice, deactivateOnDevice } from "../device-activation";
import { licenseApiRoute } from "../license-api-route";
import { DeactivatedBody, LicenseBody } from "../response-schemas";
import { ActivateLicenseBody, DeactivateLicenseBody, SINGLE_SIGN_ON_ERRORS } from "../schemas";

/** The checks and their order: ../device-activation.ts (shared with activate_offline). `variables` are stored on the device. */
export const activateLicense = licenseApiRoute({
  method: "post",
  path: "/api/v4/activate_license",
  operationId: "activateLicense",
  errors: { ...ACTIVATION_ERRORS, ...SINGLE_SIGN_ON_ERRORS },
  summary: "Activate a device on a license",
  body: ActivateLicenseBody,
  response: LicenseBody,
  reads: "context",
  // One D1 read before the write: the context, the license in full and the license user, in one batch.
  readsLicense: true,
  async handler({ request, env, ctx, apiKey, body, lookup, context, license, licenseUser }) {
    return activateOnDevice({ request, env, ctx, apiKey }, { context, license, licenseUser }, activationRequest(lookup, body, false));
  },
});

/** Answers the JSON string "license_deactivated" (../device-activation.ts, shared with deactivate_offline). */
export const deactivateLicense = licenseApiRoute({
  method: "post",
  path: "/api/v4/deactivate_license",
  operationId: "deactivateLicense",
  summary: "Deactivate a device",
  body: DeactivateLicenseBody,
  response: DeactivatedBody,
  reads: "context",
  async handler({ env, apiKey, lookup, context }) {
    return deactivateOnDevice(env, apiKey, context, lookup);
  },
});
