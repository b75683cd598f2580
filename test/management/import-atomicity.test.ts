// Nothing half-imported: all the D1 writes of one import call are one transaction. A write that
// fails late in the call (provoked with a real SQLite trigger) leaves no row of the call behind.
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it } from "vitest";
import { importError, importOk, importProduct, importRows, licenseSpringId, licenseSpringSharedKey } from "../support/import-client";
import { uniqueCode } from "../support/management-client";

const triggers: string[] = [];

afterEach(async () => {
  for (const name of triggers.splice(0)) await env.DB.prepare(`DROP TRIGGER IF EXISTS ${name}`).run();
});

/** A trigger that makes inserting this custom field value fail, as a broken write would. */
async function failOnCustomFieldValue(value: string, action: string): Promise<void> {
  const name = `fail_${triggers.length}_${crypto.randomUUID().replace(/-/g, "")}`;
  triggers.push(name);
  await env.DB.prepare(
    `CREATE TRIGGER ${name} BEFORE INSERT ON license_custom_fields WHEN NEW.value = '${value}' BEGIN ${action}; END`,
  ).run();
}

async function storedFor(ids: number[]) {
  const list = JSON.stringify(ids);
  const count = (table: string, column = "license_id") =>
    env.DB.prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE ${column} IN (SELECT value FROM json_each(?))`).bind(list).first<number>("n");
  return {
    licenses: await count("licenses", "id"),
    users: await count("license_users"),
    features: await count("license_features"),
    // The customer the first row names: written with its license, or not at all.
    customers: await env.DB.prepare("SELECT COUNT(*) AS n FROM customers WHERE email = 'a@x.io'").first<number>("n"),
  };
}

describe("an import call is one transaction", () => {
  it("a write failing after the licenses, users, features and customers were inserted leaves none of them", async () => {
    const product = await importProduct({ authorizationMethod: "user", customFields: ["plan"] });
    await failOnCustomFieldValue("boom", "SELECT RAISE(ABORT, 'provoked failure')");
    const rows = [
      {
        id: licenseSpringId(),
        product: product.short_code,
        users: [{ username: `${uniqueCode("u")}@example.com` }],
        customer: { email: "a@x.io" },
      },
      {
        id: licenseSpringId(),
        product: product.short_code,
        users: [{ username: `${uniqueCode("u")}@example.com` }],
        custom_fields: { plan: "boom" },
      },
    ];
    const error = await importError(await importRows("licenses", rows));
    expect(error).toMatchObject({ status: 500, code: "internal_server_error" });
    expect(await storedFor(rows.map((row) => row.id))).toEqual({ licenses: 0, users: 0, features: 0, customers: 0 });

    // Once the cause is gone, the same rows import whole.
    await env.DB.prepare(`DROP TRIGGER ${triggers.pop()!}`).run();
    await importOk("licenses", rows);
    expect(await storedFor(rows.map((row) => row.id))).toEqual({ licenses: 2, users: 2, features: 2, customers: 1 });
  });

  it("a row created by another write meanwhile (a UNIQUE failure) is conflict: nothing imported, the same rows go through again", async () => {
    const product = await importProduct({ customFields: ["plan"] });
    const taken = { api_key: uniqueCode("taken"), shared_key: licenseSpringSharedKey() };
    await importOk("api-keys", [taken]);
    // Stands for a concurrent write: inserting this value also inserts an API key that exists.
    await failOnCustomFieldValue("race", `INSERT INTO api_keys (api_key, shared_key) VALUES ('${taken.api_key}', 's')`);
    const rows = [
      { id: licenseSpringId(), product: product.short_code, license_key: uniqueCode("KEY") },
      { id: licenseSpringId(), product: product.short_code, license_key: uniqueCode("KEY"), custom_fields: { plan: "race" } },
    ];
    const error = await importError(await importRows("licenses", rows));
    expect(error).toMatchObject({ status: 409, code: "conflict" });
    expect(error.message).toContain("send the same rows again");
    expect((await storedFor(rows.map((row) => row.id))).licenses).toBe(0);

    await env.DB.prepare(`DROP TRIGGER ${triggers.pop()!}`).run();
    const summary = await importOk("licenses", rows);
    expect(summary.results.map((result: { id: number }) => result.id)).toEqual(rows.map((row) => row.id));
    expect((await storedFor(rows.map((row) => row.id))).licenses).toBe(2);
  });
});
