// Named management keys and roles: created and revoked through the API, stored hashed, shown once;
// every route refuses a caller below its role, and the bootstrap MANAGEMENT_KEY stays admin.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { MANAGEMENT_ROLES, type ManagementRole } from "../../src/auth/management-roles";
import { managementRoutes } from "../../src/management/routes";
import { createManagementKey, manage, manageOk, managementError, uniqueCode } from "../support/management-client";

/** A concrete URL for a route table path: every {param} becomes 1. */
const concrete = (path: string) => path.replace(/\{\w+\}/g, "1");

describe("named management keys", () => {
  it("creates a key shown once, stores only its SHA-256, and lists it without the key", async () => {
    const name = uniqueCode("ci");
    const response = await manage("POST", "/api/v1/management-keys", { name, role: "support" });
    expect(response.status).toBe(201);
    const created = (await response.json()) as Record<string, any>;
    expect(created).toMatchObject({ name, role: "support", created_by: "MANAGEMENT_KEY", revoked_at: null, revoked_by: null });
    expect(created.key).toMatch(/^mk_[A-Za-z0-9_-]{43}$/);
    expect(created.key.startsWith(created.key_prefix)).toBe(true);

    const stored = await env.DB.prepare("SELECT * FROM management_keys WHERE id = ?").bind(created.id).first<Record<string, unknown>>();
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(created.key)));
    expect(stored!.key_hash).toBe(Array.from(digest, (byte) => byte.toString(16).padStart(2, "0")).join(""));
    expect(JSON.stringify(stored)).not.toContain(created.key);

    const listed = await manageOk("GET", "/api/v1/management-keys?limit=200");
    const entry = listed.data.find((key: { id: number }) => key.id === created.id);
    expect(entry).toEqual({ ...created, key: undefined });
    expect(JSON.stringify(listed)).not.toContain(created.key);

    // The key works, and says who it is.
    expect(await manageWith(created.key, "GET", "/api/v1/me")).toEqual({ name, type: "management_key", role: "support" });
    expect(await manageOk("GET", "/api/v1/me")).toEqual({ name: "MANAGEMENT_KEY", type: "bootstrap", role: "admin" });
  });

  it("refuses a name given before (revoked keys included, case-insensitive), MANAGEMENT_KEY, and bad roles", async () => {
    const name = uniqueCode("dup");
    const first = await createManagementKey("read-only", name);
    await manageOk("POST", `/api/v1/management-keys/${first.id}/revoke`);
    expect((await managementError(await manage("POST", "/api/v1/management-keys", { name: name.toUpperCase(), role: "admin" }))).code).toBe(
      "conflict",
    );
    for (const body of [
      { name: "management_key", role: "admin" },
      { name: "x", role: "owner" },
      { name: "", role: "admin" },
      { name: "a\u0000b", role: "admin" },
      { name: "x", role: "admin", extra: 1 },
    ]) {
      expect((await managementError(await manage("POST", "/api/v1/management-keys", body))).code, JSON.stringify(body)).toBe(
        "validation_error",
      );
    }
    expect((await managementError(await manage("POST", "/api/v1/management-keys", { role: "admin" }))).code).toBe("missing_parameters");
    expect((await managementError(await manage("POST", "/api/v1/management-keys", { name: "x" }))).message).toBe("role is required");
  });

  it("revokes a key for good: its very next request is 403; revoking again answers the key as it is", async () => {
    const holder = await createManagementKey("admin");
    expect((await manage("GET", "/api/v1/products", undefined, { key: holder.key })).status).toBe(200);
    const revoked = await manageOk("POST", `/api/v1/management-keys/${holder.id}/revoke`);
    expect(revoked).toMatchObject({ id: holder.id, revoked_by: "MANAGEMENT_KEY" });
    expect(revoked.revoked_at).toMatch(/^\d{4}-\d\d-\d\dT/);
    const refused = await managementError(await manage("GET", "/api/v1/products", undefined, { key: holder.key }));
    expect(refused).toMatchObject({ status: 403, code: "forbidden" });
    expect(await manageOk("POST", `/api/v1/management-keys/${holder.id}/revoke`)).toEqual(revoked);
    expect((await managementError(await manage("POST", "/api/v1/management-keys/999999/revoke"))).code).toBe("not_found");
  });

  it("a key revokes itself; the bootstrap key stays whatever happens to named keys", async () => {
    const holder = await createManagementKey("admin");
    expect((await manage("POST", `/api/v1/management-keys/${holder.id}/revoke`, undefined, { key: holder.key })).status).toBe(200);
    expect((await manage("GET", "/api/v1/me", undefined, { key: holder.key })).status).toBe(403);
    expect((await manage("GET", "/api/v1/me")).status).toBe(200);
  });

  it("refuses keys that look like named keys but are not (a digit changed, another key)", async () => {
    const holder = await createManagementKey("read-only");
    const last = holder.key.at(-1)!;
    for (const wrong of [`${holder.key.slice(0, -1)}${last === "A" ? "B" : "A"}`, `mk_${"A".repeat(43)}`, holder.key.slice(0, -1)]) {
      expect((await managementError(await manage("GET", "/api/v1/me", undefined, { key: wrong }))).code).toBe("forbidden");
    }
  });
});

