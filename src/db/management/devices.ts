/**
 * Devices of a license, for the management API (table devices). The License API looks the device
 * up on every request, so a blacklisting or deactivation applies to the very next request.
 */
import { keysetPage, type KeysetPage } from "./keyset-page";

export interface DeviceRecord {
  id: number;
  license_id: number;
  hardware_id: string;
  active: boolean;
  blacklisted: boolean;
  created_at: string;
}

interface DeviceRow {
  id: number;
  license_id: number;
  hardware_id: string;
  active: number;
  blacklisted: number;
  created_at: string;
}

const DEVICE_COLUMNS = "id, license_id, hardware_id, active, blacklisted, created_at";

export async function listDevices(db: D1Database, licenseId: number, cursor: number, limit: number): Promise<KeysetPage<DeviceRecord>> {
  const { results } = await db
    .prepare(`SELECT ${DEVICE_COLUMNS} FROM devices WHERE license_id = ? AND id > ? ORDER BY id LIMIT ?`)
    .bind(licenseId, cursor, limit + 1)
    .all<DeviceRow>();
  const page = keysetPage(results, limit);
  return { items: page.items.map(toDevice), nextCursor: page.nextCursor };
}

export async function findDevice(db: D1Database, deviceId: number): Promise<DeviceRecord | null> {
  const row = await db.prepare(`SELECT ${DEVICE_COLUMNS} FROM devices WHERE id = ?`).bind(deviceId).first<DeviceRow>();
  return row && toDevice(row);
}

/** Blacklists or un-blacklists a device; null when there is no such device. */
export async function setDeviceBlacklisted(db: D1Database, deviceId: number, blacklisted: boolean): Promise<DeviceRecord | null> {
  const row = await db
    .prepare(`UPDATE devices SET blacklisted = ? WHERE id = ? RETURNING ${DEVICE_COLUMNS}`)
    .bind(blacklisted ? 1 : 0, deviceId)
    .first<DeviceRow>();
  return row && toDevice(row);
}

/** Deactivates a device (it frees its activation seat; the client may activate again). Null when there is no such device. */
export async function deactivateDeviceById(db: D1Database, deviceId: number): Promise<DeviceRecord | null> {
  const row = await db.prepare(`UPDATE devices SET active = 0 WHERE id = ? RETURNING ${DEVICE_COLUMNS}`).bind(deviceId).first<DeviceRow>();
  return row && toDevice(row);
}

function toDevice(row: DeviceRow): DeviceRecord {
  return {
    id: row.id,
    license_id: row.license_id,
    hardware_id: row.hardware_id,
    active: row.active === 1,
    blacklisted: row.blacklisted === 1,
    created_at: row.created_at,
  };
}
