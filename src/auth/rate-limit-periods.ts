/**
 * The rate-limit bindings (./rate-limit.ts) and each one's period in seconds, as wrangler.toml's
 * `[[ratelimits]]` blocks set it: the binding does not tell its period, and Retry-After needs it.
 * test/node/rate-limit-config.test.ts checks that the two agree.
 */
export const RATE_LIMIT_PERIODS = {
  /** Every /api/v4 request, per client address, before anything else is read. */
  ADDRESS_RATE_LIMIT: 10,
  /** Every /api/v4 request whose HMAC verified, per API key. */
  API_KEY_RATE_LIMIT: 10,
  /** Every /api/v1 request, per client address, before the management key is checked. */
  MANAGEMENT_RATE_LIMIT: 60,
} as const satisfies Record<string, 10 | 60>;

export type RateLimitBinding = keyof typeof RATE_LIMIT_PERIODS;
