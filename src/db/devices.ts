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

/** Why an activation was refused: every seat is taken, or it would be one transfer too many (or a device is blacklisted meanwhile). */
export type ActivationRefusal = "license_activated_max_times" | "license_transferred_max_times" | "blacklisted";

/**
 * The activation's two conditions, on the state before it, for the license and hardware id the
 * placeholders `license` and `hardwareId` name. A seat: the device is active already, activations
 * are unlimited, or fewer than max_activations devices are active. A transfer is an activation that
 * takes the seat another device's deactivation left (transfer_pending): allowed without a limit
 * (max_transfers 0), never (-1), or while transfer_count < max_transfers; the device's own seat
 * back (it is active, or its own deactivation is pending) is no transfer. Shared with the
 * device.activated webhook event, which must decide exactly as the activation does.
 */
export function activationConditions(license: string, hardwareId: string): { seatFree: string; transferAllowed: string } {
  const terms = (column: string) => `(SELECT ${column} FROM licenses WHERE id = ${license})`;
  return {
    seatFree: `(EXISTS (SELECT 1 FROM devices WHERE license_id = ${license} AND hardware_id = ${hardwareId} AND active = 1)
      OR ${terms("allow_unlimited_activations")} = 1
      OR (SELECT COUNT(*) FROM devices WHERE license_id = ${license} AND active = 1) < ${terms("max_activations")})`,
    transferAllowed: `(${terms("max_transfers = 0 OR (max_transfers > 0 AND transfer_count < max_transfers)")} = 1
      OR EXISTS (SELECT 1 FROM devices WHERE license_id = ${license} AND hardware_id = ${hardwareId} AND (active = 1 OR transfer_pending = 1))
      OR NOT EXISTS (SELECT 1 FROM devices WHERE license_id = ${license} AND transfer_pending = 1 AND hardware_id != ${hardwareId}))`,
  };
}

const { seatFree: SEAT_FREE, transferAllowed: TRANSFER_ALLOWED } = activationConditions("?1", "?2");

/**
 * Activates `hardwareId` on the license when a seat is free and, if it is a transfer, the license
 * allows one more. The statements run in the caller's batch (one transaction: activate_license
 * writes the device's variables and tells the license's objects in the same one), so the
 * conditions are read and the device written with no other write in between: concurrent
 * activations cannot both take the last seat or the last transfer. The transfer itself is counted
 * by the triggers on devices (migrations/0021), inside the statement that activates. The first
 * activation also marks the license active and, on a trial with trial_days and no validity_period
 * yet, sets validity_period to `nowMs` + trial_days (LicenseSpring: "activate_date + trial_days =
 * validity_period"). `announce`, webhook event statements that decide on D1 as it is before the
 * activation (src/db/webhooks.ts), run first; `activationOutcome` reads the batch's results. A
 * blacklisted device is never re-activated (callers refuse it earlier; this is the backstop).
 */
export function activateDeviceStatements(
  db: D1Database,
  licenseId: number,
  hardwareId: string,
  nowMs: number,
  announce: readonly D1PreparedStatement[] = [],
): D1PreparedStatement[] {
  return [
    ...announce,
    db.prepare(`SELECT ${SEAT_FREE} AS seat_free, ${TRANSFER_ALLOWED} AS transfer_allowed`).bind(licenseId, hardwareId),
    db
      .prepare(
        `INSERT INTO devices (license_id, hardware_id, active)
         SELECT ?1, ?2, 1 WHERE ${SEAT_FREE} AND ${TRANSFER_ALLOWED}
         ON CONFLICT (license_id, hardware_id) DO UPDATE SET active = 1 WHERE blacklisted = 0
         RETURNING id`,
      )
      .bind(licenseId, hardwareId),
    // "Active" means "activated at least once": set on the first activation, kept afterwards.
    db
      .prepare(
        "UPDATE licenses SET active = 1 WHERE id = ?1 AND active = 0 AND EXISTS (SELECT 1 FROM devices WHERE license_id = ?1 AND active = 1)",
      )
      .bind(licenseId),
    db
      .prepare(
        `UPDATE licenses SET validity_period = strftime('%Y-%m-%dT%H:%M:%fZ', (?3 + trial_days * 86400000) / 1000.0, 'unixepoch')
         WHERE id = ?1 AND is_trial = 1 AND trial_days > 0 AND validity_period IS NULL
           AND EXISTS (SELECT 1 FROM devices WHERE license_id = ?1 AND hardware_id = ?2 AND active = 1)`,
      )
      .bind(licenseId, hardwareId, nowMs),
  ];
}

/** How many statements activateDeviceStatements makes besides `announce`. */
export const ACTIVATION_STATEMENTS = 4;

/**
 * From the results of a batch that starts with activateDeviceStatements (`announced`: how many
 * announce statements it was given): the device id, or why it was refused, and the ids of the
 * webhook deliveries the announce statements created.
 */
export function activationOutcome(
  results: D1Result[],
  announced: number,
): { outcome: { deviceId: number } | { refused: ActivationRefusal }; deliveries: number[] } {
  const deliveries = announced > 0 ? createdDeliveries(results, announced - 1) : [];
  const decision = (results[announced]!.results as Array<{ seat_free: number; transfer_allowed: number }>)[0];
  const row = (results[announced + 1]!.results as Array<{ id: number }>)[0];
  if (row) return { outcome: { deviceId: row.id }, deliveries };
  if (!decision?.seat_free) return { outcome: { refused: "license_activated_max_times" }, deliveries };
  if (!decision.transfer_allowed) return { outcome: { refused: "license_transferred_max_times" }, deliveries };
  return { outcome: { refused: "blacklisted" }, deliveries };
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
