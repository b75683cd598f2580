/** /api/v1/licenses/{license_id}/devices and /api/v1/devices/{device_id}/…: see and control a license's devices. */
import { z } from "zod";
import { invalidateLicenseCounters } from "../../counter/counter-stubs";
import { deviceVariables } from "../../db/device-variables";
import { deactivateDeviceById, findDevice, listDevices, setDeviceBlacklisted } from "../../db/devices";
import { findLicense } from "../../db/licenses";
import { deviceSubject } from "../../db/webhooks";
import { DevicePath, DeviceResource, DeviceVariableResource } from "../../models/device";
import { LicensePath } from "../../models/license";
import { PageQuery, page } from "../../models/page";
import { managementRoute } from "../management-route";
import { orNotFound } from "../or-not-found";
import { pageBody } from "../page-body";
import { announce, deviceBlacklistedEvent } from "../../webhooks/license-events";
import { sendDeliveries } from "../../webhooks/webhook-consumer";

/** A device changed: its license's counter objects forget what they knew before the change is answered. */
async function invalidated<T extends { license_id: number }>(env: Env, device: T): Promise<T> {
  await invalidateLicenseCounters(env, device.license_id);
  return device;
}

export const managementDeviceRoutes = [
  managementRoute({
    method: "get",
    path: "/api/v1/licenses/{license_id}/devices",
    operationId: "listLicenseDevices",
    tag: "Devices",
    summary: "List a license's devices",
    params: LicensePath,
    query: PageQuery,
    response: page(DeviceResource),
    async handler({ params, query, env }) {
      orNotFound(await findLicense(env.DB, params.license_id), "License", params.license_id);
      return pageBody(await listDevices(env.DB, params.license_id, query.cursor ?? 0, query.limit));
    },
  }),
  managementRoute({
    method: "get",
    path: "/api/v1/devices/{device_id}/variables",
    operationId: "listDeviceVariables",
    tag: "Devices",
    summary: "The variables a device reported (track_device_variables, or with its activation)",
    params: DevicePath,
    response: z.object({ data: z.array(DeviceVariableResource) }),
    async handler({ params, env }) {
      orNotFound(await findDevice(env.DB, params.device_id), "Device", params.device_id);
      return { data: await deviceVariables(env.DB, params.device_id) };
    },
  }),
  managementRoute({
    method: "post",
    path: "/api/v1/devices/{device_id}/blacklist",
    operationId: "blacklistDevice",
    tag: "Devices",
    summary: "Blacklist a device: its License API requests fail with blacklisted, and it cannot activate again",
    params: DevicePath,
    response: DeviceResource,
    async handler({ params, env }) {
      // Blacklisting a device that is not blacklisted emits device.blacklisted (once, however many calls race).
      const subject = await deviceSubject(env.DB, params.device_id);
      const events = subject ? announce(deviceBlacklistedEvent(subject.license, subject.device, Date.now()), env.DB) : [];
      const { device, deliveries } = await setDeviceBlacklisted(env.DB, params.device_id, true, events);
      await sendDeliveries(env, deliveries);
      return invalidated(env, orNotFound(device, "Device", params.device_id));
    },
  }),
  managementRoute({
    method: "post",
    path: "/api/v1/devices/{device_id}/unblacklist",
    operationId: "unblacklistDevice",
    tag: "Devices",
    summary: "Take a device off the blacklist",
    params: DevicePath,
    response: DeviceResource,
    async handler({ params, env }) {
      return invalidated(env, orNotFound((await setDeviceBlacklisted(env.DB, params.device_id, false)).device, "Device", params.device_id));
    },
  }),
  managementRoute({
    method: "post",
    path: "/api/v1/devices/{device_id}/deactivate",
    operationId: "deactivateDevice",
    tag: "Devices",
    summary: "Deactivate a device: it frees its seat; its requests fail with device_not_found until it activates again",
    params: DevicePath,
    response: DeviceResource,
    async handler({ params, env }) {
      return invalidated(env, orNotFound(await deactivateDeviceById(env.DB, params.device_id), "Device", params.device_id));
    },
  }),
];
