// The license and device events (docs/usage-and-webhooks.md "Events"), each recorded in the D1
// transaction of the write that caused it, on the condition that the write changes something: of
// several calls racing to disable a license, blacklist a device or activate a new one, exactly one
// announces it; a call that changes nothing announces nothing.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { eventually } from "../support/audit";
import { postSigned } from "../support/client";
import { createApiKey, createFixture } from "../support/fixtures";
import { manage, uniqueCode, vendorSetup } from "../support/management-client";
import { received, receiverUrl, registerEndpoint, verified } from "../support/webhooks";

const settle = () => new Promise((resolve) => setTimeout(resolve, 2_000));

describe("license and device events", () => {
  it(
    "license.disabled and device.blacklisted: once however many calls race, none for a call that changes nothing",
    { timeout: 30_000 },
    async () => {
      const name = uniqueCode("license");
      const endpoint = await registerEndpoint({ url: receiverUrl(`ok/${name}`), events: ["license.disabled", "device.blacklisted"] });
      const setup = await vendorSetup();
      const calls = [
        ...Array.from({ length: 5 }, () => manage("POST", `/api/v1/licenses/${setup.license.id}/disable`)),
        ...Array.from({ length: 5 }, () => manage("POST", `/api/v1/devices/${setup.deviceId}/blacklist`)),
      ];
      for (const response of await Promise.all(calls)) expect(response.status).toBe(200);
      await eventually(async () => (await received(name)).length >= 2, "two events");
      // Disabled and blacklisted already: these change nothing.
      expect((await manage("POST", `/api/v1/licenses/${setup.license.id}/disable`)).status).toBe(200);
      expect((await manage("POST", `/api/v1/devices/${setup.deviceId}/blacklist`)).status).toBe(200);
      await settle();
      const bodies = (await received(name)).map((webhook) => verified(endpoint.secret, webhook));
      expect(bodies.map((body) => body.type).sort()).toEqual(["device.blacklisted", "license.disabled"]);
      const subject = { license_id: setup.license.id, license_key: setup.identity.license_key, product: setup.product.short_code };
      expect(bodies.find((body) => body.type === "license.disabled")!.data).toEqual(subject);
      expect(bodies.find((body) => body.type === "device.blacklisted")!.data).toEqual({
        ...subject,
        device_id: setup.deviceId,
        hardware_id: setup.identity.hardware_id,
      });
    },
  );

  it("archiving an enabled license announces license.disabled once; archiving it again, or a disabled one, announces nothing", async () => {
    const name = uniqueCode("archive");
    const endpoint = await registerEndpoint({ url: receiverUrl(`ok/${name}`), events: ["license.disabled"] });
    const enabled = await vendorSetup();
    const disabled = await vendorSetup();
    expect((await manage("POST", `/api/v1/licenses/${disabled.license.id}/disable`)).status).toBe(200);
    await eventually(async () => (await received(name)).length >= 1, "the disabling");
    for (const setup of [enabled, enabled, disabled]) {
      expect((await manage("POST", `/api/v1/licenses/${setup.license.id}/archive`)).status).toBe(200);
    }
    await eventually(async () => (await received(name)).length >= 2, "the archiving");
    await settle();
    const bodies = (await received(name)).map((webhook) => verified(endpoint.secret, webhook));
    expect(bodies.map((body) => body.data.license_id)).toEqual([disabled.license.id, enabled.license.id]);
  });

  it("device.activated: once for a device activated by racing calls, none when it was active already", { timeout: 30_000 }, async () => {
    const name = uniqueCode("activated");
    const endpoint = await registerEndpoint({ url: receiverUrl(`ok/${name}`), events: ["device.activated"] });
    const credentials = await createApiKey();
    const fixture = await createFixture({ noDevice: true, license: { maxActivations: 3 } });
    const activate = () => postSigned("/api/v4/activate_license", fixture.identity, credentials);
    for (const response of await Promise.all(Array.from({ length: 4 }, activate))) {
      expect(response.status).toBe(200);
      await response.body?.cancel();
    }
    await eventually(async () => (await received(name)).length >= 1, "device.activated");
    const again = await activate();
    expect(again.status).toBe(200);
    await again.body?.cancel();
    await settle();
    const bodies = (await received(name)).map((webhook) => verified(endpoint.secret, webhook));
    expect(bodies).toEqual([
      expect.objectContaining({
        type: "device.activated",
        data: {
          license_id: fixture.licenseId,
          license_key: fixture.licenseKey,
          product: fixture.productCode,
          hardware_id: fixture.hardwareId,
        },
      }),
    ]);
  });

  it(
    "device.activated: none for an activation refused as a transfer past max_transfers, one for the device's own seat back",
    { timeout: 30_000 },
    async () => {
      const name = uniqueCode("transfer");
      await registerEndpoint({ url: receiverUrl(`ok/${name}`), events: ["device.activated"] });
      const credentials = await createApiKey();
      const fixture = await createFixture({ noDevice: true, license: { maxActivations: 1 } });
      await env.DB.prepare("UPDATE licenses SET max_transfers = -1 WHERE id = ?").bind(fixture.licenseId).run();
      const as = (hardwareId: string) => ({ ...fixture.identity, hardware_id: hardwareId });
      const send = async (path: string, hardwareId: string, status: number) => {
        const response = await postSigned(path, as(hardwareId), credentials);
        expect(response.status, `${path} ${hardwareId}`).toBe(status);
        await response.body?.cancel();
      };
      await send("/api/v4/activate_license", "first", 200);
      await send("/api/v4/deactivate_license", "first", 200);
      await send("/api/v4/activate_license", "second", 400); // license_transferred_max_times
      await send("/api/v4/activate_license", "first", 200);
      await eventually(async () => (await received(name)).length >= 2, "two device.activated");
      await settle();
      expect(
        (await received(name)).map((webhook) => (JSON.parse(webhook.body) as { data: { hardware_id: string } }).data.hardware_id),
      ).toEqual(["first", "first"]);
    },
  );
});
