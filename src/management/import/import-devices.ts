/**
 * Imports the devices activated on licenses (LicenseSpring's license devices), so clients go on
 * without activating again. A device already here (same license, same hardware id) is left as it
 * is: a client may have deactivated it since, and a retried import must not undo that. Imported
 * active devices take activation seats even beyond max_activations (they are activated already);
 * new activations are then refused until enough of them are deactivated.
 */
import type { ManagementActor } from "../../auth/management-roles";
import { invalidateLicenseCounters } from "../../counter/counter-stubs";
import { deviceImportStatements, findDevices, type DeviceInsertRow } from "../../db/devices";
import { existingLicenseIds } from "../../db/license-writes";
import type { NumberedRow } from "../../http/read-import-body";
import type { ImportDeviceRow } from "../../models/import-rows";
import { RowErrors, commitImport, rejectRepeats } from "./row-errors";

/** Hardware ids are compared exactly, as the License API does (devices are UNIQUE per license and hardware id). */
const deviceKey = (licenseId: number, hardwareId: string) => JSON.stringify([licenseId, hardwareId]);

export async function importDevices(env: Env, actor: ManagementActor, rows: Array<NumberedRow<ImportDeviceRow>>, errors: RowErrors) {
  rejectRepeats(rows, (device) => deviceKey(device.license_id, device.hardware_id), "hardware_id", errors);
  const pairs = rows.map(({ value }) => [value.license_id, value.hardware_id] as const);
  const [licenses, stored] = await Promise.all([
    existingLicenseIds(
      env.DB,
      rows.map(({ value }) => value.license_id),
    ),
    findDevices(env.DB, pairs),
  ]);
  for (const { row, value } of rows) {
    if (!licenses.has(value.license_id)) errors.add(row, "license_id", `no license ${value.license_id} here: import the licenses first`);
  }
  errors.throwIfAny();

  const storedKeys = new Set(stored.map((device) => deviceKey(device.license_id, device.hardware_id)));
  const fresh: DeviceInsertRow[] = rows
    .filter(({ value }) => !storedKeys.has(deviceKey(value.license_id, value.hardware_id)))
    .map(({ value }) => ({ ...value, created_at: value.created_at ?? null }));
  await commitImport(env.DB, deviceImportStatements(env.DB, fresh), {
    actor,
    action: "import.devices",
    after: { rows: rows.length, devices_created: fresh.length, license_ids: [...new Set(fresh.map((device) => device.license_id))] },
  });
  // The counter objects of these licenses decide with their devices: they forget them before this
  // answers. All the rows' licenses, not only those that got a device now: if an earlier call wrote
  // its devices but failed before telling the counters, sending the same rows again repairs it.
  await invalidateLicenseCounters(env, [...new Set(rows.map(({ value }) => value.license_id))]);

  const ids = new Map((await findDevices(env.DB, pairs)).map((device) => [deviceKey(device.license_id, device.hardware_id), device.id]));
  return {
    kind: "devices" as const,
    rows: rows.length,
    results: rows.map(({ row, value }) => ({
      row,
      id: ids.get(deviceKey(value.license_id, value.hardware_id))!,
      license_id: value.license_id,
      hardware_id: value.hardware_id,
    })),
  };
}
