// Entitlement dates and policies, and device transfers (docs/protocol.md "Transfers" and
// "Entitlement dates and policies"): stored and answered as the vendor sets them, enforced where
// the server can (transfers, start_date, the grace period, prevent_vm), through HTTP. The clock is
// vitest's fake Date, which the Worker and its objects read too.
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { errorCode, getSigned, postSigned, signedBody } from "../support/client";
import type { Credentials } from "../support/fixtures";
import { manage, manageOk, managementError, uniqueCode } from "../support/management-client";

const T0 = Date.parse("2031-07-01T09:00:00.000Z");
const HOUR = 3_600_000;

let credentials: Credentials;
let productId: number;
let productCode: string;
beforeAll(async () => {
  const key = await manageOk("POST", "/api/v1/api-keys", {});
  credentials = { id: key.id, apiKey: key.api_key, sharedKey: key.shared_key };
  const product = await manageOk("POST", "/api/v1/products", { short_code: uniqueCode("entitled"), name: "Entitled" });
  productId = product.id;
  productCode = product.short_code;
  await manageOk("POST", `/api/v1/products/${productId}/features`, { code: "exports", name: "Exports", max_consumption: 10 });
});
beforeEach(() => {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(T0);
});
afterEach(() => {
  vi.useRealTimers();
});

async function issue(terms: Record<string, unknown>) {
  const license = await manageOk("POST", "/api/v1/licenses", { product_id: productId, ...terms });
  const as = (hardwareId: string) => ({ product: productCode, license_key: license.license_key as string, hardware_id: hardwareId });
  return {
    id: license.id as number,
    activate: (hardwareId: string, extra: Record<string, unknown> = {}) =>
      postSigned("/api/v4/activate_license", { ...as(hardwareId), ...extra }, credentials),
    deactivate: (hardwareId: string) => postSigned("/api/v4/deactivate_license", as(hardwareId), credentials),
    check: (hardwareId: string) => getSigned("/api/v4/check_license", as(hardwareId), credentials),
  };
}

const transfers = async (licenseId: number) => (await manageOk("GET", `/api/v1/licenses/${licenseId}`)).transfer_count as number;

describe("device transfers", () => {
  it("LicenseSpring's example: A, then B, then A again is two transfers; re-activating the same device is none", async () => {
    const license = await issue({ max_activations: 1 });
    await signedBody(await license.activate("A"));
    await signedBody(await license.deactivate("A"));
    await signedBody(await license.activate("A"));
    expect(await transfers(license.id)).toBe(0);
    await signedBody(await license.deactivate("A"));
    await signedBody(await license.activate("B"));
    expect(await transfers(license.id)).toBe(1);
    await signedBody(await license.deactivate("B"));
    const back = await signedBody(await license.activate("A"));
    expect(back).toMatchObject({ transfer_count: 2, max_transfers: 0 });
  });

  it("a free seat taken after another device's deactivation is a transfer; a seat never used is not", async () => {
    const license = await issue({ max_activations: 3 });
    await signedBody(await license.activate("A"));
    await signedBody(await license.activate("B"));
    expect(await transfers(license.id)).toBe(0);
    await signedBody(await license.deactivate("A"));
    await signedBody(await license.activate("C"));
    expect(await transfers(license.id)).toBe(1);
  });

  it("max_transfers N: the N+1th transfer is license_transferred_max_times; the device's own seat back is still allowed", async () => {
    const license = await issue({ max_activations: 1, max_transfers: 1 });
    await signedBody(await license.activate("A"));
    await signedBody(await license.deactivate("A"));
    await signedBody(await license.activate("B"));
    await signedBody(await license.deactivate("B"));
    expect(await errorCode(await license.activate("A"))).toBe("license_transferred_max_times");
    expect(await signedBody(await license.activate("B"))).toMatchObject({ transfer_count: 1, max_transfers: 1 });
  });

  it("max_transfers -1: the license stays with its devices; license_activated_max_times comes first when no seat is free", async () => {
    const license = await issue({ max_activations: 1, max_transfers: -1 });
    await signedBody(await license.activate("A"));
    expect(await errorCode(await license.activate("B"))).toBe("license_activated_max_times");
    await signedBody(await license.deactivate("A"));
    expect(await errorCode(await license.activate("B"))).toBe("license_transferred_max_times");
    await signedBody(await license.activate("A"));
    expect(await transfers(license.id)).toBe(0);
  });

  it("a vendor's deactivation leaves a seat to transfer too", async () => {
    const license = await issue({ max_activations: 1, max_transfers: 1 });
    await signedBody(await license.activate("A"));
    const [device] = (await manageOk("GET", `/api/v1/licenses/${license.id}/devices`)).data;
    await manageOk("POST", `/api/v1/devices/${device.id}/deactivate`);
    await signedBody(await license.activate("B"));
    expect(await transfers(license.id)).toBe(1);
  });

  it("devices racing for the last transfer: exactly one takes it", async () => {
    const license = await issue({ max_activations: 3, max_transfers: 1 });
    for (const hardwareId of ["A", "B", "C"]) await signedBody(await license.activate(hardwareId));
    for (const hardwareId of ["A", "B", "C"]) await signedBody(await license.deactivate(hardwareId));
    // Three free seats, each left by a deactivation: every new device would be a transfer, and one is allowed.
    const racers = ["R1", "R2", "R3", "R4", "R5", "R6"];
    const answers = await Promise.all(racers.map((hardwareId) => license.activate(hardwareId)));
    const codes = await Promise.all(answers.map(async (answer) => (answer.status === 200 ? "200" : await errorCode(answer))));
    expect(codes.filter((code) => code === "200")).toHaveLength(1);
    expect(codes.filter((code) => code === "license_transferred_max_times")).toHaveLength(5);
    expect(await transfers(license.id)).toBe(1);
  });

  it("the SDK's reading of max_transfers: answered as set", async () => {
    const license = await issue({ max_transfers: 3 });
    expect(await signedBody(await license.activate("A"))).toMatchObject({ max_transfers: 3, transfer_count: 0 });
  });
});

