// Cloudflare Access in front of the management API: the Worker checks Cf-Access-Jwt-Assertion itself
// (RS256 under the team's published keys, audience, issuer, expiry) and maps the e-mail to a role.
// The team's keys are generated per run and served to the Worker's real fetch by the outbound
// service (test/support/access-team.mjs): ann@vendor.test is admin, bob@vendor.test support, the
// rest of @vendor.test and the service token 4f1c9e2a.access read-only, anyone else nothing.
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { KEYS_MAX_AGE_MS, UNKNOWN_KID_RELOAD_MS, accessRole, accessSettings } from "../../src/auth/access-jwt";
import { encodeBase64Url } from "../../src/base64";
import { accessClaims, accessToken, certRequests, rotateTeamKeys, strangerKey, teamKey } from "../support/access-tokens";
import { manage, managementError, uniqueCode } from "../support/management-client";

const asAccess = (token: string, method = "GET", path = "/api/v1/me", body?: unknown) =>
  manage(method, path, body, { key: null, headers: { "Cf-Access-Jwt-Assertion": token } });

afterEach(() => {
  vi.useRealTimers();
});

describe("Cloudflare Access", () => {
  it("signs people in by their Access token, with the role ACCESS_ROLES gives their e-mail or domain", async () => {
    for (const [email, role] of [
      ["ann@vendor.test", "admin"],
      ["Bob@Vendor.test", "support"],
      ["carol@vendor.test", "read-only"],
    ] as const) {
      const response = await asAccess(await accessToken(accessClaims(email)));
      expect(response.status, email).toBe(200);
      expect(await response.json()).toEqual({ name: email, type: "access", role });
    }
    // A service token has no e-mail: its client id (common_name) is who it is.
    const service = await asAccess(await accessToken(accessClaims("", { email: undefined, common_name: "4f1c9e2a.access" })));
    expect(await service.json()).toEqual({ name: "4f1c9e2a.access", type: "access", role: "read-only" });
  });

  it("applies the role: read-only may read, not write; the activity log names the e-mail", async () => {
    const reader = await accessToken(accessClaims("carol@vendor.test"));
    expect((await asAccess(reader, "GET", "/api/v1/products")).status).toBe(200);
    const refused = await managementError(await asAccess(reader, "POST", "/api/v1/products", { short_code: "x", name: "X" }));
    expect(refused).toMatchObject({ status: 403, message: "This needs the admin role; carol@vendor.test has the read-only role" });

    const admin = await accessToken(accessClaims("ann@vendor.test"));
    const shortCode = uniqueCode("access");
    const created = await asAccess(admin, "POST", "/api/v1/products", { short_code: shortCode, name: "Made through Access" });
    expect(created.status).toBe(201);
    const product = (await created.json()) as { id: number };
    const activity = await asAccess(admin, "GET", `/api/v1/activity?target_type=product&target_id=${product.id}`);
    expect(((await activity.json()) as { data: unknown[] }).data).toMatchObject([
      { actor: "ann@vendor.test", actor_type: "access", action: "product.created" },
    ]);
  });

  it("refuses tokens that are not the team's, not for this application, expired, not yet valid, or name nobody with a role", async () => {
    const good = accessClaims("ann@vendor.test");
    const cases: Array<[string, Promise<string>, RegExp]> = [
      ["another key under the team's kid", strangerKey(teamKey("current").kid).then((key) => accessToken(good, key)), /does not verify/],
      [
        "a key the team does not publish",
        strangerKey("unknown-kid").then((key) => accessToken(good, key)),
        /key the team does not publish/,
      ],
      ["another audience", accessToken({ ...good, aud: ["another-app"] }), /another Access application/],
      ["another team", accessToken({ ...good, iss: "https://other.cloudflareaccess.com" }), /another team/],
      ["expired", accessToken({ ...good, exp: Math.floor(Date.now() / 1000) - 1 }), /expired/],
      ["not yet valid", accessToken({ ...good, nbf: Math.floor(Date.now() / 1000) + 600 }), /not valid yet/],
      ["HS256", accessToken(good, teamKey("current"), { alg: "HS256" }), /RS256/],
      ["alg none", accessToken(good, teamKey("current"), { alg: "none" }), /RS256/],
      ["no e-mail, no common_name", accessToken({ ...good, email: undefined }), /names nobody/],
      ["an identity without a role", accessToken(accessClaims("eve@elsewhere.test")), /gives it no role/],
      ["not a JWT", Promise.resolve("not-a-jwt"), /not a JWT/],
    ];
    for (const [what, token, message] of cases) {
      const refused = await managementError(await asAccess(await token));
      expect(refused.status, what).toBe(403);
      expect(refused.code, what).toBe("forbidden");
      expect(refused.message, what).toMatch(message);
    }
    // A token whose payload was changed after signing.
    const [header, , signature] = (await accessToken(good)).split(".");
    const payload = encodeBase64Url(new TextEncoder().encode(JSON.stringify(accessClaims("mallory@vendor.test"))));
    const forged = `${header}.${payload}.${signature}`;
    expect((await managementError(await asAccess(forged))).message).toMatch(/does not verify/);
  });

  it("a management key still works, and wins over an Access token on the same request; no credential at all is 401", async () => {
    const withBoth = await manage("GET", "/api/v1/me", undefined, {
      headers: { "Cf-Access-Jwt-Assertion": await accessToken(accessClaims("carol@vendor.test")) },
    });
    expect(await withBoth.json()).toEqual({ name: "MANAGEMENT_KEY", type: "bootstrap", role: "admin" });
    expect((await managementError(await manage("GET", "/api/v1/me", undefined, { key: null }))).code).toBe("unauthorized");
  });

  it("keeps the team's keys: fetched once, again after KEYS_MAX_AGE_MS, and on a new key id at most once per UNKNOWN_KID_RELOAD_MS", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const start = Date.now();
    const fetched = await certRequests();
    for (let i = 0; i < 5; i++) expect((await asAccess(await accessToken(accessClaims("ann@vendor.test")))).status).toBe(200);
    // The isolate may have kept them from an earlier test; either way at most one fetch for these five.
    expect((await certRequests()) - fetched).toBeLessThanOrEqual(1);

    // Made-up key ids reload the keys at most once per UNKNOWN_KID_RELOAD_MS.
    vi.setSystemTime(start + KEYS_MAX_AGE_MS / 2);
    const beforeUnknown = await certRequests();
    for (let i = 0; i < 5; i++) {
      const token = await accessToken(accessClaims("ann@vendor.test"), await strangerKey(`made-up-${i}`));
      expect((await asAccess(token)).status).toBe(403);
    }
    expect((await certRequests()) - beforeUnknown).toBe(1);

    // The team rotates its keys: a token under the new key reloads them once it may, and verifies.
    await rotateTeamKeys();
    const rotated = await accessToken(accessClaims("ann@vendor.test"), teamKey("next"));
    expect((await asAccess(rotated)).status).toBe(403);
    vi.setSystemTime(start + KEYS_MAX_AGE_MS / 2 + UNKNOWN_KID_RELOAD_MS);
    expect((await asAccess(rotated)).status).toBe(200);
    expect((await asAccess(await accessToken(accessClaims("ann@vendor.test")))).status).toBe(200);

    // Past their age the keys are fetched again.
    const beforeAge = await certRequests();
    vi.setSystemTime(start + 2 * KEYS_MAX_AGE_MS);
    expect((await asAccess(await accessToken(accessClaims("ann@vendor.test")))).status).toBe(200);
    expect((await certRequests()) - beforeAge).toBe(1);
  });

  it("refuses a half or broken configuration (500, logged), and maps roles: exact e-mail, then @domain, then *", () => {
    expect(accessSettings({})).toBeNull();
    expect(() => accessSettings({ ACCESS_TEAM_DOMAIN: "acme.cloudflareaccess.com" })).toThrow(/both/);
    expect(() => accessSettings({ ACCESS_AUDIENCE: "aud" })).toThrow(/both/);
    expect(() => accessSettings({ ACCESS_TEAM_DOMAIN: "acme.cloudflareaccess.com/x", ACCESS_AUDIENCE: "aud" })).toThrow(/host name/);
    expect(() => accessSettings({ ACCESS_TEAM_DOMAIN: "acme.cloudflareaccess.com", ACCESS_AUDIENCE: "aud", ACCESS_ROLES: "{" })).toThrow(
      /ACCESS_ROLES/,
    );
    expect(() =>
      accessSettings({ ACCESS_TEAM_DOMAIN: "acme.cloudflareaccess.com", ACCESS_AUDIENCE: "aud", ACCESS_ROLES: '{"a@b.c": "owner"}' }),
    ).toThrow(/ACCESS_ROLES/);
    const settings = accessSettings({
      ACCESS_TEAM_DOMAIN: "https://acme.cloudflareaccess.com/",
      ACCESS_AUDIENCE: "aud",
      ACCESS_ROLES: '{"Ann@Acme.com": "admin", "@acme.com": "support", "*": "read-only"}',
    })!;
    expect(settings).toMatchObject({
      issuer: "https://acme.cloudflareaccess.com",
      certsUrl: "https://acme.cloudflareaccess.com/cdn-cgi/access/certs",
    });
    expect(accessRole(settings, "ann@acme.com")).toBe("admin");
    expect(accessRole(settings, "bob@ACME.com")).toBe("support");
    expect(accessRole(settings, "eve@elsewhere.com")).toBe("read-only");
    expect(accessRole(accessSettings({ ...env, ACCESS_ROLES: "{}" })!, "ann@vendor.test")).toBeNull();
  });
});
