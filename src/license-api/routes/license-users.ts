/**
 * GET /api/v4/user_licenses and POST /api/v4/change_password: a license user, signed in with
 * username and password, lists their licenses or changes their password. Neither names a
 * device, so neither reads a license context; both verify the password (PBKDF2) first.
 */
import { hashPassword } from "../../auth/password";
import { invalidateLicenseCounters, liveFeatureStates, liveLicenseState } from "../../counter/counter-stubs";
import { findUserLicenses, licenseUsersNamed, replacePasswords } from "../../db/license-users";
import { readCounterSnapshot, toLicenseDetails } from "../../db/counter-snapshot";
import { findProductDetails } from "../../db/products";
import { ApiError } from "../../errors";
import { licenseObject, licenseUserBody } from "../license-body";
import { licenseApiRoute } from "../license-api-route";
import { SIGN_IN_ERRORS, signIn } from "../license-user-sign-in";
import { accessibleProduct } from "../resolve-license";
import { PasswordChangedBody, UserLicensesBody } from "../response-schemas";
import { ChangePasswordBody, SINGLE_SIGN_ON_ERRORS, UserLicensesQuery } from "../schemas";

/**
 * Every license the username and password open, newest first (the order that picks a license
 * when no license_id is sent), at most MAX_USER_LICENSES. `product` narrows them to one
 * product, which must exist and be user-based. Precedence: missing_parameters / not_supported
 * (SSO) → unknown_product → invalid_product_auth_method → too_many_password_attempts →
 * invalid_password (no such user, or the password opens none of the user's licenses).
 */
export const userLicenses = licenseApiRoute({
  method: "get",
  path: "/api/v4/user_licenses",
  operationId: "listUserLicenses",
  errors: { missing_parameters: "username or password is absent", ...SIGN_IN_ERRORS, ...SINGLE_SIGN_ON_ERRORS },
  summary: "The licenses a license user signs in to",
  query: UserLicensesQuery,
  response: UserLicensesBody,
  reads: "none",
  async handler({ request, env, ctx, apiKey, query }) {
    if (query.username === undefined) {
      if (query.id_token !== undefined || query.code !== undefined) {
        throw new ApiError(
          "not_supported",
          "/api/v4/user_licenses with id_token or code (single sign-on) is not supported: send username and password",
        );
      }
      throw new ApiError("missing_parameters", "username: username is required");
    }
    if (query.password === undefined) throw new ApiError("missing_parameters", "password: password is required");
    if (query.product !== undefined) {
      const product = accessibleProduct(await findProductDetails(env.DB, query.product), apiKey);
      if (product.authorizationMethod !== "user") throw new ApiError("invalid_product_auth_method");
    }
    const candidates = findUserLicenses(env.DB, query.username, query.product, apiKey);
    const opened = await signIn({ request, env, ctx, apiKey }, query.username, query.password, candidates);

    const nowMs = Date.now();
    const body = await Promise.all(
      opened.map(async ({ license, user }) => {
        const read = await readCounterSnapshot(env.DB, license.id);
        const details = toLicenseDetails(read)!;
        const [featureStates, licenseState] = await Promise.all([
          liveFeatureStates(env, license.id, details.features, undefined, read),
          liveLicenseState(env, license, undefined, read),
        ]);
        return {
          license: licenseObject({ license, details, user, featureStates, licenseState, includeExpiredFeatures: false, nowMs }),
          user: licenseUserBody(user, details),
        };
      }),
    );
    return body;
  },
});

/**
 * Changes the password on every license whose user row the current password opens (a license
 * user is one person across licenses: one password). The answer is the string the SDK checks.
 * invalid_password: no license user has this username, the current password opens none, or a
 * concurrent change got there first. LicenseSpring's change_password_not_allowed
 * (a company setting) is never answered: changing is always allowed here.
 */
export const changePassword = licenseApiRoute({
  method: "post",
  path: "/api/v4/change_password",
  operationId: "changePassword",
  errors: { ...SIGN_IN_ERRORS },
  summary: "Change a license user's password",
  body: ChangePasswordBody,
  response: PasswordChangedBody,
  reads: "none",
  async handler({ request, env, ctx, apiKey, body }) {
    const users = licenseUsersNamed(env.DB, body.username, apiKey).then((rows) => rows.map((user) => ({ user })));
    const opened = await signIn({ request, env, ctx, apiKey }, body.username, body.password, users);
    const changed = await replacePasswords(
      env.DB,
      opened.map(({ user }) => user),
      await hashPassword(body.new_password),
    );
    if (changed === 0) throw new ApiError("invalid_password");
    // The user is no longer on an initial password: their licenses' objects answer that (check_license).
    await invalidateLicenseCounters(env, [...new Set(opened.map(({ user }) => user.licenseId))]);
    return "password_changed" as const;
  },
});
