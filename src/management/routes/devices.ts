/** /api/v1/licenses/{license_id}/devices and /api/v1/devices/{device_id}/…: see and control a license's devices. */
import { z } from "zod";
import { deviceVariables } from "../../db/device-variables";
import { findLicense } from "../../db/management/licenses";
import { deactivateDeviceById, findDevice, listDevices, setDeviceBlacklisted } from "../../db/management/devices";
import { invalidateLicenseCounters } from "../../counter/counter-stubs";
import { defineRoute } from "../define-route";
import { orNotFound } from "../or-not-found";
import { pageBody } from "../page-body";
import { Device, DevicePath, DeviceVariable, LicensePath, PageQuery, page } from "../schemas";

/** A device changed: its license's counter objects forget what they knew before the change is answered. */
async function invalidated<T extends { license_id: number }>(env: Env, device: T): Promise<T> {
  await invalidateLicenseCounters(env, device.license_id);
  return device;
}

export const deviceRoutes = [
  defineRoute({
    method: "get",
    path: "/api/v1/licenses/{license_id}/devices",
    tag: "Devices",
    summary: "List a license's devices",
    params: LicensePath,
    query: PageQuery,
    response: page(Device),
    async handler({ params, query, env }) {
      orNotFound(await findLicense(env.DB, params.license_id), "License", params.license_id);
      return pageBody(await listDevices(env.DB, params.license_id, query.cursor ?? 0, query.limit));
    },
  }),
  defineRoute({
    method: "get",
    path: "/api/v1/devices/{device_id}/variables",
    tag: "Devices",
    summary: "The variables a device reported (track_device_variables, or with its activation)",
    params: DevicePath,
    response: z.object({ data: z.array(DeviceVariable) }),
    async handler({ params, env }) {
      orNotFound(await findDevice(env.DB, params.device_id), "Device", params.device_id);
      const variables = await deviceVariables(env.DB, params.device_id);
      return {
        data: variables.map((v) => ({ id: v.id, device_id: v.deviceId, variable: v.variable, value: v.value, created_at: v.createdAt })),
      };
    },
  }),
  defineRoute({
    method: "post",
    path: "/api/v1/devices/{device_id}/blacklist",
    tag: "Devices",
    summary: "Blacklist a device: its License API requests fail with blacklisted, and it cannot activate again",
    params: DevicePath,
    response: Device,
    async handler({ params, env }) {
      return invalidated(env, orNotFound(await setDeviceBlacklisted(env.DB, params.device_id, true), "Device", params.device_id));
    },
  }),
  defineRoute({
    method: "post",
    path: "/api/v1/devices/{device_id}/unblacklist",
    tag: "Devices",
    summary: "Take a device off the blacklist",
    params: DevicePath,
    response: Device,
    async handler({ params, env }) {
      return invalidated(env, orNotFound(await setDeviceBlacklisted(env.DB, params.device_id, false), "Device", params.device_id));
    },
  }),
  defineRoute({
    method: "post",
    path: "/api/v1/devices/{device_id}/deactivate",
    tag: "Devices",
    summary: "Deactivate a device: it frees its seat; its requests fail with device_not_found until it activates again",
    params: DevicePath,
    response: Device,
    async handler({ params, env }) {
      return invalidated(env, orNotFound(await deactivateDeviceById(env.DB, params.device_id), "Device", params.device_id));
    },
  }),
];
