// product_details and customer_license_users: what a vendor set through the management API, as clients read it.
import { beforeAll, describe, expect, it } from "vitest";
import { errorCode, getSigned, signedBody } from "../support/client";
import { createApiKey, type Credentials } from "../support/fixtures";
import { manageOk, uniqueCode } from "../support/management-client";

let credentials: Credentials;
beforeAll(async () => {
  credentials = await createApiKey({ readOnly: true, companyId: 1 });
});

describe("product_details", () => {
  it("answers the product as stored; custom fields and latest_version only when asked", async () => {
    const product = await manageOk("POST", "/api/v1/products", {
      short_code: uniqueCode("details"),
      name: "Details",
      authorization_method: "user",
      metadata: { edition: "studio", max: 3 },
    });
    const field = await manageOk("POST", `/api/v1/products/${product.id}/custom-fields`, { name: "region", default_value: "eu" });
    const plain = await signedBody<any>(await getSigned("/api/v4/product_details", { product: product.short_code }, credentials));
    expect(plain).toEqual({
      product_id: product.id,
      product_name: "Details",
      short_code: product.short_code,
      allow_trial: false,
      trial_days: 0,
      authorization_method: "user",
      floating_timeout: 0,
      allow_overages: false,
      max_overages: 0,
      prevent_vm: false,
      metadata: { edition: "studio", max: 3 },
      metadata_string: '{"edition":"studio","max":3}',
      company: { id: 1 },
    });
    const full = await signedBody<any>(
      await getSigned(
        "/api/v4/product_details",
        { product: product.short_code, include_custom_fields: true, include_latest_version: true, include_expired_features: false },
        credentials,
      ),
    );
    expect(full).toMatchObject({ latest_version: null, custom_fields: [{ id: field.id, name: "region", default_value: "eu" }] });

    await manageOk("PATCH", `/api/v1/products/${product.id}`, { metadata: { edition: "pro" } });
    expect(
      (await signedBody<any>(await getSigned("/api/v4/product_details", { product: product.short_code }, credentials))).metadata,
    ).toEqual({
      edition: "pro",
    });
  });

  it("unknown_product, missing_parameters, validation_error", async () => {
    expect(await errorCode(await getSigned("/api/v4/product_details", { product: "no-such-product" }, credentials))).toBe(
      "unknown_product",
    );
    expect(await errorCode(await getSigned("/api/v4/product_details", {}, credentials))).toBe("missing_parameters");
    expect(await errorCode(await getSigned("/api/v4/product_details", { product: "x", include_custom_fields: "yes" }, credentials))).toBe(
      "validation_error",
    );
  });
});

describe("customer_license_users", () => {
  it("lists the users of the customer's licenses of the product, newest license first", async () => {
    const product = await manageOk("POST", "/api/v1/products", { short_code: uniqueCode("cust"), name: "C", authorization_method: "user" });
    const other = await manageOk("POST", "/api/v1/products", { short_code: uniqueCode("other"), name: "O", authorization_method: "user" });
    const email = `${uniqueCode("buyer")}@example.com`;
    const customer = { email, company_name: "Buyer Inc", metadata: { vip: true } };
    const first = await manageOk("POST", "/api/v1/licenses", {
      product_id: product.id,
      users: [{ username: `${uniqueCode("a")}@example.com`, first_name: "A", password: "password-a" }],
      customer,
      order_store_id: "order-1",
      max_activations: 2,
    });
    // The same customer on another product's license: not listed here.
    await manageOk("POST", "/api/v1/licenses", { product_id: other.id, users: [{ username: `${uniqueCode("c")}@example.com` }], customer });
    const second = await manageOk("POST", "/api/v1/licenses", {
      product_id: product.id,
      users: [{ username: `${uniqueCode("b")}@example.com`, last_name: "B" }],
      customer: { ...customer, email: email.toUpperCase(), city: "Split" },
    });
    await manageOk("POST", "/api/v1/licenses", { product_id: product.id, users: [{ username: `${uniqueCode("d")}@example.com` }] });

    const body = await signedBody<any>(
      await getSigned("/api/v4/customer_license_users", { product: product.short_code, customer: email }, credentials),
    );
    expect(body.company).toEqual({ id: 1 });
    // The customer as the newest license sold to the email (any product) stores it; emails match case-insensitively.
    expect(body.customer).toMatchObject({
      email: email.toUpperCase(),
      company_name: "Buyer Inc",
      city: "Split",
      customer_account: null,
      metadata: { vip: true },
    });
    expect(body.users.map((user: any) => user.license_id)).toEqual([second.id, first.id]);
    expect(body.users[1]).toEqual({
      email: first.users[0],
      first_name: "A",
      last_name: "",
      phone_number: "",
      is_active: true,
      is_initial_password: true,
      initial_password: "",
      allow_unlimited_activations: false,
      max_activations: 2,
      total_activations: 0,
      license_id: first.id,
      order_id: 0,
      order_store_id: "order-1",
    });
    expect(body.users[0].order_store_id).toBe("");

    // A known customer without licenses of a product has no users there.
    const none = await manageOk("POST", "/api/v1/products", { short_code: uniqueCode("none"), name: "N", authorization_method: "user" });
    expect(
      (await signedBody<any>(await getSigned("/api/v4/customer_license_users", { product: none.short_code, customer: email }, credentials)))
        .users,
    ).toEqual([]);
  });

  it("unknown_product, invalid_product_auth_method, customer_does_not_exist, missing_parameters", async () => {
    const keyProduct = await manageOk("POST", "/api/v1/products", { short_code: uniqueCode("keys"), name: "K" });
    const userProduct = await manageOk("POST", "/api/v1/products", {
      short_code: uniqueCode("u"),
      name: "U",
      authorization_method: "user",
    });
    const ask = (query: Record<string, string>) => getSigned("/api/v4/customer_license_users", query, credentials);
    expect(await errorCode(await ask({ product: "no-such-product", customer: "x@example.com" }))).toBe("unknown_product");
    expect(await errorCode(await ask({ product: keyProduct.short_code, customer: "x@example.com" }))).toBe("invalid_product_auth_method");
    expect(await errorCode(await ask({ product: userProduct.short_code, customer: "nobody-bought@example.com" }))).toBe(
      "customer_does_not_exist",
    );
    expect(await errorCode(await ask({ product: userProduct.short_code }))).toBe("missing_parameters");
  });
});
