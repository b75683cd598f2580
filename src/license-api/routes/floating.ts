/**
 * POST /api/v4/floating/borrow, floating/release, floating/feature_borrow, floating/feature_release:
 * a device keeps its floating slot offline until a time (borrow), or frees it at once (release),
 * on a floating cloud license or a floating feature. The slot itself is taken by a check
 * (check_license, check_license_feature); the pools live in the counter objects (./ask-pool.ts).
 *
 * Precedence (docs/sdk-compatibility.md "Floating"): identity → the license user's password
 * (borrowing, user-based) → license_not_enabled → license_not_active → license_expired →
 * blacklisted → device_not_found → invalid_license_feature_code (feature calls) → not floating
 * (license_borrow_not_allowed, feature_not_floating) → feature_expired (feature borrow) →
 * license_borrow_not_allowed (can_borrow) → borrow_until_not_valid → floating_not_available /
 * floating_feature_device_not_in_use.
 */
import { featureTarget, licenseTarget } from "../../counter/counter-stubs";
import type { PoolView } from "../../counter/floating-pool";
import type { z } from "zod";
import type { License } from "../../db/license-context";
import { askPool } from "../ask-pool";
import { licenseApiRoute, type ContextCall } from "../license-api-route";
import { SIGN_IN_ERRORS, signInToLicense } from "../license-user-sign-in";
import { resolveLicense, resolveLicenseFeature, resolveLicenseToRelease } from "../resolve-license";
import { FloatingBorrowedBody, FloatingReleasedBody } from "../response-schemas";
import { FeatureBorrowBody, FeatureReleaseBody, FloatingBorrowBody, FloatingReleaseBody, SINGLE_SIGN_ON_ERRORS } from "../schemas";

type BorrowCall = ContextCall<undefined, z.ZodType<{ username?: string | undefined; password?: string | undefined }>>;

/**
 * Borrowing names a user-based license by username and password (LicenseSpring's schema, and the
 * SDK's): signed in as activation is (missing_parameters without a password; invalid_password for
 * an unknown user or a wrong one; too_many_password_attempts while locked). A key-based borrow
 * has no password: its identity is checked with the license's state.
 */
async function signInBorrower({ request, env, ctx, apiKey, body, lookup, context }: BorrowCall): Promise<void> {
  if (body.username === undefined) return;
  await signInToLicense({ request, env, ctx, apiKey }, context, { ...lookup, username: body.username }, body.password, "borrow on");
}

/** LicenseSpring's borrow answer (the SDK's FloatingBorrowResponse): when the borrow ends, the longest borrow in hours, and who. */
function borrowedBody(pool: PoolView | null, license: License, deviceId: number, companyId: number) {
  const until = pool?.lease?.borrowedUntil;
  if (until === undefined || until === null) throw new Error("a borrow the pool accepted holds no borrow");
  return {
    borrowed_until: new Date(until).toISOString(),
    max_borrow_time: license.floating.maxBorrowHours,
    device_id: deviceId,
    license_id: license.id,
    company: { id: companyId },
  };
}

export const floatingBorrow = licenseApiRoute({
  method: "post",
  path: "/api/v4/floating/borrow",
  operationId: "borrowFloatingLicense",
  errors: { ...SIGN_IN_ERRORS, ...SINGLE_SIGN_ON_ERRORS },
  summary: "Borrow a floating cloud license's slot until a time (null: as long as max_borrow_time allows)",
  body: FloatingBorrowBody,
  response: FloatingBorrowedBody,
  reads: "context",
  async handler(call) {
    const { env, apiKey, body, lookup, context } = call;
    await signInBorrower(call);
    const { product, license, device } = resolveLicense(context, lookup, apiKey, Date.now());
    const pool = await askPool(env, apiKey, lookup, licenseTarget(license.id), product.defaultsVersion, {
      kind: "borrow",
      borrowedUntil: body.borrowed_until,
    });
    return borrowedBody(pool, license, device.id, product.companyId);
  },
});

/**
 * Frees the device's slot at once, ending any borrow. Answers "" (LicenseSpring: "returns an empty
 * string on success"). Idempotent: a device that holds no slot, or a license that is not floating,
 * has nothing to free, and gets the same answer. The license must be enabled and active (the errors
 * LicenseSpring lists for the call); an expired license still frees its slots.
 */
export const floatingRelease = licenseApiRoute({
  method: "post",
  path: "/api/v4/floating/release",
  operationId: "releaseFloatingLicense",
  summary: "Release a floating cloud license's slot held by the device",
  body: FloatingReleaseBody,
  response: FloatingReleasedBody,
  reads: "context",
  async handler({ env, apiKey, lookup, context }) {
    const { product, license } = resolveLicenseToRelease(context, lookup, apiKey);
    await askPool(env, apiKey, lookup, licenseTarget(license.id), product.defaultsVersion, { kind: "release" });
    return "" as const;
  },
});

export const featureBorrow = licenseApiRoute({
  method: "post",
  path: "/api/v4/floating/feature_borrow",
  operationId: "borrowFloatingFeature",
  errors: { ...SIGN_IN_ERRORS, ...SINGLE_SIGN_ON_ERRORS },
  summary: "Borrow a floating feature's slot until a time (null: as long as the license's max_borrow_time allows)",
  body: FeatureBorrowBody,
  response: FloatingBorrowedBody,
  reads: "context",
  async handler(call) {
    const { env, apiKey, body, lookup, context } = call;
    await signInBorrower(call);
    const { product, license, device, feature } = resolveLicenseFeature(context, lookup, apiKey, Date.now(), "read");
    const pool = await askPool(env, apiKey, lookup, featureTarget(license.id, feature.id), product.defaultsVersion, {
      kind: "borrow",
      borrowedUntil: body.borrowed_until,
    });
    return borrowedBody(pool, license, device.id, product.companyId);
  },
});

/** Frees the device's slot of a floating feature at once; floating_feature_device_not_in_use when it holds none. Answers "". */
export const featureRelease = licenseApiRoute({
  method: "post",
  path: "/api/v4/floating/feature_release",
  operationId: "releaseFloatingFeature",
  summary: "Release a floating feature's slot held by the device",
  body: FeatureReleaseBody,
  response: FloatingReleasedBody,
  reads: "context",
  async handler({ env, apiKey, body, lookup, context }) {
    const { product, license, feature } = resolveLicenseFeature(context, lookup, apiKey, Date.now(), "release");
    await askPool(env, apiKey, lookup, featureTarget(license.id, feature.id), product.defaultsVersion, { kind: "release" });
    return "" as const;
  },
});
