/**
 * Every check of a license user's password goes through here (activate_license and the floating
 * borrows on user-based licenses, user_licenses, change_password), so that all of them:
 * - answer an unknown user exactly as a wrong password: `invalid_password`, same status and body
 *   bytes, after the same work (the user lookup, the guard's count, and one PBKDF2 derivation,
 *   against a hash that matches nothing when there is no user; src/auth/password.ts);
 * - count the attempt in the password guard before checking anything (src/auth/password-guard.ts),
 *   and refuse without checking while the user is locked for the request's address.
 * docs/protocol.md "License user passwords" explains both to clients.
 */
import { verifyPassword } from "../auth/password";
import { passwordAttemptWait } from "../auth/password-guard";
import { clientAddress } from "../auth/rate-limit";
import type { ApiKey } from "../db/api-keys";
import type { License, LicenseContext, LicenseLookup, Product } from "../db/license-context";
import { findLicenseUser, type LicenseUser } from "../db/license-users";
import { countPasswordAttempt, settleSignIn, type PasswordAttempt } from "../db/password-attempts";
import { ApiError, limitError } from "../errors";
import type { DeclaredErrors } from "../http/route";
import { resolveProductIdentifier } from "./resolve-license";

/** What an endpoint that signs a license user in can answer for it (its route's `errors`). */
export const SIGN_IN_ERRORS = {
  invalid_password: "no license user has this username, or the password is wrong (the same answer for both)",
  too_many_password_attempts:
    "this license user's password was guessed wrong too often from this address; Retry-After says when to try again",
} satisfies DeclaredErrors;

/** What a sign-in needs of the request. */
export interface SignInCall {
  env: Env;
  ctx: ExecutionContext;
  request: Request;
  apiKey: ApiKey;
}

/**
 * The candidates (user rows, one per license) whose stored hash `password` matches. Each distinct
 * hash is derived once: a person with the same hash on ten licenses costs one derivation, not ten;
 * no candidate at all costs one too (verifyPassword derives against a hash that matches nothing).
 */
async function candidatesOpenedBy<T extends { user: LicenseUser }>(candidates: T[], password: string): Promise<T[]> {
  if (candidates.length === 0) {
    await verifyPassword(null, password);
    return [];
  }
  const verdicts = new Map<string | null, Promise<boolean>>();
  for (const { user } of candidates) {
    if (!verdicts.has(user.passwordHash)) verdicts.set(user.passwordHash, verifyPassword(user.passwordHash, password));
  }
  const opened = await Promise.all(candidates.map(({ user }) => verdicts.get(user.passwordHash)!));
  return candidates.filter((_, i) => opened[i]);
}

/**
 * Signs `username` in with `password` against `candidates` (the path's own lookup, running while
 * the attempt is counted: one round trip for both). Returns the candidates the password opens, at
 * least one; throws too_many_password_attempts (locked: nothing checked) or invalid_password
 * (no candidate, or the password opens none).
 */
export async function signIn<T extends { user: LicenseUser }>(
  call: SignInCall,
  username: string,
  password: string,
  candidates: Promise<T[]>,
): Promise<T[]> {
  const nowMs = Date.now();
  const attempt: PasswordAttempt = {
    companyId: call.apiKey.companyId,
    username,
    address: clientAddress(call.request) ?? "unknown",
  };
  const [counts, found] = await Promise.all([countPasswordAttempt(call.env.DB, attempt, nowMs), candidates]);
  const waitMs = passwordAttemptWait(counts.byAddress, counts.byUser, nowMs);
  if (waitMs > 0) throw limitError("too_many_password_attempts", waitMs);
  const opened = await candidatesOpenedBy(found, password);
  if (opened.length === 0) throw new ApiError("invalid_password");
  // The answer need not wait for the count to be settled: it only ever lowers the counts.
  call.ctx.waitUntil(
    settleSignIn(call.env.DB, attempt, nowMs).catch((error: unknown) => console.warn("password guard: settling a sign-in failed", error)),
  );
  return opened;
}

/**
 * A user-based license's identity with its password (activation, borrowing): the product checks
 * (unknown_product, api_key_product_not_allowed, the identifier its authorization method needs),
 * then missing_parameters without a password, then the sign-in. A username that names no license
 * of the product (or not the one license_id names) is invalid_password, as a wrong password is.
 */
export async function signInToLicense(
  call: SignInCall,
  context: LicenseContext,
  lookup: LicenseLookup & { username: string },
  password: string | undefined,
  action: string,
  /** The license user, when the caller read it with the context (null: none); else it is read here, while the attempt is counted. */
  known?: LicenseUser | null,
): Promise<{ product: Product; license: License; user: LicenseUser }> {
  const product = resolveProductIdentifier(context, lookup, call.apiKey);
  if (password === undefined) throw new ApiError("missing_parameters", `password is required to ${action} a user-based license`);
  const licenseId = context.license?.id ?? null;
  const candidate = known !== undefined ? Promise.resolve(known) : findLicenseUser(call.env.DB, licenseId, lookup.username);
  const found = candidate.then((row) => (row ? [{ user: row }] : []));
  const [{ user }] = (await signIn(call, lookup.username, password, found)) as [{ user: LicenseUser }];
  // A user row was found on context.license, so there is one.
  return { product, license: context.license!, user };
}
