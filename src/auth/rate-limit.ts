/**
 * Request rate limits: LicenseSpring's two flood backstops for the License API (per client address,
 * per API key; docs.licensespring.com/license-api/rate-limiting) and one per client address for the
 * management API, counted by the Workers Rate Limiting binding (`[[ratelimits]]` in wrangler.toml,
 * where each limit is set). Sizes, and what a vendor whose devices share one address does:
 * docs/protocol.md "Rate limits".
 *
 * Over a limit, the answer is 429 `too_many_requests` with Retry-After: the binding does not say
 * when its window ends, so Retry-After is the whole period (the longest the wait can be).
 *
 * What the binding is, and why that is enough here:
 * - It counts per Cloudflare location: a client reaching several locations gets several budgets.
 *   These are flood limits, not a lock; the limit that must hold everywhere, on password guessing,
 *   is ./password-guard.ts, in D1.
 * - Periods are 10 s or 60 s only. The limits live in wrangler.toml; the periods are repeated in
 *   RATE_LIMIT_PERIODS (./rate-limit-periods.ts) for Retry-After.
 * - A deployment without one of the bindings is not limited by it (the bench runs without them:
 *   it measures the service, and locally each count is a call to a simulated object).
 */
import { limitError } from "../errors";
import { RATE_LIMIT_PERIODS, type RateLimitBinding } from "./rate-limit-periods";

/**
 * The client's address as a rate-limit key: CF-Connecting-IP, which Cloudflare's edge sets on
 * every request from the internet. An IPv6 address counts as its /64 (one subscriber usually holds
 * a whole /64, so single addresses would be free to rotate through). Null when the header is absent:
 * a request from another Worker through a service binding, or a local one that did not come through
 * Miniflare's entry (tests, the bench); such requests are not limited per address.
 */
export function clientAddress(request: Request): string | null {
  const ip = request.headers.get("CF-Connecting-IP")?.trim();
  if (!ip) return null;
  if (!ip.includes(":") || ip.includes(".")) return ip; // IPv4 (also IPv4-mapped IPv6, kept whole)
  const [head = "", tail] = ip.toLowerCase().split("::", 2);
  const groups = head === "" ? [] : head.split(":");
  // "a:b::c" has its zero groups between head and tail: the first four groups come from head, then zeros.
  if (tail !== undefined && groups.length < 4) {
    const tailGroups = tail === "" ? [] : tail.split(":");
    const zeros = Math.max(0, 8 - groups.length - tailGroups.length);
    groups.push(...Array<string>(zeros).fill("0"), ...tailGroups);
  }
  return `${groups
    .slice(0, 4)
    .map((group) => group.replace(/^0+(?=.)/, ""))
    .join(":")}::/64`;
}

/** The API key's rate-limit key: the key as clients send it (it is no secret: every copy of the application holds it). */
export const apiKeyRateKey = (apiKey: { apiKey: string }) => apiKey.apiKey;

async function enforce(env: Env, binding: RateLimitBinding, key: string): Promise<void> {
  const limiter: RateLimit | undefined = env[binding];
  if (limiter === undefined) return;
  const { success } = await limiter.limit({ key });
  if (!success) throw limitError("too_many_requests", RATE_LIMIT_PERIODS[binding] * 1000);
}

/** Per client address, on every License API request (the router's first step). */
export async function limitLicenseApiAddress(request: Request, env: Env): Promise<void> {
  const address = clientAddress(request);
  if (address !== null) await enforce(env, "ADDRESS_RATE_LIMIT", address);
}

/**
 * Per API key, once the request's signature verified: a caller who only knows an API key (it is in
 * every copy of the vendor's application, and in logs) cannot spend that key's budget and so cannot
 * lock the vendor's devices out.
 */
export async function limitApiKey(apiKey: { apiKey: string }, env: Env): Promise<void> {
  await enforce(env, "API_KEY_RATE_LIMIT", apiKeyRateKey(apiKey));
}

/** Per client address, on every management request, before the management key is compared. */
export async function limitManagementAddress(request: Request, env: Env): Promise<void> {
  const address = clientAddress(request);
  if (address !== null) await enforce(env, "MANAGEMENT_RATE_LIMIT", address);
}
