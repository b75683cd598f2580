// track_device_variables / get_device_variables, variables sent with activate_license, and the vendor's view of them.
import { describe, expect, it } from "vitest";
import { errorCode, getSigned, postSigned, signedBody } from "../support/client";
import { MAX_DEVICE_VARIABLES } from "../../src/db/device-variables";
import { manage, manageOk, vendorSetup } from "../support/management-client";

describe("device variables", () => {
  it("stores variables per device, overwrites known names, and answers them as strings", async () => {
    const setup = await vendorSetup();
    const track = (variables: unknown) => postSigned("/api/v4/track_device_variables", { ...setup.identity, variables }, setup.credentials);
    const before = Date.now();
    const tracked = await signedBody<any[]>(await track({ os: "linux", cores: 8, gpu: true }));
    expect(tracked).toEqual([
      { variable: "os", value: "linux", device_id: setup.deviceId, created_at: expect.any(Number) },
      { variable: "cores", value: "8", device_id: setup.deviceId, created_at: expect.any(Number) },
      { variable: "gpu", value: "true", device_id: setup.deviceId, created_at: expect.any(Number) },
    ]);
    expect(tracked[0].created_at).toBeGreaterThanOrEqual(before);
    await signedBody(await track({ os: "windows" }));

    const listed = await signedBody<any[]>(await getSigned("/api/v4/get_device_variables", setup.identity, setup.credentials));
    expect(listed.map(({ variable, value, device_id }) => ({ variable, value, device_id }))).toEqual([
      { variable: "os", value: "windows", device_id: setup.deviceId },
      { variable: "cores", value: "8", device_id: setup.deviceId },
      { variable: "gpu", value: "true", device_id: setup.deviceId },
    ]);
    expect(listed[0]).toEqual({
      id: expect.any(Number),
      created_at: expect.stringMatching(/Z$/),
      variable: "os",
      value: "windows",
      device_id: setup.deviceId,
    });

    // The vendor sees the same.
    const vendorView = await manageOk("GET", `/api/v1/devices/${setup.deviceId}/variables`);
    expect(vendorView.data.map((v: any) => [v.variable, v.value])).toEqual([
      ["os", "windows"],
      ["cores", "8"],
      ["gpu", "true"],
    ]);
    expect((await manage("GET", "/api/v1/devices/999999999/variables")).status).toBe(404);
  });

  it("variables sent with activate_license are stored and listed in the activation answer", async () => {
    const setup = await vendorSetup();
    const other = { ...setup.identity, hardware_id: `${setup.hardwareId}-second` };
    const activated = await signedBody<any>(
      await postSigned("/api/v4/activate_license", { ...other, variables: { app: "2.1", licensed: false } }, setup.credentials),
    );
    expect(activated.variables.map(({ variable, value }: any) => [variable, value])).toEqual([
      ["app", "2.1"],
      ["licensed", "false"],
    ]);
    expect(activated.variables[0]).toEqual({
      variable: "app",
      value: "2.1",
      device_id: activated.device_id,
      created_at: expect.stringMatching(/Z$/),
    });
    const listed = await signedBody<any[]>(await getSigned("/api/v4/get_device_variables", other, setup.credentials));
    expect(listed.map((v) => v.variable)).toEqual(["app", "licensed"]);
  });

  it("holds at most MAX_DEVICE_VARIABLES names per device: beyond, nothing is written", async () => {
    const setup = await vendorSetup();
    const track = (variables: unknown) => postSigned("/api/v4/track_device_variables", { ...setup.identity, variables }, setup.credentials);
    const names = (from: number, count: number) => Object.fromEntries(Array.from({ length: count }, (_, i) => [`v${from + i}`, "x"]));
    await signedBody(await track(names(0, MAX_DEVICE_VARIABLES - 1)));
    expect(await errorCode(await track(names(1000, 2)))).toBe("validation_error");
    // Overwriting known names and adding the last one still fits.
    await signedBody(await track({ ...names(0, 10), last: "y" }));
    const listed = await signedBody<any[]>(await getSigned("/api/v4/get_device_variables", setup.identity, setup.credentials));
    expect(listed).toHaveLength(MAX_DEVICE_VARIABLES);
    expect(await errorCode(await track(names(0, MAX_DEVICE_VARIABLES + 1)))).toBe("validation_error");
    // Variables sent with a (re-)activation are bound the same way; the activation itself stands.
    const activation = await postSigned("/api/v4/activate_license", { ...setup.identity, variables: { one_more: "z" } }, setup.credentials);
    expect(await errorCode(activation)).toBe("validation_error");
    await signedBody(await getSigned("/api/v4/check_license", setup.identity, setup.credentials));
  });

  it("the documented errors and bad variables", async () => {
    const setup = await vendorSetup();
    const track = (extra: Record<string, unknown>) =>
      postSigned("/api/v4/track_device_variables", { ...setup.identity, variables: { a: "1" }, ...extra }, setup.credentials);
    const get = (extra: Record<string, string>) =>
      getSigned("/api/v4/get_device_variables", { ...setup.identity, ...extra }, setup.credentials);
    expect(await errorCode(await track({ product: "no-such-product" }))).toBe("unknown_product");
    expect(await errorCode(await track({ license_key: "NO-SUCH-KEY" }))).toBe("license_not_found");
    expect(await errorCode(await track({ hardware_id: "never-activated" }))).toBe("device_not_found");
    expect(await errorCode(await get({ hardware_id: "never-activated" }))).toBe("device_not_found");
    expect(await errorCode(await track({ variables: undefined }))).toBe("missing_parameters");
    expect(await errorCode(await track({ variables: ["a"] }))).toBe("validation_error");
    expect(await errorCode(await track({ variables: { nested: { a: 1 } } }))).toBe("validation_error");
    expect(await errorCode(await track({ variables: { "": "empty name" } }))).toBe("validation_error");
    await manageOk("POST", `/api/v1/devices/${setup.deviceId}/blacklist`);
    expect(await errorCode(await track({}))).toBe("blacklisted");
    expect(await errorCode(await get({}))).toBe("blacklisted");
    await manageOk("POST", `/api/v1/licenses/${setup.license.id}/disable`);
    expect(await errorCode(await get({}))).toBe("license_not_enabled");
  });
});
