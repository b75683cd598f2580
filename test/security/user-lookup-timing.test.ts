// An unknown license user and a known one with a wrong password must be indistinguishable on
// every path that checks a password: the same code, the same body, and the same work (a password
// hash is derived either way). Timing is compared as two interleaved distributions (the median of
// paired differences against the median latency), never as one measurement, so a busy machine
// slows both sides alike.
import { describe, expect, it } from "vitest";
import { callWorker } from "../support/client";
import { createApiKey } from "../support/fixtures";
import { manageOk, uniqueCode } from "../support/management-client";
import { authHeaders } from "../support/signing";

const PASSWORD = "the-right-password";
/** Pairs of samples per path: each pair is one unknown user and one wrong password, in alternating order. */
const PAIRS = 40;
/** Known users per path: their failures are spread so that no user reaches the password guard's lock. */
const USERS = 4;

const credentials = await createApiKey({ companyId: 1 });

/** A user-based product with USERS license users (passwords hashed as the management API hashes them). */
async function usersOfOneProduct() {
  const product = await manageOk("POST", "/api/v1/products", {
    short_code: uniqueCode("timing"),
    name: "Timing",
    authorization_method: "user",
  });
  const usernames: string[] = [];
  for (let i = 0; i < USERS; i++) {
    const username = `${uniqueCode("known")}@example.com`;
    await manageOk("POST", "/api/v1/licenses", { product_id: product.id, users: [{ username, password: PASSWORD }], max_activations: 5 });
    usernames.push(username);
  }
  return { product: product.short_code as string, usernames };
}

type Attempt = (product: string, username: string, address: string) => Promise<Response>;

const post =
  (path: string, fields: (product: string, username: string) => Record<string, unknown>): Attempt =>
  async (product, username, address) =>
    callWorker(path, {
      method: "POST",
      headers: { ...(await authHeaders(credentials)), "Content-Type": "application/json", "CF-Connecting-IP": address },
      body: JSON.stringify(fields(product, username)),
    });

const PATHS: Array<[string, Attempt]> = [
  [
    "user_licenses",
    async (product, username, address) =>
      callWorker(`/api/v4/user_licenses?${new URLSearchParams({ product, username, password: "wrong-password" })}`, {
        headers: { ...(await authHeaders(credentials)), "CF-Connecting-IP": address },
      }),
  ],
  [
    "activate_license",
    post("/api/v4/activate_license", (product, username) => ({ product, username, password: "wrong-password", hardware_id: "hw-timing" })),
  ],
  [
    "floating/borrow",
    post("/api/v4/floating/borrow", (product, username) => ({
      product,
      username,
      password: "wrong-password",
      hardware_id: "hw-timing",
      borrowed_until: null,
    })),
  ],
  [
    "change_password",
    post("/api/v4/change_password", (_product, username) => ({ username, password: "wrong-password", new_password: "new-password-1" })),
  ],
];

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};
const quartiles = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return [sorted[Math.floor(sorted.length / 4)]!, median(sorted), sorted[Math.floor((3 * sorted.length) / 4)]!];
};

describe.each(PATHS)("%s: unknown user and wrong password", (path, attempt) => {
  it("answer the same bytes after the same work", async () => {
    const { product, usernames } = await usersOfOneProduct();
    // Every sample comes from its own address, so that no address reaches the password guard's lock.
    let address = 0;
    const nextAddress = () => `198.18.${Math.floor(++address / 250)}.${address % 250}`;
    const timed = async (username: string) => {
      const started = performance.now();
      const response = await attempt(product, username, nextAddress());
      const body = await response.text();
      return { ms: performance.now() - started, status: response.status, body };
    };

    // Warm-up: the isolate, the route and the statements, on both sides.
    await timed(`${uniqueCode("nobody")}@example.com`);
    await timed(usernames[0]!);

    const unknown: number[] = [];
    const known: number[] = [];
    const bodies = new Set<string>();
    for (let pair = 0; pair < PAIRS; pair++) {
      const stranger = `${uniqueCode("nobody")}@example.com`;
      const user = usernames[pair % USERS]!;
      const first = pair % 2 === 0 ? await timed(stranger) : await timed(user);
      const second = pair % 2 === 0 ? await timed(user) : await timed(stranger);
      const [u, k] = pair % 2 === 0 ? [first, second] : [second, first];
      unknown.push(u.ms);
      known.push(k.ms);
      bodies.add(`${u.status} ${u.body}`);
      bodies.add(`${k.status} ${k.body}`);
    }

    const differences = known.map((ms, i) => ms - unknown[i]!);
    const gap = median(differences);
    const typical = median(known);
    console.log(
      `${path}: unknown user ms q1/median/q3 ${quartiles(unknown)
        .map((v) => v.toFixed(1))
        .join("/")}, ` +
        `wrong password ${quartiles(known)
          .map((v) => v.toFixed(1))
          .join("/")}, median paired difference ${gap.toFixed(1)} ms`,
    );
    // A hash derivation is most of either answer's time: a path that skips it for unknown users
    // shows a gap of about half the typical latency. Noise on a shared machine stays well inside a quarter.
    expect.soft(Math.abs(gap)).toBeLessThan(0.25 * typical);

    // One answer for both, byte for byte.
    expect.soft([...bodies]).toHaveLength(1);
    expect.soft(JSON.parse([...bodies][0]!.slice(4))).toMatchObject({ status: 400, code: "invalid_password" });
  }, 120_000);
});
