/**
 * POST /api/v4/add_feature_consumption: parse → look up → the feature's counter object → signed reply.
 */
import type { LicenseApiRequest } from "../auth/with-license-auth";
import { signedJson } from "../auth/response-signing";
import { featureCounter, featureCounterIdentity } from "../counters";
import { ApiError } from "../errors";
import { consumeOnce, replayHeaders, requestKeyFor } from "../idempotency";
import { readJsonBody } from "../http/read-json-body";
import { consumptionFields } from "../license-body";
import { resolveLicenseFeature, type ResolvedLicenseFeature } from "../resolve-license-feature";
import { AddFeatureConsumptionBody, parseWith } from "../schemas";
import { identityLookup, startLicenseRequest } from "./license-request";

export async function addFeatureConsumption(request: LicenseApiRequest, env: Env): Promise<Response> {
  const { apiKey, body, lookup, context } = await startLicenseRequest(
    request,
    env,
    async () => parseWith(AddFeatureConsumptionBody, await readJsonBody(request)),
    identityLookup,
  );
  const target = resolveLicenseFeature(context, lookup, Date.now());

  const outcome = await consumeOnce(() => featureCounter(env, target.feature.id), {
    requestKey: await requestKeyFor(request, apiKey.id, "add_feature_consumption", body),
    counter: featureCounterIdentity(target.license.id, target.feature),
    rules: target.feature.rules,
    consumptions: body.consumptions,
    event: body.event,
    hardwareId: body.hardware_id,
    apiKeyId: apiKey.id,
    initialTotal: target.feature.mirroredTotal,
  });
  if (!outcome.ok) throw new ApiError(outcome.code, outcome.message);
  // Built from the rules the answer was decided with, so a replay is byte for byte the original.
  const answered = { ...target, feature: { ...target.feature, rules: outcome.rules } };
  return signedJson(env.LICENSE_SIGNING_KEY, featureConsumptionBody(answered, outcome.total, outcome.periodStart), replayHeaders(outcome));
}

/** The success body: the fields of the official SDK's fixtures (PROTOCOL.md section 4), plus our period fields. */
export function featureConsumptionBody(target: ResolvedLicenseFeature, total: number, periodStart: string | null) {
  return {
    id: target.feature.id,
    license_id: target.license.id,
    company: { id: target.product.companyId },
    ...consumptionFields(target.feature.rules, total, periodStart),
    is_floating: false,
    is_floating_cloud: false,
  };
}
