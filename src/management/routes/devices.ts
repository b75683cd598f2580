/** /api/v1/licenses/{license_id}/devices and /api/v1/devices/{device_id}/…: see and control a license's devices. */
import { z } from "zod";
import type { ManagementActor } from "../../auth/management-roles";
import { invalidateLicenseCounters } from "../../counter/counter-stubs";
import { activityStatement } from "../../db/activity";
import { deviceVariables } from "../../db/device-variables";
import { findDevice, listDevices, setDeviceFlag } from "../../db/devices";
import { findLicense } from "../../db/licenses";
import type { ActivityAction } from "../../models/activity";
import { DevicePath, DeviceResource, DeviceVariableResource } from "../../models/device";
import { LicensePath } from "../../models/license";
import { PageQuery, page } from "../../models/page";
import { managementRoute } from "../management-route";
import { orNotFound } from "../or-not-found";
import { pageBody } from "../page-body";
import { announce, deviceBlacklistedEvent } from "../../webhooks/license-events";
import { sendDeliveries } from "../../webhooks/webhook-consumer";
import { writableLicense } from "../writable-license";

/**
 * A vendor's change of a device, recorded in the activity log with it (when it changed anything);
 * its license's counter objects forget what they knew before the change is answered. A device of
 * an archived license is not changed (409). Blacklisting a device that is not blacklisted emits
 * device.blacklisted (once, however many calls race).
 */
const changeDevice = (action: ActivityAction, flag: "blacklisted" | "active", value: boolean) =>
  async function ({ params, env, actor }: { params: { device_id: number }; env: Env; actor: ManagementActor }) {
    const device = orNotFound(await findDevice(env.DB, params.device_id), "Device", params.device_id);
    const license = await writableLicense(env, device.license_id);
    const subject = { license_id: license.id, license_key: license.license_key, product: license.product_short_code };
    const events =
      flag === "blacklisted" && value
        ? announce(deviceBlacklistedEvent(subject, { device_id: device.id, hardware_id: device.hardware_id }, Date.now()), env.DB)
        : [];
    const { device: changed, deliveries } = await setDeviceFlag(env.DB, device.id, flag, value, events, [
      activityStatement(env.DB, actor, {
        action,
        target: { type: "device", id: device.id },
        licenseId: device.license_id,
        before: { hardware_id: device.hardware_id, [flag]: device[flag] },
        after: { hardware_id: device.hardware_id, [flag]: value },
        onlyIfChanged: true,
      }),
    ]);
    await invalidateLicenseCounters(env, device.license_id);
    await sendDeliveries(env, deliveries);
    return orNotFound(changed, "Device", params.device_id);
  };

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
    errors: { conflict: "the device's license is archived: restore it first" },
    tag: "Devices",
    summary: "Blacklist a device: its License API requests fail with blacklisted, and it cannot activate again",
    params: DevicePath,
    response: DeviceResource,
    handler: changeDevice("device.blacklisted", "blacklisted", true),
  }),
  managementRoute({
    method: "post",
    path: "/api/v1/devices/{device_id}/unblacklist",
    operationId: "unblacklistDevice",
    errors: { conflict: "the device's license is archived: restore it first" },
    tag: "Devices",
    summary: "Take a device off the blacklist",
    params: DevicePath,
    response: DeviceResource,
    handler: changeDevice("device.unblacklisted", "blacklisted", false),
  }),
  managementRoute({
    method: "post",
    path: "/api/v1/devices/{device_id}/deactivate",
    operationId: "deactivateDevice",
    errors: { conflict: "the device's license is archived: restore it first" },
    tag: "Devices",
    summary: "Deactivate a device: it frees its seat; its requests fail with device_not_found until it activates again",
    params: DevicePath,
    response: DeviceResource,
    handler: changeDevice("device.deactivated", "active", false),
  }),
];
