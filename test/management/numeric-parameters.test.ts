// Numeric path ids and query values of the management API are decimal digits and nothing else:
// "0x1", "1e0", "1.0", " 1", "+1" and "01" all name 1 to Number(), and each is validation_error here,
// so one resource has one URL (caches, logs and access rules see the same id the handler does).
import { describe, expect, it } from "vitest";
import { manage, manageOk, managementError, uniqueCode } from "../support/management-client";

// Each as it appears in a URL (percent-encoded where a URL must encode it).
const NOT_DECIMAL = ["0x1", "1e0", "1.0", "%201", "%2B1", "01", "1%20", "0", "-1", "1_000", "１"];

describe("numeric path ids and query values accept decimal digits only", () => {
  it("the control: a plain decimal id and limit are accepted", async () => {
    const product = await manageOk("POST", "/api/v1/products", { short_code: uniqueCode("digits"), name: "P" });
    expect(await manageOk("GET", `/api/v1/products/${product.id}`)).toMatchObject({ id: product.id });
    expect((await manageOk("GET", "/api/v1/products?limit=1")).data).toHaveLength(1);
    expect(await manageOk("GET", "/api/v1/products?limit=200")).toHaveProperty("data");
  });

  it("path ids: products, licenses, devices, API keys", async () => {
    // Product 1 exists, so a lenient parser would answer 200 for "0x1" and friends.
    await manageOk("POST", "/api/v1/products", { short_code: uniqueCode("digits"), name: "P" });
    for (const value of NOT_DECIMAL) {
      for (const [method, path] of [
        ["GET", `/api/v1/products/${value}`],
        ["GET", `/api/v1/products/${value}/features`],
        ["GET", `/api/v1/licenses/${value}`],
        ["GET", `/api/v1/licenses/${value}/devices`],
        ["POST", `/api/v1/devices/${value}/blacklist`],
        ["POST", `/api/v1/api-keys/${value}/revoke`],
      ] as const) {
        const error = await managementError(await manage(method, path));
        expect(error.code, `${method} ${path}`).toBe("validation_error");
      }
    }
  });

  it("query values: limit, and the id filters of licenses and the audit log", async () => {
    for (const value of NOT_DECIMAL) {
      for (const path of [
        `/api/v1/products?limit=${value}`,
        `/api/v1/licenses?product_id=${value}`,
        `/api/v1/audit?license_id=${value}`,
        `/api/v1/audit?license_feature_id=${value}`,
        `/api/v1/audit/csv?license_id=${value}`,
      ]) {
        const error = await managementError(await manage("GET", path));
        expect(error.code, path).toBe("validation_error");
      }
    }
    for (const limit of ["201", "1000", "99999999999999999999"]) {
      expect((await managementError(await manage("GET", `/api/v1/products?limit=${limit}`))).code, limit).toBe("validation_error");
    }
  });
});

describe("ids of up to 16 digits (LicenseSpring's license ids, which imports keep)", () => {
  it("a license with a 16-digit id is reachable by path, by filter and across a page boundary", async () => {
    const product = await manageOk("POST", "/api/v1/products", { short_code: uniqueCode("sixteen"), name: "P" });
    const id = 1593781720493289;
    const imported = await manage("POST", "/api/v1/import/licenses", undefined, {
      rawBody: JSON.stringify([{ id, product: product.short_code, license_key: uniqueCode("KEY") }]),
    });
    expect(imported.status, await imported.clone().text()).toBe(200);
    expect(await manageOk("GET", `/api/v1/licenses/${id}`)).toMatchObject({ id, product_id: product.id });
    expect((await manageOk("GET", `/api/v1/audit?license_id=${id}`)).data).toEqual([]);
    // Keyset pagination: the cursor after the license before it, then the cursor the 16-digit id itself gives.
    const first = await manageOk("GET", `/api/v1/licenses?product_id=${product.id}&limit=1`);
    expect(first.data.map((license: { id: number }) => license.id)).toEqual([id]);
    const all = await manageOk("GET", `/api/v1/licenses?limit=1&cursor=${id - 1}`);
    expect(all.data[0].id).toBe(id);
    expect(all.next_cursor).toBe(null);
  });

  it("above 2^53 - 1 is validation_error, not a rounded id", async () => {
    for (const path of ["/api/v1/licenses/9007199254740992", "/api/v1/licenses/9999999999999999", "/api/v1/licenses/10000000000000000"]) {
      expect((await managementError(await manage("GET", path))).code, path).toBe("validation_error");
    }
  });
});
