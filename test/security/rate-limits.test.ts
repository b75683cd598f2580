// The request rate limits (src/auth/rate-limit.ts, docs/protocol.md "Rate limits") with the limits
// wrangler.toml sets for production, through the real Worker and Miniflare's simulation of the
// Rate Limiting binding. Miniflare counts in windows aligned to the wall clock, so each test starts
// at the beginning of one and finishes well inside it.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { apiKeyRateKey, clientAddress } from "../../src/auth/rate-limit";
import { callWorkerDirect, errorCode, signedBody } from "../support/client";
import { createFixture, createApiKey } from "../support/fixtures";
import { manage } from "../support/management-client";
import { authHeaders } from "../support/signing";

/** wrangler.toml's limits (test/node/rate-limit-config.test.ts checks the periods against the code's). */
const ADDRESS_LIMIT = 200;
const API_KEY_LIMIT = 3000;
const MANAGEMENT_LIMIT = 1200;

/** Waits until the start of the next window of `periodS` seconds unless at least `neededMs` of the current one is left. */
async function windowWithRoom(periodS: number, neededMs: number): Promise<void> {
  const periodMs = periodS * 1000;
  const left = periodMs - (Date.now() % periodMs);
  if (left < neededMs) await new Promise((resolve) => setTimeout(resolve, left + 50));
}

const fromAddress = (address: string, path = "/api/v4/check_license") =>
  callWorkerDirect(path, { headers: { "CF-Connecting-IP": address } });

async function expectTooManyRequests(response: Response, retryAfter: string): Promise<void> {
  expect(response.status).toBe(429);
  expect(response.headers.get("Retry-After")).toBe(retryAfter);
  expect(await errorCode(response)).toBe("too_many_requests");
}

describe("per client address, every License API request", () => {
  it(`counts: ${ADDRESS_LIMIT} per 10 s are served, the next is 429 with Retry-After; other addresses are not affected; the next window serves again`, async () => {
    const address = `192.0.2.${Math.floor(Math.random() * 250) + 1}`;
    await windowWithRoom(10, 9_000);
    const started = Date.now();
    // Unauthenticated requests: the limit comes before anything is read, so these are the cheapest.
    for (let sent = 0; sent < ADDRESS_LIMIT; sent += 20) {
      const answers = await Promise.all(Array.from({ length: 20 }, () => fromAddress(address)));
      for (const answer of answers) expect(await errorCode(answer)).toBe("authorization_missing_params");
    }
    expect(Date.now() - started, "the requests fit in one window").toBeLessThan(9_000);
    await expectTooManyRequests(await fromAddress(address), "10");
    // Every path under /api/v4 counts, the unauthenticated ones too.
    await expectTooManyRequests(await fromAddress(address, "/api/v4/public_key"), "10");
    await expectTooManyRequests(await fromAddress(address, "/api/v4/trial_key"), "10");
    expect(await errorCode(await fromAddress(`198.51.100.${Math.floor(Math.random() * 250) + 1}`))).toBe("authorization_missing_params");

    await new Promise((resolve) => setTimeout(resolve, 10_000 - (Date.now() % 10_000) + 50));
    expect(await errorCode(await fromAddress(address))).toBe("authorization_missing_params");
  }, 60_000);

  it("an IPv6 client counts as its /64", async () => {
    const prefix = `2001:db8:${Math.floor(Math.random() * 0xffff).toString(16)}:7`;
    await windowWithRoom(10, 9_000);
    for (let sent = 0; sent < ADDRESS_LIMIT; sent += 20) {
      await Promise.all(Array.from({ length: 20 }, (_, i) => fromAddress(`${prefix}::${(sent + i).toString(16)}`)));
    }
    await expectTooManyRequests(await fromAddress(`${prefix}:0:0:0:ffff`), "10");
    expect(await errorCode(await fromAddress(`${prefix.replace(/:7$/, ":8")}::1`))).toBe("authorization_missing_params");
  }, 60_000);

  it("clientAddress: IPv4 as it is; IPv6 as its /64 in one spelling; none without CF-Connecting-IP", () => {
    const address = (ip?: string) => clientAddress(new Request("http://x/", { headers: ip ? { "CF-Connecting-IP": ip } : {} }));
    expect(address("203.0.113.9")).toBe("203.0.113.9");
    expect(address("2001:0db8:0000:0007:0001:0002:0003:0004")).toBe("2001:db8:0:7::/64");
    expect(address("2001:DB8:0:7::1")).toBe("2001:db8:0:7::/64");
    expect(address("2001:db8::1")).toBe("2001:db8:0:0::/64");
    expect(address("::1")).toBe("0:0:0:0::/64");
    expect(address("2001:db8:0:7:1::")).toBe("2001:db8:0:7::/64");
    expect(address("::ffff:203.0.113.9")).toBe("::ffff:203.0.113.9");
    expect(address()).toBeNull();
  });
});

describe("per API key, License API requests whose signature verified", () => {
  it(`${API_KEY_LIMIT} per 10 s; a request with a bad signature does not spend the key's budget; other keys are not affected`, async () => {
    const fixture = await createFixture();
    const credentials = await createApiKey();
    const other = await createApiKey();
    const check = (key: typeof credentials, date?: Date) => async () =>
      callWorkerDirect(`/api/v4/check_license?${new URLSearchParams(fixture.identity)}`, { headers: await authHeaders(key, date) });
    await windowWithRoom(10, 5_000);
    // All but one of the window's budget, spent at once rather than by 2,999 requests.
    expect(await env.API_KEY_RATE_LIMIT.limit({ key: apiKeyRateKey(credentials), delta: API_KEY_LIMIT - 1 })).toEqual({ success: true });
    const forged = await callWorkerDirect(`/api/v4/check_license?${new URLSearchParams(fixture.identity)}`, {
      headers: await authHeaders({ apiKey: credentials.apiKey, sharedKey: "not-the-shared-key" }),
    });
    expect(await errorCode(forged)).toBe("signature_mismatch");
    await signedBody(await check(credentials)());
    await expectTooManyRequests(await check(credentials)(), "10");
    await signedBody(await check(other)());
  });
});

describe("per client address, every management request", () => {
  it(`${MANAGEMENT_LIMIT} per 60 s, counted before the management key is compared`, async () => {
    const address = `203.0.113.${Math.floor(Math.random() * 250) + 1}`;
    const headers = { "CF-Connecting-IP": address };
    await windowWithRoom(60, 10_000);
    const { MANAGEMENT_RATE_LIMIT } = env;
    expect(await MANAGEMENT_RATE_LIMIT.limit({ key: address, delta: MANAGEMENT_LIMIT - 1 })).toEqual({ success: true });
    expect((await manage("GET", "/api/v1/products", undefined, { headers })).status).toBe(200);
    const guessed = await manage("GET", "/api/v1/products", undefined, { headers, key: "a-guessed-management-key" });
    expect(guessed.status).toBe(429);
    expect(guessed.headers.get("Retry-After")).toBe("60");
    expect((await guessed.json()) as object).toMatchObject({ status: 429, code: "too_many_requests" });
    expect((await manage("GET", "/api/v1/products", undefined, { headers: { "CF-Connecting-IP": "203.0.113.251" } })).status).toBe(200);
  });
});
