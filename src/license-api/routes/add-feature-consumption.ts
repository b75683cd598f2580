/**
 * POST /api/v4/add_feature_consumption: parse → look up → the feature's counter object → signed reply.
 */
import { consumeOnce, featureCounter, featureCounterIdentity } from "../../counter/counter-stubs";
import { ApiError } from "../../errors";
import { replayHeaders, requestKeyFor } from "../idempotency";
import { consumptionFields } from "../license-body";
import { body, licenseRoute } from "../license-route";
import { resolveLicenseFeature, type ResolvedLicenseFeature } from "../resolve-license";
import { FeatureConsumptionBody } from "../response-schemas";
import { AddFeatureConsumptionBody } from "../schemas";

export const addFeatureConsumption = licenseRoute({
  method: "post",
  path: "/api/v4/add_feature_consumption",
  summary: "Add consumptions to one license feature",
  parse: body(AddFeatureConsumptionBody),
  response: FeatureConsumptionBody,
  async handle({ request, env, apiKey, input, lookup, context }) {
    const target = resolveLicenseFeature(context, lookup, apiKey, Date.now());
    const outcome = await consumeOnce(() => featureCounter(env, target.feature.id), {
      requestKey: await requestKeyFor(request, apiKey.id, "add_feature_consumption", input),
      counter: featureCounterIdentity(target.license.id, target.feature),
      rules: target.feature.rules,
      consumptions: input.consumptions,
      event: input.event,
      hardwareId: input.hardware_id,
      apiKeyId: apiKey.id,
      initialTotal: target.feature.mirroredTotal,
    });
    if (!outcome.ok) throw new ApiError(outcome.code, outcome.message);
    // Built from the rules the answer was decided with, so a replay is byte for byte the original.
    const answered = { ...target, feature: { ...target.feature, rules: outcome.rules } };
    return { body: featureConsumptionBody(answered, outcome.total, outcome.periodStart), headers: replayHeaders(outcome) };
  },
});

/** The success body: the fields of the official SDK's fixtures (docs/protocol.md), plus our period fields. */
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
