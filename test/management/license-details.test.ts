// What a license answers beyond consumption, set through the management API: product metadata and
// custom fields, a license's metadata, order reference, user limit, trial marking, customer,
// custom field values, license users' names, license feature metadata; each read back through the License API.
import { describe, expect, it } from "vitest";
import { getSigned, postSigned, signedBody } from "../support/client";
import { manage, manageOk, managementError, uniqueCode, vendorSetup } from "../support/management-client";

const check = async (setup: Awaited<ReturnType<typeof vendorSetup>>) =>
  signedBody<any>(await getSigned("/api/v4/check_license", setup.identity, setup.credentials));

describe("license details", () => {
  it("issues a license with its details and answers them as stored", async () => {
    const setup = await vendorSetup(
      { max_consumption: 10, metadata: { unit: "export" } },
      {
        metadata: { plan: "annual" },
        order_store_id: "shop-123",
        is_trial: true,
        trial_days: 30,
        customer: { email: "c@example.com", company_name: "C Ltd", metadata: { tier: 2 } },
      },
    );
    const detail = await manageOk("GET", `/api/v1/licenses/${setup.license.id}`);
    expect(detail).toMatchObject({
      metadata: { plan: "annual" },
      order_store_id: "shop-123",
      max_license_users: 0,
      is_trial: true,
      trial_days: 30,
      customer: { email: "c@example.com", company_name: "C Ltd", first_name: "", metadata: { tier: 2 } },
      custom_fields: [],
      license_users: [],
    });
    expect(detail.features[0]).toMatchObject({ metadata: { unit: "export" }, overrides: { metadata: null } });
    const body = await check(setup);
    expect(body).toMatchObject({
      metadata: { plan: "annual" },
      order_store_id: "shop-123",
      is_trial: true,
      trial_days: 30,
      customer: { email: "c@example.com", company_name: "C Ltd", phone: "", customer_account: null, metadata: { tier: 2 } },
    });
    expect(body.product_features[0].metadata).toEqual({ unit: "export" });
  });

  it("PATCH changes details, replaces and removes the customer, sets and resets custom field values", async () => {
    const setup = await vendorSetup();
    const field = await manageOk("POST", `/api/v1/products/${setup.product.id}/custom-fields`, {
      name: "seats",
      data_type: "number",
      default_value: "5",
    });
    expect(field).toEqual({ id: expect.any(Number), product_id: setup.product.id, name: "seats", data_type: "number", default_value: "5" });
    expect((await manageOk("GET", `/api/v1/products/${setup.product.id}/custom-fields`)).data).toEqual([field]);
    expect((await check(setup)).custom_fields).toEqual([{ name: "seats", data_type: "number", value: "5" }]);
    expect((await check(setup)).customer).toMatchObject({ email: "", company_name: "", metadata: {} });

    const patched = await manageOk("PATCH", `/api/v1/licenses/${setup.license.id}`, {
      metadata: { a: [1, 2] },
      order_store_id: "o-1",
      customer: { email: "first@example.com", city: "Rijeka" },
      custom_fields: { seats: "12" },
    });
    expect(patched).toMatchObject({
      metadata: { a: [1, 2] },
      order_store_id: "o-1",
      customer: { email: "first@example.com", city: "Rijeka" },
    });
    expect(await check(setup)).toMatchObject({
      metadata: { a: [1, 2] },
      order_store_id: "o-1",
      customer: { email: "first@example.com", city: "Rijeka" },
      custom_fields: [{ name: "seats", value: "12" }],
    });

    // The customer is replaced as a whole; null custom field values go back to the default.
    await manageOk("PATCH", `/api/v1/licenses/${setup.license.id}`, {
      customer: { email: "second@example.com" },
      custom_fields: { seats: null },
    });
    expect(await check(setup)).toMatchObject({
      customer: { email: "second@example.com", city: "" },
      custom_fields: [{ name: "seats", value: "5" }],
    });
    await manageOk("PATCH", `/api/v1/licenses/${setup.license.id}`, { customer: null, order_store_id: null });
    expect(await check(setup)).toMatchObject({ customer: { email: "" }, order_store_id: null });
    expect((await manageOk("GET", `/api/v1/licenses/${setup.license.id}`)).customer).toBeNull();
  });

  it("license feature metadata overrides the product feature's; null inherits again", async () => {
    const setup = await vendorSetup({ max_consumption: 10, metadata: { from: "product" } });
    const path = `/api/v1/licenses/${setup.license.id}/features/${setup.featureCode}`;
    expect(await manageOk("PATCH", path, { metadata: { from: "license" } })).toMatchObject({
      metadata: { from: "license" },
      overrides: { metadata: { from: "license" } },
    });
    const feature = await signedBody<any>(
      await getSigned("/api/v4/check_license_feature", { ...setup.identity, feature: setup.featureCode }, setup.credentials),
    );
    expect(feature.metadata).toEqual({ from: "license" });
    await manageOk("PATCH", path, { metadata: null });
    expect((await check(setup)).product_features[0].metadata).toEqual({ from: "product" });
  });

  it("license users carry names; max_license_users bounds them", async () => {
    const product = await manageOk("POST", "/api/v1/products", { short_code: uniqueCode("u"), name: "U", authorization_method: "user" });
    const users = [1, 2, 3].map((i) => ({
      username: `${uniqueCode(`user${i}`)}@example.com`,
      first_name: `F${i}`,
      phone_number: `+38${i}`,
    }));
    const tooMany = await manage("POST", "/api/v1/licenses", { product_id: product.id, users, max_license_users: 2 });
    expect((await managementError(tooMany)).code).toBe("validation_error");
    const issued = await manageOk("POST", "/api/v1/licenses", { product_id: product.id, users, max_license_users: 3 });
    expect(issued.license_users[2]).toEqual({
      username: users[2]!.username,
      first_name: "F3",
      last_name: "",
      phone_number: "+383",
      is_initial_password: true,
    });
    expect((await managementError(await manage("PATCH", `/api/v1/licenses/${issued.id}`, { max_license_users: 2 }))).code).toBe(
      "validation_error",
    );
    expect((await manageOk("PATCH", `/api/v1/licenses/${issued.id}`, { max_license_users: 0 })).max_license_users).toBe(0);
  });

  it("refuses what does not fit", async () => {
    const setup = await vendorSetup();
    const patch = (body: unknown) => manage("PATCH", `/api/v1/licenses/${setup.license.id}`, body);
    for (const body of [
      {},
      { custom_fields: { nope: "1" } },
      { customer: { email: "not-an-email" } },
      { customer: { unknown_field: "x" } },
      { metadata: "{}" },
      { trial_days: -1 },
      { order_store_id: "" },
    ]) {
      expect((await managementError(await patch(body))).code, JSON.stringify(body)).toBe("validation_error");
    }
    expect((await managementError(await manage("PATCH", "/api/v1/licenses/999999999", { is_trial: true }))).code).toBe("not_found");
    const duplicate = { name: "dup" };
    await manageOk("POST", `/api/v1/products/${setup.product.id}/custom-fields`, duplicate);
    expect((await managementError(await manage("POST", `/api/v1/products/${setup.product.id}/custom-fields`, duplicate))).code).toBe(
      "conflict",
    );
    const issue = await manage("POST", "/api/v1/licenses", { product_id: setup.product.id, custom_fields: { missing: "1" } });
    expect((await managementError(issue)).code).toBe("validation_error");
    expect((await managementError(await manage("PATCH", `/api/v1/products/${setup.product.id}`, {}))).code).toBe("validation_error");
    expect((await managementError(await manage("PATCH", "/api/v1/products/999999999", { name: "x" }))).code).toBe("not_found");
  });

  it("a changed license detail is seen by the very next activation answer", async () => {
    const setup = await vendorSetup();
    await manageOk("PATCH", `/api/v1/licenses/${setup.license.id}`, { metadata: { v: 2 } });
    const activated = await signedBody<any>(await postSigned("/api/v4/activate_license", setup.identity, setup.credentials));
    expect(activated.metadata).toEqual({ v: 2 });
  });
});
