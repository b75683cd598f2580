// The calls the official SDKs make that this server does not implement: one documented error body
// naming the call (not_supported), for any method, with or without a trailing slash, before any
// authentication. Paths no SDK calls stay not_found. (test/node/sdk-compatibility-doc.test.ts checks the
// documentation lists the same calls.)
import { describe, expect, it } from "vitest";
import { UNSUPPORTED_CALLS } from "../../src/license-api/not-supported";
import { callWorker, errorCode, postSigned } from "../support/client";
import { createApiKey } from "../support/fixtures";

describe("not_supported", () => {
  it("answers every unsupported call with not_supported (HTTP 400) naming it", async () => {
    for (const call of UNSUPPORTED_CALLS) {
      for (const [method, path] of [
        ["GET", `/api/v4/${call.path}`],
        ["POST", `/api/v4/${call.path}`],
        ["POST", `/api/v4/${call.path}/`],
      ] as const) {
        const response = await callWorker(path, {
          method,
          headers: { "Content-Type": "text/plain" },
          body: method === "POST" ? "e30=" : undefined,
        });
        expect(response.status, `${method} ${path}`).toBe(400);
        const body = (await response.clone().json()) as { message: string };
        expect(await errorCode(response), `${method} ${path}`).toBe("not_supported");
        expect(body.message).toContain(`/api/v4/${call.path}`);
        expect(body.message).toContain("docs/sdk-compatibility.md");
      }
    }
  });

  it("is answered the same to an authenticated client", async () => {
    const credentials = await createApiKey();
    const response = await postSigned("/api/v4/activate_bundle", { product: "p", license_key: "k", hardware_id: "h" }, credentials);
    expect(await errorCode(response)).toBe("not_supported");
  });

  it("the single sign-on variant of activate_license", async () => {
    const credentials = await createApiKey();
    const body = { product: "p", hardware_id: "h", id_token: "token", customer_account_code: "acme" };
    const response = await postSigned("/api/v4/activate_license", body, credentials);
    expect(await errorCode(response)).toBe("not_supported");
    expect(await errorCode(await postSigned("/api/v4/activate_license", { product: "p", hardware_id: "h" }, credentials))).toBe(
      "missing_parameters",
    );
  });

  it.each([
    ["floating/borrow", { id_token: "token" }],
    ["floating/borrow", { code: "auth-code" }],
    ["floating/feature_borrow", { id_token: "token", feature: "f" }],
    ["floating/feature_borrow", { code: "auth-code", feature: "f" }],
  ] as const)("the single sign-on variant of %s (%j)", async (path, sso) => {
    const credentials = await createApiKey();
    const body = { product: "p", hardware_id: "h", customer_account_code: "acme", borrowed_until: null, ...sso };
    const response = await postSigned(`/api/v4/${path}`, body, credentials);
    expect(response.status).toBe(400);
    expect(await errorCode(response)).toBe("not_supported");
  });

  it("leaves paths no SDK calls not_found", async () => {
    for (const path of ["/api/v4/no_such_call", "/api/v4/floating/nothing", "/api/v4/trial_keys"]) {
      expect(await errorCode(await callWorker(path, { method: "GET" })), path).toBe("not_found");
    }
  });
});
