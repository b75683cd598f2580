// Text that is not well-formed Unicode (a lone UTF-16 surrogate, sent as a JSON escape such as
// "\ud800") is validation_error on every field, named in the message. Stored, it would read back as
// U+FFFD, so "\ud800" and "\udc00" would be two devices that look the same in the console and the
// audit log; hashed (passwords), two different strings would collide.
import { describe, expect, it } from "vitest";
import { postSigned } from "../support/client";
import { createApiKey, createFixture } from "../support/fixtures";
import { manage, manageOk, managementError, uniqueCode } from "../support/management-client";

const LONE_HIGH = "\ud800";
const LONE_LOW = "\udc00";

async function expectRefused(response: Response, field: string): Promise<void> {
  const body = (await response.json()) as { status: number; code: string; message: string };
  expect(body.code, body.message).toBe("validation_error");
  expect(body.message).toContain(field);
  expect(body.message).toMatch(/well-formed/);
}

describe("License API: lone surrogates are validation_error", () => {
  it("activating devices \\ud800 and \\udc00 is refused (they would both show as U+FFFD)", async () => {
    const credentials = await createApiKey();
    const fixture = await createFixture({ license: { maxActivations: 10 } });
    for (const hardwareId of [LONE_HIGH, LONE_LOW, `device-${LONE_HIGH}`, `${LONE_LOW}${LONE_HIGH}`]) {
      await expectRefused(
        await postSigned("/api/v4/activate_license", { ...fixture.identity, hardware_id: hardwareId }, credentials),
        "hardware_id",
      );
    }
    // A well-formed pair (an astral character) is fine.
    expect((await postSigned("/api/v4/activate_license", { ...fixture.identity, hardware_id: "device-😀" }, credentials)).status).toBe(200);
  });

  it("every field of add_feature_consumption, including the ones the server does not read", async () => {
    const credentials = await createApiKey();
    const fixture = await createFixture();
    const valid = { ...fixture.identity, feature: fixture.featureCode };
    for (const field of ["hardware_id", "product", "license_key", "feature", "bundle_code", "sdk_ver"]) {
      const body = { ...valid, [field]: `x${LONE_LOW}` };
      await expectRefused(await postSigned("/api/v4/add_feature_consumption", body, credentials), field);
    }
    await expectRefused(
      await postSigned("/api/v4/add_feature_consumption", { ...valid, hardware_details: { os: `x${LONE_HIGH}` } }, credentials),
      "hardware_details.os",
    );
    expect((await postSigned("/api/v4/add_feature_consumption", valid, credentials)).status).toBe(200);
  });

  it("username and password of a user-based activation", async () => {
    const credentials = await createApiKey();
    const fixture = await createFixture({ authorizationMethod: "user", password: "secret-password" });
    const body = { ...fixture.identity, password: "secret-password" };
    await expectRefused(
      await postSigned("/api/v4/activate_license", { ...body, username: `a${LONE_HIGH}@example.com` }, credentials),
      "username",
    );
    await expectRefused(await postSigned("/api/v4/activate_license", { ...body, password: `secret${LONE_HIGH}` }, credentials), "password");
    expect((await postSigned("/api/v4/activate_license", body, credentials)).status).toBe(200);
  });
});

describe("management API: lone surrogates are validation_error", () => {
  it("product and feature names, metadata keys and values, license keys, usernames and passwords", async () => {
    const product = await manageOk("POST", "/api/v1/products", { short_code: uniqueCode("wf"), name: "P" });
    const userProduct = await manageOk("POST", "/api/v1/products", {
      short_code: uniqueCode("wf"),
      name: "U",
      authorization_method: "user",
    });
    const cases: Array<[string, string, unknown, string]> = [
      ["POST", "/api/v1/products", { short_code: uniqueCode("wf"), name: `P${LONE_HIGH}` }, "name"],
      ["POST", `/api/v1/products/${product.id}/features`, { code: uniqueCode("f"), name: `F${LONE_LOW}` }, "name"],
      [
        "POST",
        `/api/v1/products/${product.id}/features`,
        { code: uniqueCode("f"), name: "F", metadata: { [`k${LONE_HIGH}`]: 1 } },
        "metadata",
      ],
      [
        "POST",
        `/api/v1/products/${product.id}/features`,
        { code: uniqueCode("f"), name: "F", metadata: { k: [`v${LONE_LOW}`] } },
        "metadata.k.0",
      ],
      ["POST", "/api/v1/licenses", { product_id: product.id, license_key: `KEY-${LONE_HIGH}` }, "license_key"],
      ["POST", "/api/v1/licenses", { product_id: userProduct.id, users: [{ username: `u${LONE_LOW}@example.com` }] }, "users.0.username"],
      [
        "POST",
        "/api/v1/licenses",
        { product_id: userProduct.id, users: [{ username: "u@example.com", password: `password${LONE_HIGH}` }] },
        "users.0.password",
      ],
    ];
    for (const [method, path, body, field] of cases) {
      const error = await managementError(await manage(method, path, body));
      expect(error.code, `${path} ${field}`).toBe("validation_error");
      expect(error.message, `${path} ${field}`).toContain(field);
      expect(error.message).toMatch(/well-formed/);
    }
  });
});
