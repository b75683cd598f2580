/**
 * POST /api/v4/activate_license and POST /api/v4/deactivate_license: devices come into being by
 * activating, and stop being able to consume by deactivating.
 */
import { invalidateLicenseCounters } from "../../counter/counter-stubs";
import { deactivateDevice } from "../../db/devices";
import { ApiError } from "../../errors";
import { activateOnDevice } from "../activate-on-device";
import { licenseApiRoute } from "../license-api-route";
import { resolveLicenseIdentity } from "../resolve-license";
import { DeactivatedBody, LicenseBody } from "../response-schemas";
import { ActivateLicenseBody, DeactivateLicenseBody } from "../schemas";

/** The checks and their order: ../activate-on-device.ts (shared with activate_offline). `variables` are stored on the device. */
export const activateLicense = licenseApiRoute({
  method: "post",
  path: "/api/v4/activate_license",
  summary: "Activate a device on a license",
  body: ActivateLicenseBody,
  response: LicenseBody,
  reads: "context",
  async handler({ request, env, ctx, apiKey, body, lookup, context }) {
    return activateOnDevice({ request, env, ctx, apiKey }, context, {
      lookup,
      password: body.password,
      isVm: body.is_vm ?? false,
      variables: body.variables,
      offline: false,
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
