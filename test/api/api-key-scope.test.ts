// API keys belong to a company (docs/protocol.md "API keys belong to a company"): a key
// reaches only its own company's products. Another company's product is answered exactly as a
// product that does not exist (same status, headers and body bytes), so a key learns nothing about
// other companies; a product of its own company that the key's allow-list leaves out is
// api_key_product_not_allowed, on every License API endpoint.
import { beforeAll, describe, expect, it } from "vitest";
import { errorCode, getSigned, postSigned, signedBody } from "../support/client";
import type { Credentials } from "../support/fixtures";
import { manageOk, uniqueCode } from "../support/management-client";

interface CompanyProduct {
  productId: number;
  shortCode: string;
  featureCode: string;
  licenseKey: string;
  hardwareId: string;
}

/** A product of `companyId` with one consumption feature and one consumption license, through the management API. */
async function companyProduct(companyId: number): Promise<CompanyProduct> {
  const product = await manageOk("POST", "/api/v1/products", { short_code: uniqueCode("scoped"), name: "Scoped", company_id: companyId });
  const featureCode = uniqueCode("feature");
  await manageOk("POST", `/api/v1/products/${product.id}/features`, { code: featureCode, name: "Feature", max_consumption: 100 });
  const license = await manageOk("POST", "/api/v1/licenses", {
    product_id: product.id,
    max_activations: 5,
    license_type: "consumption",
    consumption: { max_consumptions: 100 },
  });
  return {
    productId: product.id,
    shortCode: product.short_code,
    featureCode,
    licenseKey: license.license_key,
    hardwareId: uniqueCode("hw"),
  };
}

async function createKey(body: Record<string, unknown>): Promise<Credentials> {
  const created = await manageOk("POST", "/api/v1/api-keys", body);
  return { id: created.id, apiKey: created.api_key, sharedKey: created.shared_key };
}

type Call = (target: CompanyProduct, credentials: Credentials, product?: string) => Promise<Response>;

const identity = (target: CompanyProduct, product = target.shortCode) => ({
  product,
  license_key: target.licenseKey,
  hardware_id: target.hardwareId,
});

/** One call per License API endpoint family, each naming `product` (default: the target's own). */
const ENDPOINTS: Record<string, Call> = {
  activate_license: (t, c, p) => postSigned("/api/v4/activate_license", identity(t, p), c),
  deactivate_license: (t, c, p) => postSigned("/api/v4/deactivate_license", identity(t, p), c),
  check_license: (t, c, p) => getSigned("/api/v4/check_license", identity(t, p), c),
  check_license_feature: (t, c, p) => getSigned("/api/v4/check_license_feature", { ...identity(t, p), feature: t.featureCode }, c),
  add_feature_consumption: (t, c, p) => postSigned("/api/v4/add_feature_consumption", { ...identity(t, p), feature: t.featureCode }, c),
  add_consumption: (t, c, p) => postSigned("/api/v4/add_consumption", identity(t, p), c),
};

/** Everything a caller can observe of a response but its Date-free headers: status, headers, body bytes. */
async function observable(response: Response): Promise<{ status: number; headers: Array<[string, string]>; body: string }> {
  return { status: response.status, headers: [...response.headers], body: await response.text() };
}

let ours: CompanyProduct;
let ourOther: CompanyProduct;
let theirs: CompanyProduct;
let companyKey: Credentials;
let allowListKey: Credentials;
let otherCompanyKey: Credentials;

describe("a key created as before (company 1, the default)", () => {
  it("cannot see a product of company 2, on any endpoint", async () => {
    const defaultKey = await createKey({});
    const elsewhere = await companyProduct(2);
    for (const [name, call] of Object.entries(ENDPOINTS)) {
      expect(await errorCode(await call(elsewhere, defaultKey)), name).toBe("unknown_product");
    }
  });
});

async function scopedSetup() {
  ours = await companyProduct(31);
  ourOther = await companyProduct(31);
  theirs = await companyProduct(32);
  companyKey = await createKey({ company_id: 31 });
  allowListKey = await createKey({ company_id: 31, product_ids: [ours.productId] });
  otherCompanyKey = await createKey({ company_id: 32 });
  // Devices on every license, activated by keys that may: the refusals below are then not device_not_found.
  for (const [target, key] of [
    [ours, companyKey],
    [ourOther, companyKey],
    [theirs, otherCompanyKey],
  ] as const) {
    expect((await ENDPOINTS.activate_license!(target, key)).status).toBe(200);
  }
}

