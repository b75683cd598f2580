// The password guard (src/auth/password-guard.ts, docs/protocol.md "Password guessing"): attempts
// at a license user's password are counted in D1 per (user, client address) and per user, on every
// path that checks one, and refused unchecked (429 too_many_password_attempts) past the limits.
// The clock is vitest's fake Date, which the Worker shares (same isolate): windows end on demand.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { PASSWORD_GUARD } from "../../src/auth/password-guard";
import { callWorkerDirect, errorCode, signedBody } from "../support/client";
import { createApiKey, createFixture, type Credentials, type Fixture } from "../support/fixtures";
import { authHeaders } from "../support/signing";

const PASSWORD = "the-right-password";
const { PER_ADDRESS, PER_USER } = PASSWORD_GUARD;

let credentials: Credentials;
beforeAll(async () => {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(Date.parse("2031-05-04T08:00:00.000Z"));
  credentials = await createApiKey();
});
afterAll(() => {
  vi.useRealTimers();
});

const later = (ms: number) => vi.setSystemTime(Date.now() + ms);
let addresses = 0;
const newAddress = () => `198.51.100.${++addresses}`;

type Path = "activate_license" | "user_licenses" | "change_password" | "floating/borrow" | "floating/feature_borrow";
const PATHS: Path[] = ["activate_license", "user_licenses", "change_password", "floating/borrow", "floating/feature_borrow"];

/** One attempt at the fixture user's password on `path`, from `address` (callWorkerDirect: the guard's settling is done when it answers). */
async function attempt(fixture: Fixture, path: Path, password: string, address: string, username = fixture.username!): Promise<Response> {
  const headers = { ...(await authHeaders(credentials)), "CF-Connecting-IP": address };
  const { product, hardware_id } = fixture.identity as { product: string; hardware_id: string };
  if (path === "user_licenses") {
    return callWorkerDirect(`/api/v4/user_licenses?${new URLSearchParams({ product, username, password })}`, { headers });
  }
  const body =
    path === "change_password"
      ? { username, password, new_password: "a-new-password" }
      : { product, hardware_id, username, password, feature: fixture.featureCode, borrowed_until: null };
  return callWorkerDirect(`/api/v4/${path}`, {
    method: "POST",
    headers: { ...headers, "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
}

const userFixture = () => createFixture({ authorizationMethod: "user", password: PASSWORD });

async function expectLocked(response: Response, atMostS: number): Promise<void> {
  expect(response.status).toBe(429);
  const retryAfter = Number(response.headers.get("Retry-After"));
  expect(retryAfter).toBeGreaterThan(0);
  expect(retryAfter).toBeLessThanOrEqual(atMostS);
  expect(await errorCode(response)).toBe("too_many_password_attempts");
}

describe("per user and client address", () => {
  it(`${PER_ADDRESS.attempts} wrong passwords on any of the paths lock that address out of that user, even with the right password; other addresses sign in`, async () => {
    const fixture = await userFixture();
    const address = newAddress();
    for (let i = 0; i < PER_ADDRESS.attempts; i++) {
      expect(await errorCode(await attempt(fixture, PATHS[i % PATHS.length]!, `wrong-${i}`, address))).toBe("invalid_password");
    }
    for (const path of PATHS) await expectLocked(await attempt(fixture, path, PASSWORD, address), PER_ADDRESS.windowMs / 1000);
    await signedBody(await attempt(fixture, "activate_license", PASSWORD, newAddress()));
  });

  it("the lock ends with its window", async () => {
    const fixture = await userFixture();
    const address = newAddress();
    for (let i = 0; i <= PER_ADDRESS.attempts; i++) await attempt(fixture, "user_licenses", "wrong", address);
    later(PER_ADDRESS.windowMs - 60_000);
    await expectLocked(await attempt(fixture, "user_licenses", PASSWORD, address), 60);
    later(60_000);
    await signedBody(await attempt(fixture, "user_licenses", PASSWORD, address));
  });

  it("a successful sign-in starts the address's count again", async () => {
    const fixture = await userFixture();
    const address = newAddress();
    for (let i = 1; i < PER_ADDRESS.attempts; i++) expect((await attempt(fixture, "user_licenses", "wrong", address)).status).toBe(400);
    await signedBody(await attempt(fixture, "user_licenses", PASSWORD, address));
    for (let i = 0; i < PER_ADDRESS.attempts; i++) {
      expect(await errorCode(await attempt(fixture, "user_licenses", "wrong", address))).toBe("invalid_password");
    }
    await expectLocked(await attempt(fixture, "user_licenses", "wrong", address), PER_ADDRESS.windowMs / 1000);
  });

  it("an unknown username is counted and locked exactly as a known one", async () => {
    const fixture = await userFixture();
    const address = newAddress();
    const stranger = `nobody-${crypto.randomUUID()}@example.com`;
    for (let i = 0; i < PER_ADDRESS.attempts; i++) {
      const [known, unknown] = [
        await attempt(fixture, "activate_license", "wrong", address),
        await attempt(fixture, "activate_license", "wrong", address, stranger),
      ];
      expect(await unknown.text()).toBe(await known.text());
    }
    await expectLocked(await attempt(fixture, "activate_license", "wrong", address), PER_ADDRESS.windowMs / 1000);
    await expectLocked(await attempt(fixture, "activate_license", "wrong", address, stranger), PER_ADDRESS.windowMs / 1000);
  });

  it("concurrent guesses: no more than the limit are checked", async () => {
    const fixture = await userFixture();
    const address = newAddress();
    const answers = await Promise.all(
      Array.from({ length: 3 * PER_ADDRESS.attempts }, (_, i) => attempt(fixture, "user_licenses", `wrong-${i}`, address)),
    );
    const codes = await Promise.all(answers.map((answer) => errorCode(answer)));
    expect(codes.filter((code) => code === "invalid_password")).toHaveLength(PER_ADDRESS.attempts);
    expect(codes.filter((code) => code === "too_many_password_attempts")).toHaveLength(2 * PER_ADDRESS.attempts);
  });
});

describe("per user, from every address", () => {
  it(`after ${PER_USER.attempts} attempts the user is refused at new addresses for the day; an address that signed in before keeps its own budget`, async () => {
    const fixture = await userFixture();
    const home = newAddress();
    await signedBody(await attempt(fixture, "activate_license", PASSWORD, home));
    // A botnet: many addresses, each under its own limit.
    for (let sent = 0; sent < PER_USER.attempts; sent += PER_ADDRESS.attempts) {
      const address = newAddress();
      for (let i = 0; i < PER_ADDRESS.attempts; i++)
        expect(await errorCode(await attempt(fixture, "user_licenses", "guess", address))).toBe("invalid_password");
    }
    await expectLocked(await attempt(fixture, "user_licenses", PASSWORD, newAddress()), PER_USER.windowMs / 1000);
    // Where the user already signs in, the user still does; a wrong password there is still just wrong.
    await signedBody(await attempt(fixture, "user_licenses", PASSWORD, home));
    expect(await errorCode(await attempt(fixture, "user_licenses", "typo", home))).toBe("invalid_password");
    later(PER_USER.windowMs);
    await signedBody(await attempt(fixture, "user_licenses", PASSWORD, newAddress()));
  });
});
