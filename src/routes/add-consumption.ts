/**
 * POST /api/v4/add_consumption: license-level consumption for consumption-type licenses, counted
 * by the license's own counter object with the same exactness and audit trail as features.
 */
import type { LicenseApiRequest } from "../auth/with-license-auth";
import { signedJson } from "../auth/response-signing";
import { licenseCounter, licenseCounterIdentity } from "../counters";
import type { ConsumptionRules } from "../consumption-rules";
import { ApiError } from "../errors";
import { consumeOnce, replayHeaders, requestKeyFor } from "../idempotency";
import { readJsonBody } from "../http/read-json-body";
import { consumptionFields } from "../license-body";
import { resolveLicense } from "../resolve-license-feature";
import { AddConsumptionBody, parseWith } from "../schemas";
import { identityLookup, startLicenseRequest } from "./license-request";

/** A request may ask for stricter overage handling than the license's, never a looser one. */
export function narrowOverages(rules: ConsumptionRules, allowOverages: boolean | undefined, maxOverages: number | undefined): ConsumptionRules {
  return {
    ...rules,
    allowOverages: rules.allowOverages && allowOverages !== false,
    maxOverages: maxOverages === undefined ? rules.maxOverages : Math.min(rules.maxOverages, maxOverages),
  };
}

export async function addConsumption(request: LicenseApiRequest, env: Env): Promise<Response> {
  const { apiKey, body, lookup, context } = await startLicenseRequest(request, env, async () => parseWith(AddConsumptionBody, await readJsonBody(request)), identityLookup);
  const { license, product } = resolveLicense(context, lookup, Date.now());
  if (license.licenseType !== "consumption") throw new ApiError("wrong_license_type");

  const outcome = await consumeOnce(() => licenseCounter(env, license.id), {
    requestKey: await requestKeyFor(request, apiKey.id, "add_consumption", body),
    counter: licenseCounterIdentity(license.id),
    rules: narrowOverages(license.rules, body.allow_overages, body.max_overages),
    reportedRules: license.rules,
    consumptions: body.consumptions,
    event: body.event,
    hardwareId: body.hardware_id,
    apiKeyId: apiKey.id,
    initialTotal: license.mirroredTotal,
  });
  if (!outcome.ok) {
    throw new ApiError(outcome.code === "feature_not_enough_consumptions" ? "license_not_enough_consumptions" : outcome.code, outcome.message);
  }
  // The license's own settings (not the request-narrowed ones) are what the SDK stores; taken from
  // the outcome so that a replay is byte for byte the original answer.
  return signedJson(
    env.LICENSE_SIGNING_KEY,
    { id: license.id, ...consumptionFields(outcome.rules, outcome.total, outcome.periodStart), company: { id: product.companyId } },
    replayHeaders(outcome),
  );
}
