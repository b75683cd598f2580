// Customers as things: created, found by e-mail within their company, searched (partial,
// case-insensitive, wildcards taken literally), paged, changed (the License API answers the new
// values on the next request), linked to licenses on issue, PATCH and import.
import { describe, expect, it } from "vitest";
import { getSigned, signedBody } from "../support/client";
import { importOk, licenseSpringId } from "../support/import-client";
import { manage, manageOk, managementError, uniqueCode, vendorSetup } from "../support/management-client";

const customerIds = async (query: string) =>
  (await manageOk("GET", `/api/v1/customers?${query}`)).data.map((customer: { id: number }) => customer.id);

describe("customers", () => {
  it("creates a customer, finds it again by e-mail within its company (case-insensitive), and refuses a second one", async () => {
    const email = `${uniqueCode("ann")}@acme.test`;
    const response = await manage("POST", "/api/v1/customers", { email, first_name: "Ann", company_name: "ACME" });
    expect(response.status).toBe(201);
    const ann = (await response.json()) as Record<string, any>;
    expect(ann).toMatchObject({
      company_id: 1,
      email,
      first_name: "Ann",
      last_name: "",
      company_name: "ACME",
      metadata: {},
      license_count: 0,
    });

    const again = await managementError(await manage("POST", "/api/v1/customers", { email: email.toUpperCase() }));
    expect(again).toMatchObject({ code: "conflict", message: expect.stringMatching(new RegExp(`Customer ${ann.id}`)) });
    // Another company's customer may have the same e-mail.
    expect((await manage("POST", "/api/v1/customers", { email, company_id: 2 })).status).toBe(201);
    // Customers without an e-mail are never merged.
    const walkIns = await Promise.all([0, 1].map(() => manageOk("POST", "/api/v1/customers", { first_name: "Walk-in" })));
    expect(walkIns[0].id).not.toBe(walkIns[1].id);

    expect(await customerIds(`email=${encodeURIComponent(email.toUpperCase())}&company_id=1`)).toEqual([ann.id]);
    expect((await managementError(await manage("POST", "/api/v1/customers", { email: "not-an-email" }))).code).toBe("validation_error");
    expect((await managementError(await manage("POST", "/api/v1/customers", { mail: email }))).message).toMatch(/Unrecognized key/);
    expect((await managementError(await manage("GET", "/api/v1/customers/999999"))).code).toBe("not_found");
  });

  it("searches by a part of the e-mail, name, company name or license key, case-insensitively, with % and _ taken literally", async () => {
    const tag = uniqueCode("srch").toLowerCase();
    const ann = await manageOk("POST", "/api/v1/customers", {
      email: `ann.${tag}@acme.test`,
      first_name: "Ann",
      last_name: "Lee",
      company_name: `Acme_${tag} Ltd`,
    });
    const bob = await manageOk("POST", "/api/v1/customers", { email: `bob.${tag}@other.test`, company_name: `100%${tag}` });
    const setup = await vendorSetup({ max_consumption: 1 }, { customer_id: bob.id, license_key: `KEY-${tag.toUpperCase()}-XYZ` });
    expect(setup.license).toMatchObject({ customer_id: bob.id });

    expect(await customerIds(`q=${tag.toUpperCase()}`)).toEqual([ann.id, bob.id]);
    expect(await customerIds(`q=ANN.${tag}`)).toEqual([ann.id]);
    expect(await customerIds(`q=${encodeURIComponent(`ann lee`)}&company_id=1`)).toEqual(expect.arrayContaining([ann.id]));
    expect(await customerIds(`q=${encodeURIComponent(`acme_${tag}`)}`)).toEqual([ann.id]);
    // "_" and "%" match themselves only.
    expect(await customerIds(`q=${encodeURIComponent(`acme%${tag}`)}`)).toEqual([]);
    expect(await customerIds(`q=${encodeURIComponent(`100%${tag}`)}`)).toEqual([bob.id]);
    expect(await customerIds(`q=${encodeURIComponent(`1_0%${tag}`)}`)).toEqual([]);
    // A part of one of the customer's license keys.
    expect(await customerIds(`q=${tag}-xy`)).toEqual([bob.id]);
    // Paged in id order.
    const first = await manageOk("GET", `/api/v1/customers?q=${tag}&limit=1`);
    expect(first.data.map((customer: { id: number }) => customer.id)).toEqual([ann.id]);
    const second = await manageOk("GET", `/api/v1/customers?q=${tag}&limit=1&cursor=${first.next_cursor}`);
    expect(second).toMatchObject({ data: [{ id: bob.id, license_count: 1 }], next_cursor: null });

    // Licenses are searched the same way: by a part of the key, or of the customer's e-mail, name or company.
    const licenseIds = async (query: string) =>
      (await manageOk("GET", `/api/v1/licenses?${query}`)).data.map((license: { id: number }) => license.id);
    expect(await licenseIds(`q=${tag}-XY`)).toEqual([setup.license.id]);
    expect(await licenseIds(`q=BOB.${tag}`)).toEqual([setup.license.id]);
    expect(await licenseIds(`customer_id=${bob.id}`)).toEqual([setup.license.id]);
    expect(await licenseIds(`customer_id=${ann.id}`)).toEqual([]);
  });

  it("issues licenses with a new or existing customer: customer_id, or customer found by e-mail (the fields sent change it) or created", async () => {
    const product = await manageOk("POST", "/api/v1/products", { short_code: uniqueCode("cust"), name: "P" });
    const email = `${uniqueCode("buyer")}@acme.test`;
    const first = await manageOk("POST", "/api/v1/licenses", { product_id: product.id, customer: { email, first_name: "Ann" } });
    expect(first.customer).toMatchObject({ email, first_name: "Ann", last_name: "" });
    const second = await manageOk("POST", "/api/v1/licenses", {
      product_id: product.id,
      customer: { email: email.toUpperCase(), city: "Oslo" },
    });
    expect(second.customer_id).toBe(first.customer_id);
    // The fields sent changed the customer; those not sent kept their values.
    expect(second.customer).toMatchObject({ id: first.customer_id, email: email.toUpperCase(), first_name: "Ann", city: "Oslo" });
    const third = await manageOk("POST", "/api/v1/licenses", { product_id: product.id, customer_id: first.customer_id });
    expect(third.customer_id).toBe(first.customer_id);
    expect(await manageOk("GET", `/api/v1/customers/${first.customer_id}`)).toMatchObject({ license_count: 3 });

    const refusals: Array<[unknown, string, RegExp]> = [
      [{ product_id: product.id, customer_id: 999999 }, "not_found", /Customer 999999/],
      [{ product_id: product.id, customer_id: first.customer_id, customer: { email } }, "validation_error", /not both/],
    ];
    const otherCompany = await manageOk("POST", "/api/v1/customers", { email, company_id: 3 });
    refusals.push([{ product_id: product.id, customer_id: otherCompany.id }, "validation_error", /company 3/]);
    for (const [body, code, message] of refusals) {
      const refused = await managementError(await manage("POST", "/api/v1/licenses", body));
      expect(refused.code, JSON.stringify(body)).toBe(code);
      expect(refused.message).toMatch(message);
    }
    const actions = (await manageOk("GET", `/api/v1/activity?target_type=customer&target_id=${first.customer_id}`)).data;
    expect(actions.map((entry: { action: string }) => entry.action)).toEqual(["customer.updated", "customer.created"]);
  });

  it("changes a customer: every license of it answers the new values on the next License API request", async () => {
    const customer = await manageOk("POST", "/api/v1/customers", { email: `${uniqueCode("c")}@acme.test`, company_name: "Old Name" });
    const setup = await vendorSetup({ max_consumption: 1 }, { customer_id: customer.id });
    const check = async () =>
      (await signedBody<{ customer: Record<string, unknown> }>(await getSigned("/api/v4/check_license", setup.identity, setup.credentials)))
        .customer;
    expect(await check()).toMatchObject({ email: customer.email, company_name: "Old Name" });
    const changed = await manageOk("PATCH", `/api/v1/customers/${customer.id}`, { company_name: "New Name", metadata: { tier: "gold" } });
    expect(changed).toMatchObject({ company_name: "New Name", metadata: { tier: "gold" }, license_count: 1 });
    expect(await check()).toMatchObject({ company_name: "New Name", metadata: { tier: "gold" } });
    // A license issued or changed with `customer` changes the customer found by e-mail: its other licenses answer that too.
    const other = await manageOk("POST", "/api/v1/licenses", {
      product_id: setup.product.id,
      customer: { email: customer.email, company_name: "Issued Name" },
    });
    expect(other.customer_id).toBe(customer.id);
    expect(await check()).toMatchObject({ company_name: "Issued Name" });
    await manageOk("PATCH", `/api/v1/licenses/${other.id}`, { customer: { email: customer.email, company_name: "Patched Name" } });
    expect(await check()).toMatchObject({ company_name: "Patched Name" });
    await manageOk("PATCH", `/api/v1/customers/${customer.id}`, { company_name: "New Name" });
    const entries = (await manageOk("GET", `/api/v1/activity?target_type=customer&target_id=${customer.id}`)).data;
    expect(entries.map((entry: any) => [entry.action, entry.before?.company_name, entry.after.company_name])).toEqual([
      ["customer.updated", "Patched Name", "New Name"],
      ["customer.updated", "Issued Name", "Patched Name"],
      ["customer.updated", "New Name", "Issued Name"],
      ["customer.updated", "Old Name", "New Name"],
      ["customer.created", undefined, "Old Name"],
    ]);
    expect(entries[3]).toMatchObject({ before: { metadata: {} }, after: { metadata: { tier: "gold" } } });

    const taken = await manageOk("POST", "/api/v1/customers", { email: `${uniqueCode("t")}@acme.test` });
    expect((await managementError(await manage("PATCH", `/api/v1/customers/${customer.id}`, { email: taken.email }))).code).toBe(
      "conflict",
    );
    expect((await managementError(await manage("PATCH", `/api/v1/customers/${customer.id}`, {}))).code).toBe("validation_error");
  });

  it("links and unlinks a license's customer with PATCH", async () => {
    const setup = await vendorSetup();
    const path = `/api/v1/licenses/${setup.license.id}`;
    const email = `${uniqueCode("p")}@acme.test`;
    const linked = await manageOk("PATCH", path, { customer: { email, last_name: "Lee" } });
    expect(linked.customer).toMatchObject({ email, last_name: "Lee" });
    expect(
      await signedBody<{ customer: { email: string } }>(await getSigned("/api/v4/check_license", setup.identity, setup.credentials)),
    ).toMatchObject({ customer: { email } });
    expect((await manageOk("PATCH", path, { customer_id: null })).customer).toBeNull();
    expect((await manageOk("PATCH", path, { customer_id: linked.customer_id })).customer).toMatchObject({ email });
    expect((await manageOk("PATCH", path, { customer: null })).customer_id).toBeNull();
  });

  it("the import links each license to its company's customer by e-mail, creating one customer per new e-mail", async () => {
    const product = await manageOk("POST", "/api/v1/products", { short_code: uniqueCode("imp"), name: "Imported" });
    const known = await manageOk("POST", "/api/v1/customers", { email: `${uniqueCode("known")}@acme.test`, first_name: "Known" });
    const fresh = `${uniqueCode("fresh")}@acme.test`;
    const rows = [
      {
        id: licenseSpringId(),
        product: product.short_code,
        license_key: uniqueCode("K"),
        customer: { email: known.email.toUpperCase(), first_name: "Changed?" },
      },
      {
        id: licenseSpringId(),
        product: product.short_code,
        license_key: uniqueCode("K"),
        created_at: "2024-01-01T00:00:00Z",
        customer: { email: fresh, first_name: "Older" },
      },
      {
        id: licenseSpringId(),
        product: product.short_code,
        license_key: uniqueCode("K"),
        created_at: "2025-01-01T00:00:00Z",
        customer: { email: fresh.toUpperCase(), first_name: "Newer" },
      },
      { id: licenseSpringId(), product: product.short_code, license_key: uniqueCode("K"), customer: { first_name: "No e-mail" } },
    ];
    await importOk("licenses", rows);
    const customerOf = async (id: number) => (await manageOk("GET", `/api/v1/licenses/${id}`)).customer;
    // An existing customer is linked and left as it is: imports never change what is here.
    expect(await customerOf(rows[0]!.id)).toMatchObject({ id: known.id, first_name: "Known" });
    // Rows naming the same new e-mail share one customer, with the newest license's values.
    const shared = await customerOf(rows[1]!.id);
    expect(await customerOf(rows[2]!.id)).toEqual(shared);
    expect(shared).toMatchObject({ email: fresh.toUpperCase(), first_name: "Newer" });
    expect(await customerOf(rows[3]!.id)).toMatchObject({ email: "", first_name: "No e-mail" });
    // A retry changes nothing, and creates no customer.
    const before = (await manageOk("GET", `/api/v1/customers?q=${encodeURIComponent(fresh)}`)).data;
    await importOk("licenses", rows);
    expect((await manageOk("GET", `/api/v1/customers?q=${encodeURIComponent(fresh)}`)).data).toEqual(before);
    expect(await manageOk("GET", `/api/v1/customers/${shared.id}`)).toMatchObject({ license_count: 2 });
  });
});