describe("API keys are scoped to their company", () => {
  beforeAll(scopedSetup);

  it("a key of the product's company uses it on every endpoint (the control)", async () => {
    for (const [name, call] of Object.entries(ENDPOINTS)) {
      if (name === "deactivate_license") continue;
      expect((await call(ours, companyKey)).status, name).toBe(200);
    }
  });

  for (const [name, call] of Object.entries(ENDPOINTS)) {
    it(`${name}: another company's product is unknown_product, byte for byte as a product that does not exist`, async () => {
      const otherCompany = await observable(await call(theirs, companyKey));
      const nonexistent = await observable(await call(theirs, companyKey, uniqueCode("no-such-product")));
      expect(otherCompany.status).toBe(400);
      expect(JSON.parse(otherCompany.body)).toMatchObject({ code: "unknown_product" });
      expect(otherCompany).toEqual(nonexistent);
    });
  }

  it("refuses before anything about the other company's license is told (wrong auth method, wrong key, unknown device)", async () => {
    const cases: Array<Record<string, string>> = [
      { product: theirs.shortCode, username: "someone@example.com", hardware_id: theirs.hardwareId },
      { product: theirs.shortCode, license_key: "WRONG-KEY", hardware_id: theirs.hardwareId },
      { product: theirs.shortCode, license_key: theirs.licenseKey, hardware_id: "unknown-device" },
    ];
    for (const body of cases) {
      const otherCompany = await observable(await postSigned("/api/v4/add_consumption", body, companyKey));
      const nonexistent = await observable(
        await postSigned("/api/v4/add_consumption", { ...body, product: uniqueCode("no-such-product") }, companyKey),
      );
      expect(otherCompany, JSON.stringify(body)).toEqual(nonexistent);
      expect(JSON.parse(otherCompany.body).code).toBe("unknown_product");
    }
  });

  it("a refused request consumes nothing", async () => {
    await ENDPOINTS.add_feature_consumption!(theirs, companyKey);
    await ENDPOINTS.add_consumption!(theirs, companyKey);
    const feature = await signedBody(await ENDPOINTS.check_license_feature!(theirs, otherCompanyKey));
    expect(feature.total_consumptions).toBe(0);
  });
});

describe("a key's product allow-list", () => {
  beforeAll(async () => {
    if (!ours) await scopedSetup();
  });

  it("uses the products it lists", async () => {
    expect((await ENDPOINTS.add_feature_consumption!(ours, allowListKey)).status).toBe(200);
    expect((await ENDPOINTS.check_license!(ours, allowListKey)).status).toBe(200);
  });

  for (const [name, call] of Object.entries(ENDPOINTS)) {
    it(`${name}: another product of its own company is api_key_product_not_allowed`, async () => {
      const response = await call(ourOther, allowListKey);
      expect(response.status).toBe(400);
      expect(await errorCode(response)).toBe("api_key_product_not_allowed");
    });
  }

  it("precedence: unknown_product, then api_key_product_not_allowed, then license_not_found", async () => {
    const notAllowedWrongLicense = await postSigned(
      "/api/v4/add_feature_consumption",
      { ...identity(ourOther), license_key: "WRONG-KEY", feature: ourOther.featureCode },
      allowListKey,
    );
    expect(await errorCode(notAllowedWrongLicense)).toBe("api_key_product_not_allowed");
    expect(await errorCode(await ENDPOINTS.add_consumption!(ourOther, allowListKey, uniqueCode("no-such-product")))).toBe(
      "unknown_product",
    );
    // Another company's product stays unknown_product even for a key with an allow-list.
    expect(await errorCode(await ENDPOINTS.add_consumption!(theirs, allowListKey))).toBe("unknown_product");
  });

  it("a refused request consumes nothing", async () => {
    await ENDPOINTS.add_feature_consumption!(ourOther, allowListKey);
    const feature = await signedBody(await ENDPOINTS.check_license_feature!(ourOther, companyKey));
    expect(feature.total_consumptions).toBe(0);
  });
});

describe("endpoints that name a product but no license are scoped too", () => {
  /** A user-based product of `companyId` with one license user (password "initial-pass-1"). */
  async function userProduct(companyId: number) {
    const product = await manageOk("POST", "/api/v1/products", {
      short_code: uniqueCode("users"),
      name: "Users",
      company_id: companyId,
      authorization_method: "user",
    });
    const username = `${uniqueCode("person")}@example.com`;
    await manageOk("POST", "/api/v1/licenses", { product_id: product.id, users: [{ username, password: "initial-pass-1" }] });
    return { shortCode: product.short_code as string, username };
  }

  it("product_details and customer_license_users: another company's product is unknown_product, byte for byte", async () => {
    const key = await createKey({ company_id: 41 });
    const theirProduct = await userProduct(42);
    for (const path of ["/api/v4/product_details", "/api/v4/customer_license_users"]) {
      const query = (product: string) => ({ product, customer: "nobody@example.com" });
      const otherCompany = await observable(await getSigned(path, query(theirProduct.shortCode), key));
      const nonexistent = await observable(await getSigned(path, query(uniqueCode("no-such-product")), key));
      expect(JSON.parse(otherCompany.body).code, path).toBe("unknown_product");
      expect(otherCompany, path).toEqual(nonexistent);
    }
  });

  it("user_licenses and change_password never reach another company's license users", async () => {
    const key = await createKey({ company_id: 43 });
    const theirs = await userProduct(44);
    const signIn = { username: theirs.username, password: "initial-pass-1" };
    expect(await errorCode(await getSigned("/api/v4/user_licenses", signIn, key))).toBe("invalid_password");
    expect(await errorCode(await getSigned("/api/v4/user_licenses", { ...signIn, product: theirs.shortCode }, key))).toBe(
      "unknown_product",
    );
    const change = { username: theirs.username, password: "initial-pass-1", new_password: "taken-over-1" };
    expect(await errorCode(await postSigned("/api/v4/change_password", change, key))).toBe("invalid_password");
    // The password is unchanged: the owner's key still signs the user in with it.
    const ownerKey = await createKey({ company_id: 44 });
    expect((await getSigned("/api/v4/user_licenses", signIn, ownerKey)).status).toBe(200);
  });
});
