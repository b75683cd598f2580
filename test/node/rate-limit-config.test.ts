// wrangler.toml declares exactly the rate-limit bindings the code uses (src/auth/rate-limit.ts),
// with the periods the code answers in Retry-After, and with limits no smaller than
// docs/protocol.md "Rate limits" promises a legitimate client.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { unstable_readConfig } from "wrangler";
import { RATE_LIMIT_PERIODS } from "../../src/auth/rate-limit-periods";

const config = unstable_readConfig({ config: join(import.meta.dirname, "..", "..", "wrangler.toml") });

describe("wrangler.toml [[ratelimits]]", () => {
  it("binds each limiter the code uses, with the period the code answers in Retry-After", () => {
    const declared = Object.fromEntries(
      config.ratelimits.map((limit: { name: string; namespace_id: string; simple: { limit: number; period: number } }) => [
        limit.name,
        limit.simple.period,
      ]),
    );
    expect(declared).toEqual(RATE_LIMIT_PERIODS);
  });

  it("has limits no smaller than the documented ones (a vendor may raise them), each in its own namespace", () => {
    const documented: Record<string, number> = { ADDRESS_RATE_LIMIT: 200, API_KEY_RATE_LIMIT: 3000, MANAGEMENT_RATE_LIMIT: 1200 };
    for (const limit of config.ratelimits) expect(limit.simple.limit, limit.name).toBeGreaterThanOrEqual(documented[limit.name]!);
    expect(
      new Set(
        config.ratelimits.map(
          (limit: { name: string; namespace_id: string; simple: { limit: number; period: number } }) => limit.namespace_id,
        ),
      ).size,
    ).toBe(config.ratelimits.length);
  });
});
