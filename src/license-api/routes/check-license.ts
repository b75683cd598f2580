/**
 * GET /api/v4/check_license and GET /api/v4/check_license_feature: query-parameter requests
 * answering live totals, read from the counter objects (a consumption just accepted is visible).
 */
import { licenseSignature } from "../../auth/response-signing";
import { counterStub, featureTarget, liveFeatureStates, liveLicenseState } from "../../counter/counter-stubs";
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
    const [featureStates, licenseState, user, signature] = await Promise.all([
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
    const state =
      feature.featureType === "consumption"
        ? await counterStub(env, featureTarget(license.id, feature.id)).state(
            featureTarget(license.id, feature.id),
            product.defaultsVersion,
          )
        : undefined;
    return { body: featureBody(license.id, product.companyId, feature, state, nowMs, { metadataString: input.include_metadata_string }) };
  },
});
