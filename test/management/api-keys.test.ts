// License API keys through the management API: create (shared key once), list, read-only, revoke.
import { describe, expect, it } from "vitest";
import { errorCode, getSigned, signedBody } from "../support/client";
import { consumeAs, manage, manageOk, managementError, uniqueCode, vendorSetup } from "../support/management-client";

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
    expect(listed).toEqual({
      id: created.id,
      api_key: created.api_key,
      company_id: 1,
      product_ids: null,
      read_only: false,
      revoked: false,
      created_at: expect.any(String),
    });
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

  it("creates a key for a company, optionally limited to some of its products, and lists both", async () => {
    const product = (companyId: number) =>
      manageOk("POST", "/api/v1/products", { short_code: uniqueCode("keyed"), name: "P", company_id: companyId });
    const [a, b] = [await product(41), await product(41)];
    const created = await manageOk("POST", "/api/v1/api-keys", { company_id: 41, product_ids: [b.id, a.id, b.id] });
    expect(created).toMatchObject({ company_id: 41, product_ids: [a.id, b.id], read_only: false });
    const whole = await manageOk("POST", "/api/v1/api-keys", { company_id: 41 });
    expect(whole).toMatchObject({ company_id: 41, product_ids: null });
    const list = await manageOk("GET", "/api/v1/api-keys?limit=200");
    expect(list.data.find((key: { id: number }) => key.id === created.id)).toMatchObject({ company_id: 41, product_ids: [a.id, b.id] });
    expect(list.data.find((key: { id: number }) => key.id === whole.id)).toMatchObject({ company_id: 41, product_ids: null });
  });

  it("refuses product_ids that are not products of the key's company, and a bad company_id", async () => {
    const ofCompany1 = await manageOk("POST", "/api/v1/products", { short_code: uniqueCode("keyed"), name: "P" });
    const ofCompany42 = await manageOk("POST", "/api/v1/products", { short_code: uniqueCode("keyed"), name: "P", company_id: 42 });
    const cases: Array<[unknown, RegExp]> = [
      [
        { company_id: 42, product_ids: [ofCompany42.id, ofCompany1.id] },
        new RegExp(`product_ids: ${ofCompany1.id} is not a product of company 42`),
      ],
      [{ product_ids: [ofCompany42.id] }, new RegExp(`product_ids: ${ofCompany42.id} is not a product of company 1`)],
      [{ company_id: 42, product_ids: [987654321] }, /987654321 is not a product of company 42/],
      [{ company_id: 42, product_ids: [] }, /product_ids/],
      [{ company_id: 42, product_ids: ["1"] }, /product_ids/],
      [{ company_id: 0 }, /company_id/],
      [{ company_id: "42" }, /company_id/],
    ];
    const before = (await manageOk("GET", "/api/v1/api-keys?limit=200")).data.length;
    for (const [body, message] of cases) {
      const error = await managementError(await manage("POST", "/api/v1/api-keys", body));
      expect(error.code, JSON.stringify(body)).toBe("validation_error");
      expect(error.message).toMatch(message);
    }
    // No key was created by a refused request.
    expect((await manageOk("GET", "/api/v1/api-keys?limit=200")).data.length).toBe(before);
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
