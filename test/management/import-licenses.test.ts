// POST /api/v1/import/licenses: licenses keep their LicenseSpring id and key, with users,
// customer, feature values, custom fields and details; nothing is imported twice.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { MAX_PASSWORDS_PER_CALL } from "../../src/management/import/import-licenses";
import type { Credentials } from "../support/fixtures";
import { errorCode, getSigned, postSigned, signedBody } from "../support/client";
import { importError, importOk, importProduct, importRows, licenseSpringId } from "../support/import-client";
import { manageOk, uniqueCode } from "../support/management-client";

let credentials: Credentials;

beforeAll(async () => {
  const created = await manageOk("POST", "/api/v1/api-keys", {});
  credentials = { id: created.id, apiKey: created.api_key, sharedKey: created.shared_key };
});

const count = async (sql: string, ...values: unknown[]) =>
  (await env.DB.prepare(sql)
    .bind(...values)
    .first<number>("n")) ?? 0;

/** Rows of every table a license import writes, for these license ids. */
async function storedRows(ids: number[]) {
  const list = JSON.stringify(ids);
  const of = (table: string) => count(`SELECT COUNT(*) AS n FROM ${table} WHERE license_id IN (SELECT value FROM json_each(?))`, list);
  return {
    licenses: await count("SELECT COUNT(*) AS n FROM licenses WHERE id IN (SELECT value FROM json_each(?))", list),
    users: await of("license_users"),
    features: await of("license_features"),
    // The licenses' customers (customer rows the licenses name).
    customers: await count("SELECT COUNT(DISTINCT customer_id) AS n FROM licenses WHERE id IN (SELECT value FROM json_each(?))", list),
    customFields: await of("license_custom_fields"),
  };
}

