/**
 * The password guard: how many attempts at one license user's password are allowed, from one
 * client address and from everywhere, before further attempts are refused without being checked
 * (429 `too_many_password_attempts`, Retry-After). The decision is this pure function; the counts
 * live in D1 (src/db/password-attempts.ts) so that they hold across every Cloudflare location, which
 * the rate-limit binding (./rate-limit.ts) does not. docs/protocol.md "Password guessing" explains
 * the choice to the vendor.
 *
 * The trade-off: a lock on the user alone would let anyone lock a user out for good, cheaply (one
 * wrong password per lock period, from anywhere). So:
 * - Per (user, address): PER_ADDRESS.attempts in a window. An attacker at one address locks out only
 *   that address; a correct password from it ends its count.
 * - Per user, from every address: PER_USER.attempts in a longer window. This bounds guessing by
 *   many addresses (a botnet) to PER_USER.attempts a day. When it is reached, only addresses that
 *   have not signed in as this user lately are refused: an address where a sign-in succeeded within
 *   TRUSTED_FOR keeps its own per-address budget. Keeping a user locked out of a new address costs
 *   an attacker PER_USER.attempts wrong passwords a day from at least
 *   PER_USER.attempts / PER_ADDRESS.attempts addresses, and never locks out where the user already signs in.
 * Every window is fixed: it starts with the first attempt counted in it, and a lock ends with its window.
 *
 * An attempt is counted before the password is checked and uncounted when it succeeds, so
 * concurrent guesses cannot all slip in before the first failure is recorded. Unknown usernames are
 * counted exactly like known ones: whether a username exists must not show in when it locks.
 */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

export const PASSWORD_GUARD = {
  /** Attempts at one user's password from one client address, per window. */
  PER_ADDRESS: { attempts: 10, windowMs: 15 * MINUTE },
  /** Attempts at one user's password from every address together, per window. */
  PER_USER: { attempts: 50, windowMs: 24 * HOUR },
  /** How long a successful sign-in exempts its address from the per-user lock. */
  TRUSTED_FOR_MS: 30 * 24 * HOUR,
} as const;

/** One count, as D1 returns it after this attempt was added. */
export interface AttemptCount {
  /** Attempts in the current window, this one included. */
  attempts: number;
  windowStart: number;
  /** Until when the address is exempt from the per-user lock (per-address counts only; 0: never). */
  trustedUntil: number;
}

/**
 * Milliseconds until this attempt may be made, 0 when it may be made now. `byAddress` counts the
 * user's attempts from the request's address, `byUser` from everywhere; both include this attempt.
 */
export function passwordAttemptWait(byAddress: AttemptCount, byUser: AttemptCount, nowMs: number): number {
  const { PER_ADDRESS, PER_USER } = PASSWORD_GUARD;
  let waitMs = 0;
  if (byAddress.attempts > PER_ADDRESS.attempts) waitMs = byAddress.windowStart + PER_ADDRESS.windowMs - nowMs;
  if (byUser.attempts > PER_USER.attempts && byAddress.trustedUntil <= nowMs) {
    waitMs = Math.max(waitMs, byUser.windowStart + PER_USER.windowMs - nowMs);
  }
  return Math.max(0, waitMs);
}
