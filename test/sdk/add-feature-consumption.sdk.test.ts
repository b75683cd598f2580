// The official client, unchanged, against our service: it signs requests its way and verifies
// every response signature with the public key the service serves.
import { LicenseAPI } from "@licensespring/node-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateSigningKeyPair } from "../../scripts/local-setup.mjs";
import { startLocalService, type LocalService } from "./local-service";

let service: LocalService;
let api: LicenseAPI;

beforeAll(async () => {
  service = await startLocalService();
  // The public key as a client would obtain it: downloaded from the running service.
  const servedKey = await (await fetch(`${service.apiPath}/public_key`)).text();
  expect(servedKey.replace(/\s+/g, "")).toBe(service.publicKey.replace(/\s+/g, ""));
  api = new LicenseAPI({
    apiKey: service.credentials.apiKey,
    sharedKey: service.credentials.sharedKey,
    apiPath: service.apiPath,
    publicKey: servedKey,
    appName: "edge-license-api tests",
    appVersion: "1.0.0",
  });
});

afterAll(async () => {
  await service?.stop();
});

describe("@licensespring/node-sdk LicenseAPI.addFeatureConsumption", () => {
  it("succeeds on a key-based license and the SDK verifies the signature", async () => {
    const { demo } = service;
    const first = await api.addFeatureConsumption({
      product: demo.keyProduct,
      license_key: demo.licenseKey,
      hardware_id: demo.hardwareId,
      feature: demo.feature,
      consumptions: 3,
    });
    expect(first).toMatchObject({
      id: 1,
      license_id: 1,
      total_consumptions: 3,
      max_consumptions: 1000,
      allow_overages: true,
      max_overages: 100,
    });
    const second = await api.addFeatureConsumption({
      product: demo.keyProduct,
      license_key: demo.licenseKey,
      hardware_id: demo.hardwareId,
      feature: demo.feature,
      consumptions: 1,
    });
    expect(second.total_consumptions).toBe(4);
  });

  it("succeeds on a user-based license", async () => {
    const { demo } = service;
    const response = await api.addFeatureConsumption({
      product: demo.userProduct,
      username: demo.username,
      hardware_id: demo.hardwareId,
      feature: demo.userFeature,
      consumptions: 2,
    });
    expect(response.total_consumptions).toBe(2);
  });

  it("surfaces a documented error as the SDK's thrown body", async () => {
    const { demo } = service;
    const error = await api
      .addFeatureConsumption({
        product: demo.userProduct,
        username: demo.username,
        hardware_id: demo.hardwareId,
        feature: demo.userFeature,
        consumptions: 49,
      })
      .then(
        () => null,
        (thrown: unknown) => thrown,
      );
    expect(error).toEqual({ status: 400, code: "feature_not_enough_consumptions", message: expect.any(String) });
    const unknownDevice = await api
      .addFeatureConsumption({
        product: demo.keyProduct,
        license_key: demo.licenseKey,
        hardware_id: "not-activated",
        feature: demo.feature,
        consumptions: 1,
      })
      .then(
        () => null,
        (thrown: unknown) => thrown,
      );
    expect(unknownDevice).toMatchObject({ status: 400, code: "device_not_found" });
  });

  it("rejects a response signed with another key (the SDK really verifies)", async () => {
    const { demo } = service;
    const otherKey = generateSigningKeyPair().publicKey;
    const wrongKeyApi = new LicenseAPI({
      apiKey: service.credentials.apiKey,
      sharedKey: service.credentials.sharedKey,
      apiPath: service.apiPath,
      publicKey: otherKey,
      appName: "t",
      appVersion: "1",
    });
    const error = await wrongKeyApi
      .addFeatureConsumption({
        product: demo.keyProduct,
        license_key: demo.licenseKey,
        hardware_id: demo.hardwareId,
        feature: demo.feature,
        consumptions: 1,
      })
      .then(
        () => null,
        (thrown: unknown) => thrown,
      );
    expect(error).toMatchObject({ code: "signature_v2_mismatch" });
  });
});
