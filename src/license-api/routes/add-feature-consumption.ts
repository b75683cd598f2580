/**
 * POST /api/v4/add_feature_consumption: parse → authenticate → the feature's counter object (which
 * decides alone) → signed reply. At steady state one remote call and no D1 read.
 */
import type { ConsumeReport } from "../../counter/types";
import { consumeAtCounter } from "../consume-at-counter";
import { IDEMPOTENCY_ERRORS, replayHeaders } from "../idempotency";
import { consumptionFields } from "../license-body";
import { Reply } from "../../http/route";
import { licenseApiRoute } from "../license-api-route";
import { FeatureConsumptionBody } from "../response-schemas";
import { AddFeatureConsumptionBody } from "../schemas";

export const addFeatureConsumption = licenseApiRoute({
  method: "post",
  path: "/api/v4/add_feature_consumption",
  operationId: "addFeatureConsumption",
  errors: IDEMPOTENCY_ERRORS,
  summary: "Add consumptions to one license feature",
  body: AddFeatureConsumptionBody,
  response: FeatureConsumptionBody,
  reads: "feature",
  async handler(call) {
    const { body } = call;
    const { report, replayed } = await consumeAtCounter(call, "feature", {
      endpoint: "add_feature_consumption",
      consumptions: body.consumptions,
      event: body.event,
    });
    return new Reply(featureConsumptionBody(report), replayHeaders(replayed));
  },
});

/** The success body: the fields of the official SDK's fixtures (docs/protocol.md), plus our period fields. */
export function featureConsumptionBody(report: ConsumeReport) {
  return {
    id: report.id,
    license_id: report.licenseId,
    company: { id: report.companyId },
    ...consumptionFields(report.rules, report.total, report.periodStart),
    is_floating: false,
    is_floating_cloud: Boolean(report.floating),
    // Present on floating features only, as LicenseSpring documents (the SDK declares them optional).
    ...(report.floating ? { floating_timeout: report.floating.timeoutMinutes, floating_users: report.floating.users } : {}),
  };
}
