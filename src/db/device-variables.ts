/**
 * Device variables (table device_variables): what a device reports about itself
 * (track_device_variables, or `variables` on activate_license), one value per name.
 */
import type { DeviceVariableResource } from "../models/device";

/** How many variables one device may hold: the bound on what a client (whose shared key ships inside the app) can store. */
export const MAX_DEVICE_VARIABLES = 100;

/** A device's variables, in the order their names were first reported. */
export async function deviceVariables(db: D1Database, deviceId: number): Promise<DeviceVariableResource[]> {
  const { results } = await db
    .prepare("SELECT id, device_id, variable, value, created_at FROM device_variables WHERE device_id = ? ORDER BY id")
    .bind(deviceId)
    .all<DeviceVariableResource>();
  return results;
}

/**
 * Writes every variable (new names are added, known names overwritten) unless the device would
 * then hold more than MAX_DEVICE_VARIABLES: one statement, so it is all or nothing and the bound
 * holds however many reports race. Returns false (and writes nothing) when over the bound.
 */
export async function writeDeviceVariables(
  db: D1Database,
  deviceId: number,
  variables: Record<string, string>,
  writtenAt: string,
): Promise<boolean> {
  const entries = JSON.stringify(variables);
  const count = Object.keys(variables).length;
  if (count === 0) return true;
  const { results } = await db
    .prepare(
      `INSERT INTO device_variables (device_id, variable, value, created_at)
       SELECT ?1, j.key, j.value, ?2 FROM json_each(?3) j
       WHERE (SELECT COUNT(*) FROM device_variables WHERE device_id = ?1 AND variable NOT IN (SELECT key FROM json_each(?3))) + ?4 <= ?5
       ON CONFLICT (device_id, variable) DO UPDATE SET value = excluded.value, created_at = excluded.created_at
       RETURNING id`,
    )
    .bind(deviceId, writtenAt, entries, count, MAX_DEVICE_VARIABLES)
    .all();
  return results.length === count;
}
