// "__proto__" as a field name (JSON allows it) is validation_error everywhere, at any depth: a
// JavaScript object cannot hold it as an ordinary entry, so zod records drop it, and the request
// would answer success without storing it. Refused, nothing silently disappears
// (src/license-api/schemas.ts illFormedText).
import { describe, expect, it } from "vitest";
import { callWorker, getSigned, postSigned, signedBody } from "../support/client";
import { manage, manageOk, uniqueCode, vendorSetup } from "../support/management-client";
import { authHeaders } from "../support/signing";

async function expectRefused(response: Response, field: string): Promise<void> {
  const body = (await response.json()) as { status: number; code: string; message: string };
  expect(body.code, body.message).toBe("validation_error");
  expect(body.message).toContain(field);
  expect(body.message).toContain('"__proto__" cannot be a field name');
}

describe("License API", () => {
  it("track_device_variables and activate_license refuse a variable named __proto__ and store nothing", async () => {
    const setup = await vendorSetup();
    const post = async (path: string, raw: string) =>
      callWorker(path, {
        method: "POST",
        headers: { ...(await authHeaders(setup.credentials)), "Content-Type": "application/json" },
        body: raw,
      });
    const identity = JSON.stringify(setup.identity).slice(1, -1);
    await expectRefused(
      await post("/api/v4/track_device_variables", `{${identity},"variables":{"os":"linux","__proto__":"evil"}}`),
      "variables",
    );
    const other = JSON.stringify({ ...setup.identity, hardware_id: `${setup.hardwareId}-2` }).slice(1, -1);
    await expectRefused(await post("/api/v4/activate_license", `{${other},"variables":{"__proto__":{"os":"x"}}}`), "variables");
    expect(await signedBody(await getSigned("/api/v4/get_device_variables", setup.identity, setup.credentials))).toEqual([]);
    // Any other name is stored as sent, "constructor" and "toString" included.
    const tracked = await signedBody<Array<{ variable: string }>>(
      await postSigned(
        "/api/v4/track_device_variables",
        { ...setup.identity, variables: { constructor: "a", toString: "b" } },
        setup.credentials,
      ),
    );
    expect(tracked.map(({ variable }) => variable)).toEqual(["constructor", "toString"]);
  });
});

describe("management API", () => {
  const send = (method: string, path: string, raw: string) =>
    manage(method, path, undefined, { rawBody: raw, headers: { "Content-Type": "application/json" } });

  it("product and license metadata refuse a __proto__ key, at the top or deeper, and keep what they had", async () => {
    await expectRefused(
      await send(
        "POST",
        "/api/v1/products",
        `{"short_code":"${uniqueCode("proto")}","name":"P","metadata":{"plan":"a","__proto__":{"x":1}}}`,
      ),
      "metadata",
    );
    const setup = await vendorSetup();
    await manageOk("PATCH", `/api/v1/licenses/${setup.license.id}`, { metadata: { plan: "annual" } });
    await expectRefused(await send("PATCH", `/api/v1/licenses/${setup.license.id}`, `{"metadata":{"__proto__":"x"}}`), "metadata");
    await expectRefused(
      await send("PATCH", `/api/v1/licenses/${setup.license.id}`, `{"metadata":{"plan":{"__proto__":"x"}}}`),
      "metadata.plan",
    );
    await expectRefused(await send("PATCH", `/api/v1/products/${setup.product.id}`, `{"metadata":{"__proto__":"x"}}`), "metadata");
    expect((await manageOk("GET", `/api/v1/licenses/${setup.license.id}`)).metadata).toEqual({ plan: "annual" });
  });
});