describe("start_date", () => {
  it("no activation before it (license_not_started); devices activated before a later start keep working", async () => {
    const license = await issue({ max_activations: 3, start_date: new Date(T0 + 2 * HOUR).toISOString() });
    expect(await errorCode(await license.activate("A"))).toBe("license_not_started");
    vi.setSystemTime(T0 + 2 * HOUR);
    expect(await signedBody(await license.activate("A"))).toMatchObject({ start_date: new Date(T0 + 2 * HOUR).toISOString() });
    await manageOk("PATCH", `/api/v1/licenses/${license.id}`, { start_date: new Date(T0 + 10 * HOUR).toISOString() });
    await signedBody(await license.check("A"));
    expect(await errorCode(await license.activate("B"))).toBe("license_not_started");
  });
});

describe("the grace period", () => {
  it("the license stays valid grace_period hours past validity_period when allowed, then license_expired", async () => {
    const license = await issue({
      license_type: "subscription",
      validity_period: new Date(T0 + HOUR).toISOString(),
      allow_grace_period: true,
      grace_period: 24,
    });
    expect(await signedBody(await license.activate("A"))).toMatchObject({ allow_grace_period: true, grace_period: 24 });
    vi.setSystemTime(T0 + 2 * HOUR);
    expect(await signedBody(await license.check("A"))).toMatchObject({ is_expired: false });
    vi.setSystemTime(T0 + 25 * HOUR);
    expect(await errorCode(await license.check("A"))).toBe("license_expired");
  });

  it("without allow_grace_period the hours are not answered (the SDK would add them) and do not apply", async () => {
    const license = await issue({ validity_period: new Date(T0 + HOUR).toISOString(), allow_grace_period: true, grace_period: 24 });
    // The vendor turns the grace period off; the hours are kept for later.
    expect(await manageOk("PATCH", `/api/v1/licenses/${license.id}`, { allow_grace_period: false })).toMatchObject({ grace_period: 24 });
    expect(await signedBody(await license.activate("A"))).toMatchObject({ allow_grace_period: false, grace_period: 0 });
    vi.setSystemTime(T0 + HOUR);
    expect(await errorCode(await license.check("A"))).toBe("license_expired");
  });
});