describe("POST /api/v1/import/licenses", () => {
  it("imports key-based and user-based licenses with everything the management API shows, under their own ids", async () => {
    const keyProduct = await importProduct({
      features: [{ max_consumption: 100 }, { feature_type: "activation" }],
      customFields: ["seat_color"],
    });
    const userProduct = await importProduct({ authorizationMethod: "user" });
    const [metered, pro] = keyProduct.features as [string, string];
    const keyed = {
      id: licenseSpringId(),
      product: keyProduct.short_code,
      license_key: "H62K-C35N-BS2J-VZ13-" + uniqueCode("x"),
      license_type: "time-limited",
      validity_period: "2031-06-30T23:59:59Z",
      max_activations: 3,
      features: { [metered]: { max_consumption: 250, allow_overages: true, max_overages: 10, metadata: { tier: "gold" } } },
      metadata: { crm: "A-1" },
      order_store_id: "order-1",
      is_trial: true,
      trial_days: 14,
      customer: { email: "buyer@example.com", first_name: "Ada", company_name: "Acme" },
      custom_fields: { seat_color: "blue" },
      created_at: "2024-02-01T10:00:00Z",
    };
    const userBased = {
      id: licenseSpringId(),
      product: userProduct.short_code,
      license_type: "consumption",
      consumption: { max_consumptions: 40 },
      users: [
        { username: `${uniqueCode("user")}@example.com`, password: "init-pw", first_name: "Grace" },
        { username: `${uniqueCode("user")}@example.com`, is_initial_password: false },
      ],
      max_license_users: 5,
    };
    const summary = await importOk("licenses", [keyed, userBased]);
    expect(summary).toEqual({
      kind: "licenses",
      rows: 2,
      results: [
        { row: 1, id: keyed.id },
        { row: 2, id: userBased.id },
      ],
    });

    const license = await manageOk("GET", `/api/v1/licenses/${keyed.id}`);
    expect(license).toMatchObject({
      id: keyed.id,
      product_id: keyProduct.id,
      license_key: keyed.license_key,
      enabled: true,
      active: false,
      license_type: "time-limited",
      validity_period: "2031-06-30T23:59:59.000Z",
      max_activations: 3,
      created_at: "2024-02-01T10:00:00.000Z",
      metadata: { crm: "A-1" },
      order_store_id: "order-1",
      is_trial: true,
      trial_days: 14,
      customer: { email: "buyer@example.com", first_name: "Ada", company_name: "Acme", last_name: "", metadata: {} },
      custom_fields: [{ name: "seat_color", data_type: "text", value: "blue" }],
    });
    expect(license.features.map((feature: { code: string }) => feature.code)).toEqual([metered, pro]);
    expect(license.features[0]).toMatchObject({
      max_consumption: 250,
      allow_overages: true,
      max_overages: 10,
      metadata: { tier: "gold" },
      total_consumptions: 0,
    });

    const users = await manageOk("GET", `/api/v1/licenses/${userBased.id}`);
    expect(users).toMatchObject({
      license_key: null,
      license_type: "consumption",
      consumption: { max_consumptions: 40, total_consumptions: 0 },
      max_license_users: 5,
      license_users: [
        { username: userBased.users[0]!.username, first_name: "Grace", is_initial_password: true },
        { username: userBased.users[1]!.username, is_initial_password: false },
      ],
    });
    // The password is stored as a hash, and activates; the user without one cannot activate with a password yet.
    const hash = await env.DB.prepare("SELECT password_hash FROM license_users WHERE username = ?")
      .bind(userBased.users[0]!.username)
      .first<string>("password_hash");
    expect(hash).toMatch(/^pbkdf2-sha256\$100000\$/);
    const activate = (username: string, password: string) =>
      postSigned(
        "/api/v4/activate_license",
        { product: userProduct.short_code, username, password, hardware_id: uniqueCode("hw") },
        credentials,
      );
    expect((await signedBody(await activate(userBased.users[0]!.username, "init-pw"))).id).toBe(userBased.id);
    expect(await errorCode(await activate(userBased.users[1]!.username, "anything"))).toBe("invalid_password");
    // Clients find the license under its LicenseSpring id, as a stored license file sends it.
    const checked = await signedBody(
      await getSigned(
        "/api/v4/check_license",
        { product: userProduct.short_code, username: userBased.users[0]!.username, license_id: userBased.id, hardware_id: "none" },
        credentials,
      ).then(async (response) => {
        expect(await errorCode(response)).toBe("device_not_found");
        return postSigned(
          "/api/v4/activate_license",
          {
            product: keyProduct.short_code,
            license_key: keyed.license_key,
            license_id: keyed.id,
            hardware_id: uniqueCode("hw"),
          },
          credentials,
        );
      }),
    );
    expect(checked.id).toBe(keyed.id);
  });

  it("imports floating settings (license and feature), and the pools use them at once", async () => {
    const product = await importProduct({ features: [{ max_consumption: 10 }, { feature_type: "activation" }] });
    const [metered, pro] = product.features as [string, string];
    const row = {
      id: licenseSpringId(),
      product: product.short_code,
      license_key: uniqueCode("KEY"),
      max_activations: 5,
      is_floating_cloud: true,
      floating_users: 1,
      floating_timeout: 30,
      can_borrow: true,
      max_borrow_time: 24,
      features: { [pro]: { is_floating_cloud: true, floating_users: 2, floating_timeout: 15 } },
    };
    await importOk("licenses", [row]);
    const [first, second] = [uniqueCode("hw"), uniqueCode("hw")];
    await importOk("devices", [
      { license_id: row.id, hardware_id: first },
      { license_id: row.id, hardware_id: second },
    ]);
    const detail = await manageOk("GET", `/api/v1/licenses/${row.id}`);
    expect(detail).toMatchObject({
      is_floating_cloud: true,
      floating_users: 1,
      floating_timeout: 30,
      can_borrow: true,
      max_borrow_time: 24,
    });
    expect(detail.features.find((feature: { code: string }) => feature.code === pro)).toMatchObject({
      is_floating_cloud: true,
      floating_users: 2,
      floating_timeout: 15,
    });
    expect(detail.features.find((feature: { code: string }) => feature.code === metered)).toMatchObject({ is_floating_cloud: false });
    // One floating user: the first device's check takes the slot, the second is refused.
    const check = (hardwareId: string) =>
      getSigned(
        "/api/v4/check_license",
        { product: product.short_code, license_key: row.license_key, hardware_id: hardwareId },
        credentials,
      );
    expect((await check(first)).status).toBe(200);
    expect(await errorCode(await check(second))).toBe("floating_not_available");
  });

  it("floating settings that do not go together are bad rows", async () => {
    const product = await importProduct({ features: [{ feature_type: "activation" }] });
    const error = await importError(
      await importRows("licenses", [
        { id: licenseSpringId(), product: product.short_code, license_key: uniqueCode("KEY"), is_floating_cloud: true },
        { id: licenseSpringId(), product: product.short_code, license_key: uniqueCode("KEY"), can_borrow: true },
        {
          id: licenseSpringId(),
          product: product.short_code,
          license_key: uniqueCode("KEY"),
          features: { [product.features[0]!]: { is_floating_cloud: true } },
        },
      ]),
    );
    expect(error.errors).toEqual([
      { row: 1, field: "floating_users", message: "a floating cloud license or feature needs at least 1" },
      { row: 2, field: "max_borrow_time", message: "borrowing needs at least 1 (hours)" },
      { row: 3, field: `features.${product.features[0]}.floating_users`, message: "a floating cloud license or feature needs at least 1" },
    ]);
  });

  it("a retry changes nothing and answers the same, in either format", async () => {
    const product = await importProduct({ customFields: ["region"] });
    const userProduct = await importProduct({ authorizationMethod: "user" });
    const rows = [
      {
        id: licenseSpringId(),
        product: product.short_code,
        license_key: uniqueCode("KEY"),
        customer: { email: "a@example.com" },
        custom_fields: { region: "eu" },
      },
      { id: licenseSpringId(), product: userProduct.short_code, users: [{ username: `${uniqueCode("u")}@example.com`, password: "pw-1" }] },
    ];
    const first = await importOk("licenses", rows);
    const before = await storedRows(rows.map((row) => row.id));
    expect(before).toEqual({ licenses: 2, users: 1, features: 2, customers: 1, customFields: 1 });
    const hash = () =>
      env.DB.prepare("SELECT password_hash FROM license_users WHERE license_id = ?").bind(rows[1]!.id).first<string>("password_hash");
    const firstHash = await hash();

    expect(await importOk("licenses", rows, { format: "ndjson" })).toEqual(first);
    expect(await importOk("licenses", rows)).toEqual(first);
    expect(await storedRows(rows.map((row) => row.id))).toEqual(before);
    expect(await hash()).toBe(firstHash);
  });

  it("a license already here is left as it is; only a user without a password gets the row's", async () => {
    const product = await importProduct({ authorizationMethod: "user" });
    const username = `${uniqueCode("u")}@example.com`;
    const id = licenseSpringId();
    await importOk("licenses", [{ id, product: product.short_code, users: [{ username }], max_activations: 2 }]);
    const activate = (password: string) =>
      postSigned(
        "/api/v4/activate_license",
        { product: product.short_code, username, password, hardware_id: uniqueCode("hw") },
        credentials,
      );
    expect(await errorCode(await activate("from-licensespring"))).toBe("invalid_password");

    // Re-imported with the password (and other values): the password is set, nothing else changes.
    const again = {
      id,
      product: product.short_code,
      users: [{ username: username.toUpperCase(), password: "from-licensespring" }],
      max_activations: 9,
    };
    await importOk("licenses", [again]);
    expect((await signedBody(await activate("from-licensespring"))).max_activations).toBe(2);
    // A password is never replaced by an import (the user may have changed it here).
    await importOk("licenses", [{ ...again, users: [{ username, password: "another" }] }]);
    expect(await errorCode(await activate("another"))).toBe("invalid_password");
    expect((await signedBody(await activate("from-licensespring"))).id).toBe(id);
  });

  it("one bad row imports nothing, and every bad row is named with its field", async () => {
    const product = await importProduct();
    const userProduct = await importProduct({ authorizationMethod: "user" });
    const good = { id: licenseSpringId(), product: product.short_code, license_key: uniqueCode("KEY") };
    const rows = [
      good,
      { id: licenseSpringId(), product: "no-such-product", license_key: "K" },
      { id: licenseSpringId(), product: product.short_code },
      { id: licenseSpringId(), product: product.short_code, license_key: uniqueCode("KEY"), features: { nope: { max_consumption: 1 } } },
      { id: licenseSpringId(), product: userProduct.short_code, license_key: "K" },
      {
        id: licenseSpringId(),
        product: userProduct.short_code,
        users: [{ username: "Same@example.com" }, { username: "same@example.com" }],
        max_license_users: 1,
      },
      { id: good.id, product: product.short_code, license_key: uniqueCode("KEY") },
      { id: 12.5, product: product.short_code, license_key: "K", license_type: "forever" },
      { id: licenseSpringId(), product: product.short_code, license_key: uniqueCode("KEY"), custom_fields: { nope: "x" } },
      // As on issue (POST /api/v1/licenses): a license has at least one activation seat.
      { id: licenseSpringId(), product: product.short_code, license_key: uniqueCode("KEY"), max_activations: 0 },
    ];
    const error = await importError(await importRows("licenses", rows));
    expect(error.code).toBe("validation_error");
    expect(error.errors!.map((e) => [e.row, e.field])).toEqual([
      [2, "product"],
      [3, "license_key"],
      [4, `features.nope`],
      [5, "license_key"],
      [5, "users"],
      [6, "users.1.username"],
      [6, "max_license_users"],
      [7, "id"],
      [8, "id"],
      [8, "license_type"],
      [9, "custom_fields.nope"],
      [10, "max_activations"],
    ]);
    expect(error.errors![0]!.message).toContain('no product has the short code "no-such-product"');
    expect(error.message).toMatch(/^9 rows are invalid; nothing was imported: row 2: product: /);
    expect(await storedRows([good.id])).toMatchObject({ licenses: 0, features: 0 });
  });

  it("an id or a key already used by another license here is a bad row", async () => {
    const product = await importProduct();
    const issued = await manageOk("POST", "/api/v1/licenses", { product_id: product.id, license_key: uniqueCode("NATIVE") });
    const imported = { id: licenseSpringId(), product: product.short_code, license_key: uniqueCode("KEY") };
    await importOk("licenses", [imported]);
    const error = await importError(
      await importRows("licenses", [
        { id: licenseSpringId(), product: product.short_code, license_key: issued.license_key },
        { id: imported.id, product: product.short_code, license_key: uniqueCode("OTHER") },
        { id: issued.id, product: product.short_code, license_key: uniqueCode("OTHER") },
      ]),
    );
    expect(error.errors).toEqual([
      {
        row: 1,
        field: "license_key",
        message: `this product already has this license_key here, as license ${issued.id}: clients would send license_id ${(error.errors![0]!.message.match(/license_id (\d+)/) ?? [])[1]} and not find it`,
      },
      { row: 2, field: "id", message: `license ${imported.id} is already here, for another product or with another license_key` },
      { row: 3, field: "id", message: `license ${issued.id} is already here, for another product or with another license_key` },
    ]);
  });

  it(`hashes at most ${MAX_PASSWORDS_PER_CALL} passwords per call (validation_error, nothing imported)`, async () => {
    const product = await importProduct({ authorizationMethod: "user" });
    const rows = Array.from({ length: MAX_PASSWORDS_PER_CALL + 1 }, () => ({
      id: licenseSpringId(),
      product: product.short_code,
      users: [{ username: `${uniqueCode("u")}@example.com`, password: "pw" }],
    }));
    const error = await importError(await importRows("licenses", rows));
    expect(error).toMatchObject({ code: "validation_error" });
    expect(error.message).toContain(`${MAX_PASSWORDS_PER_CALL + 1} passwords`);
    expect(error.errors).toBeUndefined();
    expect((await storedRows(rows.map((row) => row.id))).licenses).toBe(0);
  });

  it("a new license of a user takes over at once from the user's older license (its counters forget)", async () => {
    const product = await importProduct({ authorizationMethod: "user" });
    const [feature] = product.features as [string];
    const username = `${uniqueCode("u")}@example.com`;
    const hardwareId = uniqueCode("hw");
    const older = licenseSpringId();
    const newer = licenseSpringId();
    await importOk("licenses", [{ id: older, product: product.short_code, users: [{ username }], created_at: "2023-01-01T00:00:00Z" }]);
    await importOk("devices", [{ license_id: older, hardware_id: hardwareId }]);
    const consume = () =>
      postSigned(
        "/api/v4/add_feature_consumption",
        { product: product.short_code, username, hardware_id: hardwareId, feature },
        credentials,
      );
    expect((await signedBody(await consume())).license_id).toBe(older);

    await importOk("licenses", [{ id: newer, product: product.short_code, users: [{ username }], created_at: "2024-01-01T00:00:00Z" }]);
    await importOk("devices", [{ license_id: newer, hardware_id: hardwareId }]);
    expect((await signedBody(await consume())).license_id).toBe(newer);
  });
});
