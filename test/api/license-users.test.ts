// user_licenses, change_password, and which of a user's licenses a request without license_id means.
import { beforeAll, describe, expect, it } from "vitest";
import { errorCode, getSigned, postSigned, signedBody } from "../support/client";
import { createApiKey, type Credentials } from "../support/fixtures";
import { manageOk, uniqueCode } from "../support/management-client";

let credentials: Credentials;
beforeAll(async () => {
  credentials = await createApiKey({ companyId: 1 });
});

const PASSWORD = "first-password";

/** A user-based product, and `count` licenses of it for one user, issued one after another (oldest first). */
async function userWithLicenses(count: number, password = PASSWORD) {
  const product = await manageOk("POST", "/api/v1/products", {
    short_code: uniqueCode("users"),
    name: "Users",
    authorization_method: "user",
  });
  await manageOk("POST", `/api/v1/products/${product.id}/features`, { code: "exports", name: "Exports", max_consumption: 10 });
  const username = `${uniqueCode("person")}@example.com`;
  const licenses: Array<{ id: number }> = [];
  for (let i = 0; i < count; i++) {
    licenses.push(
      await manageOk("POST", "/api/v1/licenses", {
        product_id: product.id,
        users: [{ username, password, first_name: "Pat" }],
        max_activations: 3,
        order_store_id: `order-${i}`,
      }),
    );
  }
  return { product: product.short_code as string, productId: product.id as number, username, licenses };
}

describe("a user with several licenses of one product, without license_id", () => {
  it("gets the most recently created license, on every endpoint; license_id picks another", async () => {
    const { product, username, licenses } = await userWithLicenses(2);
    const [older, newer] = licenses as [{ id: number }, { id: number }];
    const identity = { product, username, hardware_id: uniqueCode("hw") };

    const activated = await signedBody<any>(await postSigned("/api/v4/activate_license", { ...identity, password: PASSWORD }, credentials));
    expect(activated.id).toBe(newer.id);
    expect((await signedBody<any>(await getSigned("/api/v4/check_license", identity, credentials))).id).toBe(newer.id);
    const consumed = await signedBody<any>(
      await postSigned("/api/v4/add_feature_consumption", { ...identity, feature: "exports", consumptions: 2 }, credentials),
    );
    expect(consumed.license_id).toBe(newer.id);

    // The older license is reached with license_id (never activated so far, it is not active yet).
    expect(await errorCode(await getSigned("/api/v4/check_license", { ...identity, license_id: older.id }, credentials))).toBe(
      "license_not_active",
    );
    await signedBody(await postSigned("/api/v4/activate_license", { ...identity, password: PASSWORD, license_id: older.id }, credentials));
    expect((await signedBody<any>(await getSigned("/api/v4/check_license", { ...identity, license_id: older.id }, credentials))).id).toBe(
      older.id,
    );
  });
});

describe("user_licenses", () => {
  it("lists the licenses the username and password open, newest first, with the user", async () => {
    const { product, username, licenses } = await userWithLicenses(3);
    const body = await signedBody<any[]>(await getSigned("/api/v4/user_licenses", { product, username, password: PASSWORD }, credentials));
    expect(body.map((entry) => entry.license.id)).toEqual(licenses.map((license) => license.id).reverse());
    expect(body[0]).toMatchObject({
      license: { license_active: false, license_enabled: true, order_store_id: "order-2", product_details: { short_code: product } },
      user: { email: username, first_name: "Pat", is_initial_password: true },
    });
    expect(body[0].license).not.toHaveProperty("device_id");
  });

  it("lists only the licenses the password opens, and accepts read-only keys", async () => {
    const opened = await userWithLicenses(1);
    // Another license of the same user on the same product, with another password.
    await manageOk("POST", "/api/v1/licenses", {
      product_id: opened.productId,
      users: [{ username: opened.username, password: "another-password" }],
    });
    const readOnly = await createApiKey({ readOnly: true, companyId: 1 });
    const body = await signedBody<any[]>(
      await getSigned("/api/v4/user_licenses", { product: opened.product, username: opened.username, password: PASSWORD }, readOnly),
    );
    expect(body.map((entry) => entry.license.id)).toEqual([opened.licenses[0]!.id]);
  });

  it("the errors, in their order", async () => {
    const { product, username } = await userWithLicenses(1);
    const keyProduct = await manageOk("POST", "/api/v1/products", { short_code: uniqueCode("keys"), name: "Keys" });
    const ask = (query: Record<string, string>) => getSigned("/api/v4/user_licenses", query, credentials);
    expect(await errorCode(await ask({ product, password: PASSWORD }))).toBe("missing_parameters");
    expect(await errorCode(await ask({ product, username }))).toBe("missing_parameters");
    expect(await errorCode(await ask({ product, id_token: "token", customer_account_code: "acme" }))).toBe("not_supported");
    expect(await errorCode(await ask({ product: "no-such-product", username, password: PASSWORD }))).toBe("unknown_product");
    expect(await errorCode(await ask({ product: keyProduct.short_code, username, password: PASSWORD }))).toBe(
      "invalid_product_auth_method",
    );
    // An unknown user is answered as a wrong password, byte for byte (test/security/user-lookup-timing.test.ts: after the same work).
    const unknownUser = await ask({ product, username: "nobody@example.com", password: PASSWORD });
    const wrongPassword = await ask({ product, username, password: "wrong-password" });
    expect(await unknownUser.text()).toBe(await wrongPassword.text());
    expect(await errorCode(await ask({ product, username, password: "wrong-password" }))).toBe("invalid_password");
  });
});

describe("change_password", () => {
  const change = (body: Record<string, unknown>) => postSigned("/api/v4/change_password", body, credentials);

  it("changes the password on every license it opens; the old one stops working", async () => {
    const { product, username, licenses } = await userWithLicenses(2);
    const response = await change({ username, password: PASSWORD, new_password: "second-password" });
    expect(await signedBody(response)).toBe("password_changed");

    const listed = await signedBody<any[]>(
      await getSigned("/api/v4/user_licenses", { product, username, password: "second-password" }, credentials),
    );
    expect(listed.map((entry) => entry.license.id).sort()).toEqual(licenses.map((license) => license.id).sort());
    expect(listed.every((entry) => entry.user.is_initial_password === false)).toBe(true);
    const identity = { product, username, hardware_id: uniqueCode("hw") };
    expect(await errorCode(await postSigned("/api/v4/activate_license", { ...identity, password: PASSWORD }, credentials))).toBe(
      "invalid_password",
    );
    await signedBody(await postSigned("/api/v4/activate_license", { ...identity, password: "second-password" }, credentials));
  });

  it("the errors", async () => {
    const { username } = await userWithLicenses(1);
    expect(await errorCode(await change({ username, password: PASSWORD }))).toBe("missing_parameters");
    expect(await errorCode(await change({ username, password: PASSWORD, new_password: "short" }))).toBe("validation_error");
    expect(await errorCode(await change({ username: "nobody@example.com", password: PASSWORD, new_password: "long-enough" }))).toBe(
      "invalid_password",
    );
    expect(await errorCode(await change({ username, password: "not-the-password", new_password: "long-enough" }))).toBe("invalid_password");
    const readOnly = await createApiKey({ readOnly: true, companyId: 1 });
    expect(
      await errorCode(await postSigned("/api/v4/change_password", { username, password: PASSWORD, new_password: "long-enough" }, readOnly)),
    ).toBe("read_only_api_key");
  });
});
