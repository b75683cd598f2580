/**
 * GET /api/v4/check_license and GET /api/v4/check_license_feature: query-parameter requests
 * answering live totals, read from the counter objects (a consumption just accepted is visible).
 * On a floating cloud license (or feature) the check also takes one of its slots for the device,
 * or refreshes the one it holds: floating_not_available when every slot is taken.
 */
import { licenseSignature } from "../../auth/response-signing";
import { counterStub, featureTarget, licenseTarget, liveFeatureStates, liveLicenseState } from "../../counter/counter-stubs";
import { askPool } from "../ask-pool";
import { findLicenseUser, loadLicenseDetails } from "../../db/licenses";
import { featureBody, licenseBody } from "../license-body";
import { licenseRoute, query } from "../license-route";
import { resolveLicense, resolveLicenseFeature } from "../resolve-license";
import { FeatureBody, LicenseBody } from "../response-schemas";
import { CheckLicenseFeatureQuery, CheckLicenseQuery } from "../schemas";

export const checkLicense = licenseRoute({
  method: "get",
  path: "/api/v4/check_license",
  summary: "Check a license and its features",
  parse: query(CheckLicenseQuery),
  response: LicenseBody,
  reads: "context",
  async handle({ env, apiKey, input, lookup, context }) {
    const nowMs = Date.now();
    const { product, license, device } = resolveLicense(context, lookup, apiKey, nowMs);
    const details = await loadLicenseDetails(env.DB, license.id);
    const [pool, featureStates, licenseState, user, signature] = await Promise.all([
      license.floating.isFloatingCloud
        ? askPool(env, apiKey, lookup, licenseTarget(license.id), product.defaultsVersion, { kind: "check_in" })
        : null,
      liveFeatureStates(env, license.id, details.features, product.defaultsVersion),
      liveLicenseState(env, license, product.defaultsVersion),
      input.username === undefined ? null : findLicenseUser(env.DB, license.id, input.username),
      licenseSignature(env.LICENSE_SIGNING_KEY, input.hardware_id, input.username ?? input.license_key ?? "", license.validityPeriod),
    ]);
    return {
      body: licenseBody({
        license,
        details,
        deviceId: device.id,
        hardwareId: input.hardware_id,
        user,
        featureStates,
        licenseState,
        includeExpiredFeatures: input.include_expired_features,
        licenseSignature: signature,
        nowMs,
        pool,
      }),
    };
  },
});

export const checkLicenseFeature = licenseRoute({
  method: "get",
  path: "/api/v4/check_license_feature",
  summary: "Check one license feature",
  parse: query(CheckLicenseFeatureQuery),
  response: FeatureBody,
  reads: "context",
  async handle({ env, apiKey, input, lookup, context }) {
    const nowMs = Date.now();
    const { license, product, feature } = resolveLicenseFeature(context, lookup, apiKey, nowMs, "read");
    const target = featureTarget(license.id, feature.id);
    const [pool, state] = await Promise.all([
      feature.floating.isFloatingCloud ? askPool(env, apiKey, lookup, target, product.defaultsVersion, { kind: "check_in" }) : null,
      feature.featureType === "consumption" ? counterStub(env, target).state(target, product.defaultsVersion) : undefined,
    ]);
    return {
      body: featureBody(license.id, product.companyId, feature, state, nowMs, {
        metadataString: input.include_metadata_string,
        ...(pool ? { floatingInUseDevices: pool.inUseDevices } : {}),
      }),
    };
  },
});
