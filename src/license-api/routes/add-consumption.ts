/**
 * POST /api/v4/add_consumption: license-level consumption for consumption-type licenses, counted
 * by the license's own counter object with the same exactness and audit trail as features.
 */
import { consumeOnce, licenseCounter, licenseCounterIdentity } from "../../counter/counter-stubs";
import type { ConsumptionRules } from "../../counter/consumption-rules";
import { ApiError } from "../../errors";
import { replayHeaders, requestKeyFor } from "../idempotency";
import { consumptionFields } from "../license-body";
import { body, licenseRoute } from "../license-route";
import { resolveLicense } from "../resolve-license";
import { LicenseConsumptionBody } from "../response-schemas";
import { AddConsumptionBody } from "../schemas";

/** A request may ask for stricter overage handling than the license's, never a looser one. */
export function narrowOverages(
  rules: ConsumptionRules,
  allowOverages: boolean | undefined,
  maxOverages: number | undefined,
): ConsumptionRules {
  return {
    ...rules,
    allowOverages: rules.allowOverages && allowOverages !== false,
    maxOverages: maxOverages === undefined ? rules.maxOverages : Math.min(rules.maxOverages, maxOverages),
  };
}

export const addConsumption = licenseRoute({
  method: "post",
  path: "/api/v4/add_consumption",
  summary: "Add license-level consumptions",
  parse: body(AddConsumptionBody),
  response: LicenseConsumptionBody,
  async handle({ request, env, apiKey, input, lookup, context }) {
    const { license, product } = resolveLicense(context, lookup, Date.now());
    if (license.licenseType !== "consumption") throw new ApiError("license_not_consumption");

    const outcome = await consumeOnce(() => licenseCounter(env, license.id), {
      requestKey: await requestKeyFor(request, apiKey.id, "add_consumption", input),
      counter: licenseCounterIdentity(license.id),
      rules: narrowOverages(license.rules, input.allow_overages, input.max_overages),
      reportedRules: license.rules,
      consumptions: input.consumptions,
      event: input.event,
      hardwareId: input.hardware_id,
      apiKeyId: apiKey.id,
      initialTotal: license.mirroredTotal,
    });
    if (!outcome.ok) {
      throw new ApiError(
        outcome.code === "feature_not_enough_consumptions" ? "license_not_enough_consumptions" : outcome.code,
        outcome.message,
      );
    }
    // The license's own settings (not the request-narrowed ones) are what the SDK stores; taken from
    // the outcome so that a replay is byte for byte the original answer.
    return {
      body: { id: license.id, ...consumptionFields(outcome.rules, outcome.total, outcome.periodStart), company: { id: product.companyId } },
      headers: replayHeaders(outcome),
    };
  },
});
