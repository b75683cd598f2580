/**
 * GET /api/v4/check_license and GET /api/v4/check_license_feature: query-parameter requests
 * answering live totals, read from the counter objects (a consumption just accepted is visible).
 */
import type { LicenseApiRequest } from "../auth/with-license-auth";
import { licenseSignature, signedJson } from "../auth/response-signing";
import { featureCounter, featureCounterIdentity, liveFeatureStates, liveLicenseState } from "../counters";
import { findLicenseUser, loadLicenseDetails } from "../db/licenses";
import { featureBody, licenseBody } from "../license-body";
import { resolveLicense, resolveLicenseFeature } from "../resolve-license-feature";
import { CheckLicenseFeatureQuery, CheckLicenseQuery, parseWith, queryObject } from "../schemas";
import { identityLookup, startLicenseRequest } from "./license-request";

export async function checkLicense(request: LicenseApiRequest, env: Env): Promise<Response> {
  const { body: query, lookup, context } = await startLicenseRequest(request, env, () => parseWith(CheckLicenseQuery, queryObject(request.url)), identityLookup);
  const nowMs = Date.now();
  const { license, device } = resolveLicense(context, lookup, nowMs);
  const details = await loadLicenseDetails(env.DB, license.id);
  const [featureStates, licenseState, user, signature] = await Promise.all([
    liveFeatureStates(env, license.id, details.features),
    liveLicenseState(env, license),
    query.username === undefined ? null : findLicenseUser(env.DB, license.id, query.username),
    licenseSignature(env.LICENSE_SIGNING_KEY, query.hardware_id, query.username ?? query.license_key ?? "", license.validityPeriod),
  ]);
  return signedJson(
    env.LICENSE_SIGNING_KEY,
    licenseBody({
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
    }),
  );
}

export async function checkLicenseFeature(request: LicenseApiRequest, env: Env): Promise<Response> {
  const { lookup, context } = await startLicenseRequest(request, env, () => parseWith(CheckLicenseFeatureQuery, queryObject(request.url)), identityLookup);
  const nowMs = Date.now();
  const { license, product, feature } = resolveLicenseFeature(context, lookup, nowMs, "read");
  const state =
    feature.featureType === "consumption"
      ? await featureCounter(env, feature.id).state(featureCounterIdentity(license.id, feature), feature.rules, feature.mirroredTotal)
      : undefined;
  return signedJson(env.LICENSE_SIGNING_KEY, featureBody(license.id, product.companyId, feature, state, nowMs));
}
