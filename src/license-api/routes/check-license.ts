/**
 * GET /api/v4/check_license and GET /api/v4/check_license_feature: query-parameter requests
 * answering live totals, read from the counter objects (a consumption just accepted is visible).
 * On a floating cloud license (or feature) the check also takes one of its slots for the device,
 * or refreshes the one it holds: floating_not_available when every slot is taken.
 *
 * No D1 read at steady state, warm or cold: check_license asks the license's own object (the
 * checks, the floating check-in and the license-level total, answered with the license's snapshot,
 * from which the license object is built), then every consumption feature's object in parallel for
 * its total, each seeded with that snapshot. check_license_feature asks the feature's object alone.
 */
import { licenseSignature } from "../../auth/response-signing";
import { counterStub, liveFeatureStates } from "../../counter/counter-stubs";
import type { CounterTarget } from "../../counter/snapshot";
import type { CheckOutcome } from "../../counter/types";
import { installationFileOf, licenseUserOf, toCounterSnapshot, toLicenseDetails } from "../../db/counter-snapshot";
import { ApiError } from "../../errors";
import { atCounter } from "../at-counter";
import { featureBody, licenseBody } from "../license-body";
import type { PartSchema } from "../../http/route";
import { licenseApiRoute, type CounterCall } from "../license-api-route";
import { resolveLicense, resolveLicenseFeature } from "../resolve-license";
import { FeatureBody, LicenseBody } from "../response-schemas";
import { CheckLicenseFeatureQuery, CheckLicenseQuery } from "../schemas";

export const checkLicense = licenseApiRoute({
  method: "get",
  path: "/api/v4/check_license",
  operationId: "checkLicense",
  summary: "Check a license and its features",
  query: CheckLicenseQuery,
  response: LicenseBody,
  reads: "license",
  async handler(call) {
    const { env, apiKey, query: input, lookup } = call;
    const checked = await checkAtCounter(call, "license", (context) => resolveLicense(context, lookup, apiKey, Date.now()));
    const snapshot = toCounterSnapshot(checked.read, checked.target)!;
    const details = toLicenseDetails(checked.read)!;
    const { license } = snapshot;
    const nowMs = Date.now();
    const [featureStates, signature] = await Promise.all([
      liveFeatureStates(env, license.id, details.features, checked.productVersion, checked.read),
      licenseSignature(env.LICENSE_SIGNING_KEY, input.hardware_id, input.username ?? input.license_key ?? "", license.validityPeriod),
    ]);
    return licenseBody({
      license,
      details,
      deviceId: snapshot.devices.get(input.hardware_id)!.id,
      hardwareId: input.hardware_id,
      user: input.username === undefined ? null : licenseUserOf(checked.read, input.username),
      featureStates,
      licenseState: checked.state,
      includeExpiredFeatures: input.include_expired_features,
      licenseSignature: signature,
      nowMs,
      pool: checked.pool,
      installationFile: installationFileOf(checked.read, { environment: input.env, channel: input.channel }),
    });
  },
});

export const checkLicenseFeature = licenseApiRoute({
  method: "get",
  path: "/api/v4/check_license_feature",
  operationId: "checkLicenseFeature",
  summary: "Check one license feature",
  query: CheckLicenseFeatureQuery,
  response: FeatureBody,
  reads: "feature",
  async handler(call) {
    const { apiKey, query: input, lookup } = call;
    const checked = await checkAtCounter(call, "feature", (context) => resolveLicenseFeature(context, lookup, apiKey, Date.now(), "read"));
    const { license, product, feature } = toCounterSnapshot(checked.read, checked.target)!;
    return featureBody(license.id, product.companyId, feature!, checked.state ?? undefined, Date.now(), {
      metadataString: input.include_metadata_string,
      ...(checked.pool ? { floatingInUseDevices: checked.pool.inUseDevices } : {}),
    });
  },
});

/** The check at the counter the request names; its refusal as the documented error. */
async function checkAtCounter(
  call: CounterCall<PartSchema, PartSchema>,
  kind: "license" | "feature",
  refuse: Parameters<typeof atCounter>[2],
) {
  const { env, apiKey, lookup } = call;
  let asked: { target: CounterTarget; productVersion: number } | null = null;
  const outcome = await atCounter(call, kind, refuse, (route, productVersion, seed) => {
    asked = { target: route.target, productVersion };
    return counterStub(env, route.target).check({
      target: route.target,
      lookup,
      productVersion,
      access: { companyId: apiKey.companyId, productIds: apiKey.productIds },
      seed,
    });
  });
  // The stub's result type is the RPC wrapper of CheckOutcome; its stale routes are handled above.
  const checked = outcome as unknown as CheckOutcome;
  if (checked.kind === "denied") throw new ApiError(checked.code, checked.message);
  if (checked.kind !== "checked") throw new Error("a stale route after atCounter");
  const { target, productVersion } = asked!;
  return { ...checked, target, productVersion };
}
