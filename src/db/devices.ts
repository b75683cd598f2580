/**
 * Devices (table devices): a device comes into being by activating on a license and stops being
 * able to consume by deactivating (License API); the vendor lists, blacklists and deactivates them
 * (management API) and imports them. The License API reads a request's device on every request
 * that names one, so a blacklisting or deactivation applies to the very next request.
 */
import { DeviceResource } from "../models/device";
import { NOW, insertRows, perChunk, readAll } from "./json-rows";
import { readPage, type KeysetPage } from "./keyset-page";
import { encodeRow, resourceRows, type RowOf } from "./row-codec";
import { createdDeliveries } from "./webhooks";

/** A device as stored. */
export type DeviceRow = RowOf<DeviceResource>;

const devices = resourceRows(DeviceResource);

/**
 * Activates `hardwareId` on the license unless that would exceed max_activations. One SQL
 * statement decides and writes, so concurrent activations of different devices cannot both take
 * the last seat. A blacklisted device is never re-activated (callers refuse it earlier; this is
 * the backstop). The statements run in the caller's batch (activate_license writes the device's
 * variables and tells the license's objects in the same one); `announce`, webhook event statements
 * that decide on D1 as it is before the activation (src/db/webhooks.ts), run first.
 * `activationOutcome` reads the batch's results.
 */
export function activateDeviceStatements(
  db: D1Database,
  licenseId: number,
  hardwareId: string,
  maxActivations: number,
  unlimited: boolean,
  announce: readonly D1PreparedStatement[] = [],
): D1PreparedStatement[] {
  return [
    ...announce,
    db
      .prepare(
        `INSERT INTO devices (license_id, hardware_id, active)
         SELECT ?1, ?2, 1
         WHERE EXISTS (SELECT 1 FROM devices WHERE license_id = ?1 AND hardware_id = ?2 AND active = 1)
            OR ?3 = 1
            OR (SELECT COUNT(*) FROM devices WHERE license_id = ?1 AND active = 1) < ?4
         ON CONFLICT (license_id, hardware_id) DO UPDATE SET active = 1 WHERE blacklisted = 0
         RETURNING id`,
      )
      .bind(licenseId, hardwareId, unlimited ? 1 : 0, maxActivations),
    // "Active" means "activated at least once": set on the first activation, kept afterwards.
    db
      .prepare(
        "UPDATE licenses SET active = 1 WHERE id = ?1 AND active = 0 AND EXISTS (SELECT 1 FROM devices WHERE license_id = ?1 AND active = 1)",
      )
      .bind(licenseId),
  ];
}

/**
 * From the results of a batch that starts with activateDeviceStatements (`announced`: how many
 * announce statements it was given): the device id, or null when the license is activated max
 * times, and the ids of the webhook deliveries the announce statements created.
 */
export function activationOutcome(results: D1Result[], announced: number): { deviceId: number | null; deliveries: number[] } {
  const row = (results[announced]!.results as Array<{ id: number }>)[0];
  return { deviceId: row ? row.id : null, deliveries: announced > 0 ? createdDeliveries(results, announced - 1) : [] };
}

/**
 * Deactivates the device, as the first statement of the caller's batch (deactivate_license tells
 * the license's objects in the same one); `deactivated` reads whether there was an active device
 * with that hardware id.
 */
export function deactivateDeviceStatement(db: D1Database, licenseId: number, hardwareId: string): D1PreparedStatement {
  return db
    .prepare("UPDATE devices SET active = 0 WHERE license_id = ? AND hardware_id = ? AND active = 1 RETURNING id")
    .bind(licenseId, hardwareId);
}

export const deactivated = (result: D1Result) => result.results.length > 0;

export async function listDevices(db: D1Database, licenseId: number, cursor: number, limit: number): Promise<KeysetPage<DeviceResource>> {
  return readPage(
    db
      .prepare(`SELECT ${devices.columns} FROM devices WHERE license_id = ? AND id > ? ORDER BY id LIMIT ?`)
      .bind(licenseId, cursor, limit + 1),
    limit,
    devices.decode,
  );
}

export async function findDevice(db: D1Database, deviceId: number): Promise<DeviceResource | null> {
  const row = await db.prepare(`SELECT ${devices.columns} FROM devices WHERE id = ?`).bind(deviceId).first<DeviceRow>();
  return row && devices.decode(row);
}

/**
 * A vendor's change of a device: blacklist, un-blacklist (`blacklisted`) or deactivate (`active` 0:
 * it frees its activation seat; the client may activate again), in one transaction with
 * `announce` (webhook event statements, run first: src/db/webhooks.ts) and `after` (its activity
 * entry). The UPDATE changes the row only when the device is not so already. The device as it is
 * now (null when there is no such device), and the new webhook deliveries' ids.
 */
export async function setDeviceFlag(
  db: D1Database,
  deviceId: number,
  flag: "blacklisted" | "active",
  value: boolean,
  announce: readonly D1PreparedStatement[] = [],
  after: D1PreparedStatement[] = [],
): Promise<{ device: DeviceResource | null; deliveries: number[] }> {
  const results = await db.batch([
    ...announce,
    db.prepare(`UPDATE devices SET ${flag} = ?1 WHERE id = ?2 AND ${flag} != ?1`).bind(value ? 1 : 0, deviceId),
    ...after,
  ]);
  return {
    device: await findDevice(db, deviceId),
    deliveries: announce.length > 0 ? createdDeliveries(results, announce.length - 1) : [],
  };
}

/** The devices here among (license, hardware id) pairs. */
export function findDevices(
  db: D1Database,
  pairs: ReadonlyArray<readonly [licenseId: number, hardwareId: string]>,
): Promise<Array<{ id: number; license_id: number; hardware_id: string }>> {
  return readAll(
    db,
    `SELECT d.id, d.license_id, d.hardware_id FROM json_each(?1) r
     JOIN devices d ON d.license_id = json_extract(r.value, '$[0]') AND d.hardware_id = json_extract(r.value, '$[1]')`,
    pairs,
  );
}

/** A device to import; `created_at` null: now. */
export type DeviceInsertRow = Omit<DeviceResource, "id" | "created_at"> & { created_at: string | null };

/**
 * The device writes of an import, and the licenses they make active ("active" means activated at
 * least once: a license with an active imported device is one). ON CONFLICT DO NOTHING: a device a
 * client activated meanwhile stays as it is.
 */
export function deviceImportStatements(db: D1Database, devices: readonly DeviceInsertRow[]): D1PreparedStatement[] {
  const rows = devices.map((device) => encodeRow(device));
  const activated = [...new Set(rows.filter((row) => row.active === 1).map((row) => row.license_id))];
  return [
    ...insertRows(db, "devices", rows, { fallback: { created_at: NOW }, onConflict: "ON CONFLICT (license_id, hardware_id) DO NOTHING" }),
    ...perChunk(db, "UPDATE licenses SET active = 1 WHERE active = 0 AND id IN (SELECT value FROM json_each(?1))", activated),
  ];
}
