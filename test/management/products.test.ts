// Products and product features through the management API: create, list (paginated), get, update defaults.
import { describe, expect, it } from "vitest";
import { errorCode, signedBody } from "../support/client";
import { consumeAs, manage, manageOk, managementError, uniqueCode, vendorSetup } from "../support/management-client";

describe("products", () => {
  it("creates a product (201) and gets it back", async () => {
    const shortCode = uniqueCode("app");
    const response = await manage("POST", "/api/v1/products", { short_code: shortCode, name: "My app", authorization_method: "user" });
    expect(response.status).toBe(201);
    const product = (await response.json()) as { id: number };
    expect(product).toMatchObject({ short_code: shortCode, name: "My app", authorization_method: "user", company_id: 1 });
    expect(await manageOk("GET", `/api/v1/products/${product.id}`)).toEqual(product);
  });

  it("refuses a taken short code with 409 conflict", async () => {
    const shortCode = uniqueCode("app");
    await manageOk("POST", "/api/v1/products", { short_code: shortCode, name: "A" });
    const again = await manage("POST", "/api/v1/products", { short_code: shortCode, name: "B" });
    expect(again.status).toBe(409);
    expect((await managementError(again)).code).toBe("conflict");
  });

  it("validates the body: missing fields, wrong types, unknown fields, bad codes, bad JSON, wrong content type", async () => {
    const missing = await managementError(await manage("POST", "/api/v1/products", { name: "no code" }));
    expect(missing).toMatchObject({ status: 400, code: "missing_parameters" });
    expect(missing.message).toMatch(/short_code/);
    const cases: Array<[unknown, RegExp]> = [
      [{ short_code: "has space", name: "x" }, /short_code may contain/],
      [{ short_code: "ok", name: 5 }, /^name: expected a string, got the number 5$/],
      [{ short_code: "ok", name: "x", authorization_method: "oauth" }, /authorization_method/],
      [{ short_code: "ok", name: "x", shortcode: "typo" }, /Unrecognized key/],
    ];
    for (const [body, message] of cases) {
      const error = await managementError(await manage("POST", "/api/v1/products", body));
      expect(error.code, JSON.stringify(body)).toBe("validation_error");
      expect(error.message).toMatch(message);
    }
    expect((await managementError(await manage("POST", "/api/v1/products", undefined, { rawBody: "{not json" }))).code).toBe(
      "invalid_json",
    );
    expect((await managementError(await manage("POST", "/api/v1/products", undefined, { rawBody: "[]" }))).code).toBe("validation_error");
    const textBody = await manage("POST", "/api/v1/products", undefined, { rawBody: "{}", headers: { "Content-Type": "text/plain" } });
    expect((await managementError(textBody)).code).toBe("invalid_content_type");
  });

  it("answers 404 for an unknown product and 400 for a non-numeric id", async () => {
    expect((await managementError(await manage("GET", "/api/v1/products/999999"))).code).toBe("not_found");
    expect((await managementError(await manage("GET", "/api/v1/products/abc"))).code).toBe("validation_error");
  });

  it("lists products in pages: limit, next_cursor, and the last page's null cursor", async () => {
    for (let i = 0; i < 5; i++) await manageOk("POST", "/api/v1/products", { short_code: uniqueCode("paged"), name: `P${i}` });
    const seen: number[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: { data: Array<{ id: number }>; next_cursor: string | null } = await manageOk(
        "GET",
        `/api/v1/products?limit=2${cursor ? `&cursor=${cursor}` : ""}`,
      );
      expect(page.data.length).toBeLessThanOrEqual(2);
      seen.push(...page.data.map((product) => product.id));
      cursor = page.next_cursor;
      pages++;
    } while (cursor !== null);
    const all = await manageOk("GET", "/api/v1/products?limit=200");
    expect(seen).toEqual(all.data.map((product: { id: number }) => product.id));
    expect(seen.length).toBeGreaterThanOrEqual(5);
    expect(pages).toBe(Math.ceil(seen.length / 2));
    for (const bad of ["limit=0", "limit=201", "limit=x", "cursor=abc", "unknown=1"]) {
      expect((await managementError(await manage("GET", `/api/v1/products?${bad}`))).code, bad).toBe("validation_error");
    }
  });
});

