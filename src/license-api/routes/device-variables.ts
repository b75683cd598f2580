/**
 * GET /api/v4/get_device_variables and POST /api/v4/track_device_variables: what a device
 * reports about itself, stored per device (one value per name; the vendor sees them at
 * GET /api/v1/devices/{device_id}/variables).
 */
import { MAX_DEVICE_VARIABLES, deviceVariables, writeDeviceVariables } from "../../db/device-variables";
import { ApiError } from "../../errors";
import { licenseApiRoute } from "../license-api-route";
import { resolveLicense } from "../resolve-license";
import { DeviceVariablesBody, TrackedVariablesBody } from "../response-schemas";
import { GetDeviceVariablesQuery, TrackDeviceVariablesBody } from "../schemas";

/** Same precedence as check_license: identity → enabled → active → validity → device. */
export const getDeviceVariables = licenseApiRoute({
  method: "get",
  path: "/api/v4/get_device_variables",
  operationId: "getDeviceVariables",
  summary: "The variables a device has reported",
  query: GetDeviceVariablesQuery,
  response: DeviceVariablesBody,
  reads: "context",
  async handler({ env, apiKey, lookup, context }) {
    const { device } = resolveLicense(context, lookup, apiKey, Date.now());
    const variables = await deviceVariables(env.DB, device.id);
    return variables.map((variable) => ({
      id: variable.id,
      created_at: variable.created_at,
      variable: variable.variable,
      value: variable.value,
      device_id: variable.device_id,
    }));
  },
});

/**
 * Adds or overwrites the device's variables. The answer lists what was written, in the request's
 * order, with the write time in milliseconds (as LicenseSpring's answer and the SDK's fixture
 * show it). A device holds at most MAX_DEVICE_VARIABLES names (validation_error, nothing written).
 */
export const trackDeviceVariables = licenseApiRoute({
  method: "post",
  path: "/api/v4/track_device_variables",
  operationId: "trackDeviceVariables",
  summary: "Store variables a device reports (overwriting known names)",
  body: TrackDeviceVariablesBody,
  response: TrackedVariablesBody,
  reads: "context",
  async handler({ env, apiKey, body, lookup, context }) {
    const nowMs = Date.now();
    const { device } = resolveLicense(context, lookup, apiKey, nowMs);
    if (!(await writeDeviceVariables(env.DB, device.id, body.variables, new Date(nowMs).toISOString()))) {
      throw new ApiError("validation_error", `variables: a device holds at most ${MAX_DEVICE_VARIABLES} variables`);
    }
    return Object.entries(body.variables).map(([variable, value]) => ({ variable, value, device_id: device.id, created_at: nowMs }));
  },
});