describe("roles", () => {
  it("every route refuses a caller below its role (403 naming both roles) and lets a caller at its role through", async () => {
    const keys: Record<ManagementRole, { key: string; name: string }> = {
      "read-only": await createManagementKey("read-only"),
      support: await createManagementKey("support"),
      admin: await createManagementKey("admin"),
    };
    for (const route of managementRoutes) {
      const at = MANAGEMENT_ROLES.indexOf(route.role);
      const call = (role: ManagementRole) =>
        manage(route.method.toUpperCase(), concrete(route.path), route.method === "get" ? undefined : {}, { key: keys[role].key });
      for (const below of MANAGEMENT_ROLES.slice(0, at)) {
        const refused = await managementError(await call(below));
        expect(refused.status, `${below} ${route.method} ${route.path}`).toBe(403);
        expect(refused.message).toBe(`This needs the ${route.role} role; ${keys[below].name} has the ${below} role`);
      }
      // At its role the request reaches validation or the handler (400, 404, 409, 200 ...), never a 403.
      const allowed = await call(route.role);
      expect(allowed.status, `${route.role} ${route.method} ${route.path}: ${await allowed.clone().text()}`).not.toBe(403);
    }
  });

  it("gives the roles what the documentation says: support works on licenses, not on products, keys or imports", async () => {
    const expected: Array<[string, string, ManagementRole]> = [
      ["GET", "/api/v1/licenses", "read-only"],
      ["GET", "/api/v1/products", "read-only"],
      ["GET", "/api/v1/api-keys", "read-only"],
      ["GET", "/api/v1/activity", "read-only"],
      ["GET", "/api/v1/audit", "read-only"],
      ["GET", "/api/v1/customers", "read-only"],
      ["GET", "/api/v1/me", "read-only"],
      ["POST", "/api/v1/licenses", "support"],
      ["PATCH", "/api/v1/licenses/{license_id}", "support"],
      ["POST", "/api/v1/licenses/{license_id}/archive", "support"],
      ["POST", "/api/v1/licenses/{license_id}/features/{feature_code}/reset", "support"],
      ["POST", "/api/v1/devices/{device_id}/blacklist", "support"],
      ["PATCH", "/api/v1/customers/{customer_id}", "support"],
      ["POST", "/api/v1/products", "admin"],
      ["POST", "/api/v1/products/{product_id}/features/{feature_code}/add-to-licenses", "admin"],
      ["POST", "/api/v1/api-keys", "admin"],
      ["GET", "/api/v1/management-keys", "admin"],
      ["POST", "/api/v1/management-keys", "admin"],
      ["POST", "/api/v1/import/licenses", "admin"],
      ["GET", "/api/v1/usage/near-cap", "read-only"],
      ["GET", "/api/v1/webhooks", "admin"],
      ["POST", "/api/v1/webhooks", "admin"],
    ];
    for (const [method, path, role] of expected) {
      const route = managementRoutes.find((candidate) => candidate.method.toUpperCase() === method && candidate.path === path);
      expect(route?.role, `${method} ${path}`).toBe(role);
    }
  });
});

async function manageWith(key: string, method: string, path: string): Promise<unknown> {
  const response = await manage(method, path, undefined, { key });
  expect(response.status).toBe(200);
  return response.json();
}
