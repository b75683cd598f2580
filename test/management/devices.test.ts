// Devices through the management API: list, blacklist, un-blacklist, deactivate; the License API follows at once.
import { describe, expect, it } from "vitest";
import { errorCode, postSigned } from "../support/client";
import { consumeAs, manage, manageOk, managementError, vendorSetup } from "../support/management-client";

describe("devices", () => {
  it("lists a license's devices in pages", async () => {
    const setup = await vendorSetup();
    const second = { ...setup.identity, hardware_id: `${setup.hardwareId}-b` };
    expect((await postSigned("/api/v4/activate_license", second, setup.credentials)).status).toBe(200);
    const all = await manageOk("GET", `/api/v1/licenses/${setup.license.id}/devices`);
    expect(
      all.data.map((d: { hardware_id: string; active: boolean; blacklisted: boolean }) => [d.hardware_id, d.active, d.blacklisted]),
    ).toEqual([
      [setup.hardwareId, true, false],
      [second.hardware_id, true, false],
    ]);
    const first = await manageOk("GET", `/api/v1/licenses/${setup.license.id}/devices?limit=1`);
    expect(first.data).toHaveLength(1);
    const rest = await manageOk("GET", `/api/v1/licenses/${setup.license.id}/devices?limit=1&cursor=${first.next_cursor}`);
    expect(rest).toMatchObject({ data: [{ hardware_id: second.hardware_id }], next_cursor: null });
    expect((await managementError(await manage("GET", "/api/v1/licenses/999999/devices"))).code).toBe("not_found");
  });

  it("blacklists a device (requests and re-activation refused), then takes it off the blacklist", async () => {
    const setup = await vendorSetup();
    expect(await manageOk("POST", `/api/v1/devices/${setup.deviceId}/blacklist`)).toMatchObject({ id: setup.deviceId, blacklisted: true });
    expect(await errorCode(await consumeAs(setup))).toBe("blacklisted");
    expect(await errorCode(await postSigned("/api/v4/activate_license", setup.identity, setup.credentials))).toBe("blacklisted");
    expect(await manageOk("POST", `/api/v1/devices/${setup.deviceId}/unblacklist`)).toMatchObject({ blacklisted: false, active: true });
    expect((await consumeAs(setup)).status).toBe(200);
  });

  it("deactivates a device: device_not_found until the client activates again", async () => {
    const setup = await vendorSetup();
    expect(await manageOk("POST", `/api/v1/devices/${setup.deviceId}/deactivate`)).toMatchObject({ active: false });
    expect(await errorCode(await consumeAs(setup))).toBe("device_not_found");
    expect((await postSigned("/api/v4/activate_license", setup.identity, setup.credentials)).status).toBe(200);
    expect((await consumeAs(setup)).status).toBe(200);
  });

  it("answers 404 for unknown devices and 400 for bad ids", async () => {
    for (const action of ["blacklist", "unblacklist", "deactivate"]) {
      expect((await managementError(await manage("POST", `/api/v1/devices/999999/${action}`))).code).toBe("not_found");
      expect((await managementError(await manage("POST", `/api/v1/devices/-1/${action}`))).code).toBe("validation_error");
    }
  });
});
