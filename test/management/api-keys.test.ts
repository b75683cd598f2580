// License API keys through the management API: create (shared key once), list, read-only, revoke.
import { describe, expect, it } from "vitest";
import { errorCode, getSigned, signedBody } from "../support/client";
import { consumeAs, manage, manageOk, managementError, vendorSetup } from "../support/management-client";

describe("License API keys", () => {
  it("creates a key whose shared key is shown once and signs License API requests", async () => {
    const response = await manage("POST", "/api/v1/api-keys", {});
    expect(response.status).toBe(201);
    const created = (await response.json()) as { id: number; api_key: string; shared_key: string };
    expect(created).toMatchObject({
      api_key: expect.stringMatching(/^[0-9a-f]{32}$/),
      shared_key: expect.stringMatching(/^[A-Za-z0-9_-]{32}$/),
      read_only: false,
      revoked: false,
    });
    const list = await manageOk("GET", "/api/v1/api-keys?limit=200");
    const listed = list.data.find((key: { id: number }) => key.id === created.id);
    expect(listed).toEqual({ id: created.id, api_key: created.api_key, read_only: false, revoked: false, created_at: expect.any(String) });
    expect(JSON.stringify(list)).not.toContain(created.shared_key);

    const setup = await vendorSetup();
    const credentials = { id: created.id, apiKey: created.api_key, sharedKey: created.shared_key };
    expect((await consumeAs(setup, 1, credentials)).status).toBe(200);
  });

  it("creates a read-only key when asked, and validates the body", async () => {
    expect(await manageOk("POST", "/api/v1/api-keys", { read_only: true })).toMatchObject({ read_only: true });
    expect((await managementError(await manage("POST", "/api/v1/api-keys", { read_only: "yes" }))).code).toBe("validation_error");
    expect((await managementError(await manage("POST", "/api/v1/api-keys", { label: "x" }))).code).toBe("validation_error");
  });

  it("marks a key read-only: writes refused at once, reads still allowed", async () => {
    const setup = await vendorSetup();
    expect(await manageOk("POST", `/api/v1/api-keys/${setup.credentials.id}/read-only`)).toMatchObject({
      id: setup.credentials.id,
      read_only: true,
    });
    expect(await errorCode(await consumeAs(setup))).toBe("read_only_api_key");
    expect(await signedBody(await getSigned("/api/v4/check_license", setup.identity, setup.credentials))).toMatchObject({
      id: setup.license.id,
    });
  });

  it("revokes a key: its very next request is refused", async () => {
    const setup = await vendorSetup();
    expect((await consumeAs(setup)).status).toBe(200);
    expect(await manageOk("POST", `/api/v1/api-keys/${setup.credentials.id}/revoke`)).toMatchObject({ revoked: true });
    expect(await errorCode(await consumeAs(setup))).toBe("revoked_api_key");
    expect(await errorCode(await getSigned("/api/v4/check_license", setup.identity, setup.credentials))).toBe("revoked_api_key");
  });

  it("answers 404 for unknown keys", async () => {
    expect((await managementError(await manage("POST", "/api/v1/api-keys/999999/revoke"))).code).toBe("not_found");
    expect((await managementError(await manage("POST", "/api/v1/api-keys/999999/read-only"))).code).toBe("not_found");
  });
});