describe("prevent_vm, maintenance_period, allow_offline_activation", () => {
  it("an activation that says it runs in a virtual machine is vm_not_allowed on a prevent_vm license", async () => {
    const license = await issue({ max_activations: 2, prevent_vm: true });
    expect(await errorCode(await license.activate("vm", { is_vm: true }))).toBe("vm_not_allowed");
    expect(await signedBody(await license.activate("metal", { is_vm: false }))).toMatchObject({ prevent_vm: true });
    const open = await issue({});
    await signedBody(await open.activate("vm", { is_vm: true }));
  });

  it("answered as set: maintenance_period (and enable_maintenance_period), allow_offline_activation", async () => {
    const license = await issue({ maintenance_period: "2032-01-01T00:00:00Z", allow_offline_activation: false });
    expect(await signedBody(await license.activate("A"))).toMatchObject({
      enable_maintenance_period: true,
      maintenance_period: "2032-01-01T00:00:00.000Z",
      allow_offline_activation: false,
    });
    const defaults = await issue({});
    expect(await signedBody(await defaults.activate("A"))).toMatchObject({
      enable_maintenance_period: false,
      maintenance_period: null,
      allow_offline_activation: true,
      start_date: null,
      prevent_vm: false,
      max_transfers: 0,
    });
  });
});

describe("the management API and import carry the fields", () => {
  it("issue, get, PATCH and validation", async () => {
    const license = await manageOk("POST", "/api/v1/licenses", { product_id: productId, max_transfers: 2, prevent_vm: true });
    expect(license).toMatchObject({ max_transfers: 2, transfer_count: 0, prevent_vm: true, allow_offline_activation: true });
    const patched = await manageOk("PATCH", `/api/v1/licenses/${license.id}`, {
      max_transfers: -1,
      allow_grace_period: true,
      grace_period: 48,
      maintenance_period: "2033-01-01T00:00:00+02:00",
    });
    expect(patched).toMatchObject({
      max_transfers: -1,
      allow_grace_period: true,
      grace_period: 48,
      maintenance_period: "2032-12-31T22:00:00.000Z",
    });
    const bad = await manage("PATCH", `/api/v1/licenses/${license.id}`, { max_transfers: -2 });
    expect((await managementError(bad)).code).toBe("validation_error");
  });

  it("settings that can never work are refused (docs/management-api.md): a grace period of 0 hours, or hours without it; a start after the end", async () => {
    const refused = async (method: string, path: string, body: unknown) =>
      (await managementError(await manage(method, path, body))).message;
    expect(await refused("POST", "/api/v1/licenses", { product_id: productId, allow_grace_period: true })).toBe(
      "grace_period: allow_grace_period needs at least 1 (hours)",
    );
    expect(await refused("POST", "/api/v1/licenses", { product_id: productId, grace_period: 24 })).toBe(
      "grace_period: 24 takes effect only with allow_grace_period: true (send both, or neither)",
    );
    const license = await manageOk("POST", "/api/v1/licenses", {
      product_id: productId,
      license_type: "time-limited",
      validity_period: "2032-01-01T00:00:00Z",
    });
    expect(await refused("PATCH", `/api/v1/licenses/${license.id}`, { start_date: "2032-01-01T00:00:00Z" })).toBe(
      "start_date: the license ends (validity_period 2032-01-01T00:00:00.000Z) before it can be activated",
    );
    expect(await refused("PATCH", `/api/v1/licenses/${license.id}`, { allow_grace_period: true })).toBe(
      "grace_period: allow_grace_period needs at least 1 (hours)",
    );
    await manageOk("PATCH", `/api/v1/licenses/${license.id}`, {
      start_date: "2031-12-31T00:00:00Z",
      allow_grace_period: true,
      grace_period: 1,
    });
  });

  it("an import keeps the fields and the transfers a license already had", async () => {
    const id = 8_100_000_000_000 + Math.floor(Math.random() * 1_000_000);
    const response = await manage("POST", "/api/v1/import/licenses", [
      {
        id,
        product: productCode,
        license_key: uniqueCode("IMPORTED"),
        max_activations: 1,
        max_transfers: 2,
        transfer_count: 2,
        start_date: "2031-01-01T00:00:00Z",
        prevent_vm: true,
      },
    ]);
    expect(response.status).toBe(200);
    const imported = await manageOk("GET", `/api/v1/licenses/${id}`);
    expect(imported).toMatchObject({ max_transfers: 2, transfer_count: 2, start_date: "2031-01-01T00:00:00.000Z", prevent_vm: true });
    // The two transfers it had are counted: no third.
    const as = (hardwareId: string) => ({ product: productCode, license_key: imported.license_key, hardware_id: hardwareId });
    await signedBody(await postSigned("/api/v4/activate_license", as("A"), credentials));
    await signedBody(await postSigned("/api/v4/deactivate_license", as("A"), credentials));
    expect(await errorCode(await postSigned("/api/v4/activate_license", as("B"), credentials))).toBe("license_transferred_max_times");
  });
});