describe("product features", () => {
  it("adds features with defaults, lists them, refuses a duplicate code", async () => {
    const product = await manageOk("POST", "/api/v1/products", { short_code: uniqueCode("app"), name: "App" });
    const created = await manage("POST", `/api/v1/products/${product.id}/features`, {
      code: "exports",
      name: "Exports",
      max_consumption: 10,
      allow_overages: true,
      max_overages: 2,
    });
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({
      product_id: product.id,
      code: "exports",
      feature_type: "consumption",
      max_consumption: 10,
      allow_overages: true,
      max_overages: 2,
      allow_unlimited_consumptions: false,
      consumption_period: null,
      metadata: {},
    });
    await manageOk("POST", `/api/v1/products/${product.id}/features`, { code: "pro", name: "Pro", feature_type: "activation" });
    const list = await manageOk("GET", `/api/v1/products/${product.id}/features`);
    expect(list.data.map((feature: { code: string }) => feature.code)).toEqual(["exports", "pro"]);
    expect(list.next_cursor).toBeNull();
    const duplicate = await manage("POST", `/api/v1/products/${product.id}/features`, { code: "exports", name: "Again" });
    expect((await managementError(duplicate)).code).toBe("conflict");
    expect((await managementError(await manage("POST", "/api/v1/products/999999/features", { code: "x", name: "x" }))).code).toBe(
      "not_found",
    );
    expect((await managementError(await manage("GET", "/api/v1/products/999999/features"))).code).toBe("not_found");
    const badPeriod = await manage("POST", `/api/v1/products/${product.id}/features`, {
      code: "y",
      name: "y",
      consumption_period: "hourly",
    });
    expect((await managementError(badPeriod)).code).toBe("validation_error");
    const negative = await manage("POST", `/api/v1/products/${product.id}/features`, { code: "z", name: "z", max_consumption: -1 });
    expect((await managementError(negative)).message).toMatch(/max_consumption must not be negative/);
  });

  it("updates a feature's defaults; a license that inherits them is limited by the new value on its next request", async () => {
    const setup = await vendorSetup({ max_consumption: 100 });
    expect((await consumeAs(setup, 5)).status).toBe(200);
    const updated = await manageOk("PATCH", `/api/v1/products/${setup.product.id}/features/${setup.featureCode}`, {
      max_consumption: 5,
      name: "Renamed",
    });
    expect(updated).toMatchObject({ max_consumption: 5, name: "Renamed" });
    expect(await errorCode(await consumeAs(setup, 1))).toBe("feature_not_enough_consumptions");
    await manageOk("PATCH", `/api/v1/products/${setup.product.id}/features/${setup.featureCode}`, { max_consumption: 6 });
    expect(await signedBody<{ total_consumptions: number; max_consumptions: number }>(await consumeAs(setup, 1))).toMatchObject({
      total_consumptions: 6,
      max_consumptions: 6,
    });
  });

  it("validates updates: empty body, unknown fields, unknown feature", async () => {
    const setup = await vendorSetup();
    const path = `/api/v1/products/${setup.product.id}/features/${setup.featureCode}`;
    expect((await managementError(await manage("PATCH", path, {}))).message).toMatch(/at least one field/);
    expect((await managementError(await manage("PATCH", path, { feature_type: "activation" }))).code).toBe("validation_error");
    expect(
      (await managementError(await manage("PATCH", `/api/v1/products/${setup.product.id}/features/nope`, { max_consumption: 1 }))).code,
    ).toBe("not_found");
  });
});
