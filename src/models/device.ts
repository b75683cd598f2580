/** A device activated on a license (identified by the client's hardware id), and the variables it reports. */
import { z } from "zod";
import { decimal, resourceId } from "./fields";

export const DevicePath = z.object({ device_id: decimal("device_id") });

export const DeviceResource = z
  .object({
    id: resourceId(),
    license_id: resourceId(),
    hardware_id: z.string(),
    active: z.boolean(),
    blacklisted: z.boolean(),
    created_at: z.string(),
  })
  .meta({ id: "Device" });
export type DeviceResource = z.infer<typeof DeviceResource>;

/** A variable a device reported (track_device_variables or activate_license). */
export const DeviceVariableResource = z
  .object({
    id: resourceId(),
    device_id: resourceId(),
    variable: z.string(),
    value: z.string(),
    /** When the current value was written. */
    created_at: z.string(),
  })
  .meta({ id: "DeviceVariable" });
export type DeviceVariableResource = z.infer<typeof DeviceVariableResource>;
