/**
 * POST /api/v4/add_consumption: license-level consumption for consumption-type licenses, counted
 * by the license's own counter object with the same exactness and audit trail as features.
 */
import { ApiError } from "../../errors";
import { consumeAtCounter } from "../consume-at-counter";
import { IDEMPOTENCY_ERRORS, replayHeaders } from "../idempotency";
import { consumptionFields } from "../license-body";
import { Reply } from "../../http/route";
import { licenseApiRoute } from "../license-api-route";
import { LicenseConsumptionBody } from "../response-schemas";
import { AddConsumptionBody } from "../schemas";

export const addConsumption = licenseApiRoute({
  method: "post",
  path: "/api/v4/add_consumption",
  operationId: "addConsumption",
  errors: IDEMPOTENCY_ERRORS,
  summary: "Add license-level consumptions",
  body: AddConsumptionBody,
  response: LicenseConsumptionBody,
  reads: "license",
  async handler(call) {
    const { body } = call;
    try {
      const { report, replayed } = await consumeAtCounter(call, "license", {
        endpoint: "add_consumption",
        consumptions: body.consumptions,
        event: body.event,
        // A request may ask for stricter overage handling than the license's, never a looser one.
        overages: { allowOverages: body.allow_overages, maxOverages: body.max_overages },
      });
      // The license's own settings (not the request-narrowed ones) are what the SDK stores.
      return new Reply(
        {
          id: report.licenseId,
          ...consumptionFields(report.rules, report.total, report.periodStart),
          company: { id: report.companyId },
        },
        replayHeaders(replayed),
      );
    } catch (error) {
      if (error instanceof ApiError && error.code === "feature_not_enough_consumptions")
        throw new ApiError("license_not_enough_consumptions", error.message);
      throw error;
    }
  },
});
