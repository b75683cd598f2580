/**
 * GET /api/v4/check_license and GET /api/v4/check_license_feature: query-parameter requests
 * answering live totals, read from the counter objects (a consumption just accepted is visible).
 * On a floating cloud license (or feature) the check also takes one of its slots for the device,
 * or refreshes the one it holds: floating_not_available when every slot is taken.
 */
import { licenseSignature } from "../../auth/response-signing";
import { counterStub, featureTarget, licenseTarget, liveFeatureStates, liveLicenseState } from "../../counter/counter-stubs";
import { askPool } from "../ask-pool";
import { findLicenseUser } from "../../db/license-users";
import { loadLicenseDetails } from "../../db/licenses";
import { releasedVersions } from "../../db/product-versions";
import { featureBody, licenseBody } from "../license-body";
import { licenseApiRoute } from "../license-api-route";
import { resolveLicense, resolveLicenseFeature } from "../resolve-license";
import { FeatureBody, LicenseBody } from "../response-schemas";
import { CheckLicenseFeatureQuery, CheckLicenseQuery } from "../schemas";

export const checkLicense = licenseApiRoute({
  method: "get",
  path: "/api/v4/check_license",
  summary: "Check a license and its features",
  query: CheckLicenseQuery,
  response: LicenseBody,
  reads: "context",
  async handler({ env, apiKey, query, lookup, context }) {
    const nowMs = Date.now();
    const { product, license, device } = resolveLicense(context, lookup, apiKey, nowMs);
    const details = await loadLicenseDetails(env.DB, license.id);
    const [pool, featureStates, licenseState, user, signature, [installationFile]] = await Promise.all([
      license.floating.isFloatingCloud
        ? askPool(env, apiKey, lookup, licenseTarget(license.id), product.defaultsVersion, { kind: "check_in" })
        : null,
      liveFeatureStates(env, license.id, details.features, product.defaultsVersion),
      liveLicenseState(env, license, product.defaultsVersion),
      query.username === undefined ? null : findLicenseUser(env.DB, license.id, query.username),
      licenseSignature(env.LICENSE_SIGNING_KEY, query.hardware_id, query.username ?? query.license_key ?? "", license.validityPeriod),
      releasedVersions(env.DB, product.id, { environment: query.env, channel: query.channel }, 1),
    ]);
    return licenseBody({
      license,
      details,
      deviceId: device.id,
      hardwareId: query.hardware_id,
      user,
      featureStates,
      licenseState,
      includeExpiredFeatures: query.include_expired_features,
      licenseSignature: signature,
      nowMs,
      pool,
      installationFile: installationFile ?? null,
    });
  },
});

export const checkLicenseFeature = licenseApiRoute({
  method: "get",
  path: "/api/v4/check_license_feature",
  summary: "Check one license feature",
  query: CheckLicenseFeatureQuery,
  response: FeatureBody,
  reads: "context",
  async handler({ env, apiKey, query, lookup, context }) {
    const nowMs = Date.now();
    const { license, product, feature } = resolveLicenseFeature(context, lookup, apiKey, nowMs, "read");
    const target = featureTarget(license.id, feature.id);
    const [pool, state] = await Promise.all([
      feature.floating.isFloatingCloud ? askPool(env, apiKey, lookup, target, product.defaultsVersion, { kind: "check_in" }) : null,
      feature.featureType === "consumption" ? counterStub(env, target).state(target, product.defaultsVersion) : undefined,
    ]);
    return featureBody(license.id, product.companyId, feature, state, nowMs, {
      metadataString: query.include_metadata_string,
      ...(pool ? { floatingInUseDevices: pool.inUseDevices } : {}),
    });
  },
});
