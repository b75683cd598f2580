/**
 * Device variables (table device_variables): what a device reports about itself
 * (track_device_variables, or `variables` on activate_license), one value per name.
 */
import type { DeviceVariableResource } from "../models/device";

/** How many variables one device may hold: the bound on what a client (whose shared key ships inside the app) can store. */
export const MAX_DEVICE_VARIABLES = 100;

/**
 * Which device the statements below are about: by id (?1), or the active device of a license with a
 * hardware id (?6, ?7), for a batch that activates it first (activate_license).
 */
type DeviceRef = { id: number } | { licenseId: number; hardwareId: string };
const deviceSql = (device: DeviceRef) =>
  "id" in device ? "?1" : "(SELECT id FROM devices WHERE license_id = ?6 AND hardware_id = ?7 AND active = 1)";
const deviceBinds = (device: DeviceRef): unknown[] =>
  "id" in device ? [device.id] : [null, null, null, null, null, device.licenseId, device.hardwareId];

/** A device's variables, in the order their names were first reported. */
export async function deviceVariables(db: D1Database, deviceId: number): Promise<DeviceVariableResource[]> {
  const { results } = await deviceVariablesStatement(db, { id: deviceId }).all<DeviceVariableResource>();
  return results;
}

/** The statement deviceVariables runs, for a batch. */
export function deviceVariablesStatement(db: D1Database, device: DeviceRef): D1PreparedStatement {
  return db
    .prepare(`SELECT id, device_id, variable, value, created_at FROM device_variables WHERE device_id = ${deviceSql(device)} ORDER BY id`)
    .bind(...deviceBinds(device));
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
  if (Object.keys(variables).length === 0) return true;
  return variablesWritten(variables, await writeDeviceVariablesStatement(db, { id: deviceId }, variables, writtenAt).all());
}

/** The statement writeDeviceVariables runs, for a batch; variablesWritten reads its result. */
export function writeDeviceVariablesStatement(
  db: D1Database,
  device: DeviceRef,
  variables: Record<string, string>,
  writtenAt: string,
): D1PreparedStatement {
  const binds = deviceBinds(device);
  binds[1] = writtenAt;
  binds[2] = JSON.stringify(variables);
  binds[3] = Object.keys(variables).length;
  binds[4] = MAX_DEVICE_VARIABLES;
  return db
    .prepare(
      `INSERT INTO device_variables (device_id, variable, value, created_at)
       SELECT target.id, j.key, j.value, ?2 FROM (SELECT ${deviceSql(device)} AS id) target, json_each(?3) j
       WHERE target.id IS NOT NULL
         AND (SELECT COUNT(*) FROM device_variables WHERE device_id = target.id AND variable NOT IN (SELECT key FROM json_each(?3))) + ?4 <= ?5
       ON CONFLICT (device_id, variable) DO UPDATE SET value = excluded.value, created_at = excluded.created_at
       RETURNING id`,
    )
    .bind(...binds);
}

/** Whether writeDeviceVariablesStatement wrote every variable (false: over the bound, nothing written). */
export const variablesWritten = (variables: Record<string, string>, result: D1Result) =>
  result.results.length === Object.keys(variables).length;
