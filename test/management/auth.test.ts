// Management API authentication: `Authorization: Api-Key <management key>`, nothing else.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { isBootstrapKey, presentedManagementKey } from "../../src/auth/management-key";
import { managementRoutes } from "../../src/management/routes";
import { authHeaders } from "../support/signing";
import { createApiKey } from "../support/fixtures";
import { manage, managementError } from "../support/management-client";

/** A concrete URL for a route table path: every {param} becomes 1. */
const concrete = (path: string) => path.replace(/\{\w+\}/g, "1");

describe("management authentication", () => {
  it("answers 401 unauthorized without an Authorization header, on every route", async () => {
    for (const route of managementRoutes) {
      const response = await manage(route.method.toUpperCase(), concrete(route.path), route.body ? {} : undefined, { key: null });
      expect(response.status, `${route.method} ${route.path}`).toBe(401);
      expect((await managementError(response)).code).toBe("unauthorized");
    }
  });

  it("answers 403 forbidden to a wrong key, on every route", async () => {
    for (const route of managementRoutes) {
      const response = await manage(route.method.toUpperCase(), concrete(route.path), route.body ? {} : undefined, { key: "x".repeat(43) });
      expect(response.status, `${route.method} ${route.path}`).toBe(403);
      expect((await managementError(response)).code).toBe("forbidden");
    }
  });

  it("refuses keys that differ only in length or in the last character", async () => {
    const key = env.MANAGEMENT_KEY;
    for (const wrong of [
      key.slice(0, -1),
      `${key}x`,
      `${key.slice(0, -1)}${key.endsWith("A") ? "B" : "A"}`,
      key.toUpperCase() === key ? key.toLowerCase() : key.toUpperCase(),
    ]) {
      const response = await manage("GET", "/api/v1/products", undefined, { key: wrong });
      expect((await managementError(response)).code).toBe("forbidden");
    }
  });

  it("answers 401 to other schemes: Bearer, Basic, License API HMAC credentials", async () => {
    const licenseApiHeaders = await authHeaders(await createApiKey());
    for (const authorization of [
      `Bearer ${env.MANAGEMENT_KEY}`,
      `Basic ${btoa(`vendor:${env.MANAGEMENT_KEY}`)}`,
      licenseApiHeaders.Authorization!,
      "Api-Key",
      "Api-Key a b",
    ]) {
      const response = await manage("GET", "/api/v1/products", undefined, { key: null, headers: { Authorization: authorization } });
      expect(response.status, authorization).toBe(401);
      const body = await managementError(response);
      expect(body.code).toBe("unauthorized");
      expect(body.message).toMatch(/Api-Key/);
    }
  });

  it("accepts the management key (scheme name case-insensitive)", async () => {
    expect((await manage("GET", "/api/v1/products")).status).toBe(200);
    const lowerScheme = await manage("GET", "/api/v1/products", undefined, {
      key: null,
      headers: { Authorization: `api-key ${env.MANAGEMENT_KEY}` },
    });
    expect(lowerScheme.status).toBe(200);
  });

  it("authenticates before telling unknown paths (404) and methods (405) apart", async () => {
    expect((await managementError(await manage("GET", "/api/v1/nothing-here", undefined, { key: null }))).code).toBe("unauthorized");
    expect((await managementError(await manage("GET", "/api/v1/nothing-here"))).code).toBe("not_found");
    expect((await managementError(await manage("DELETE", "/api/v1/products"))).status).toBe(405);
    expect((await managementError(await manage("PUT", "/api/v1/licenses/1/features/x"))).code).toBe("method_not_allowed");
  });

  it("opens nothing with a MANAGEMENT_KEY that is unset or shorter than 16 characters", async () => {
    for (const configured of [undefined, "", "too-short"]) {
      expect(await isBootstrapKey(configured || "anything", configured), String(configured)).toBe(false);
    }
    expect(await isBootstrapKey(env.MANAGEMENT_KEY, env.MANAGEMENT_KEY)).toBe(true);
    expect(() => presentedManagementKey(null)).toThrow(expect.objectContaining({ code: "unauthorized", status: 401 }));
  });
});
