/**
 * /api/v1/licenses/{license_id}/features and /consumption: a license's features (add one of its
 * product's, change its own values, remove it, reset its consumption) and a consumption license's
 * own counter (change its rules, reset it). Each change is recorded in the activity log, in the
 * transaction that makes it where it is a D1 write, and applies to the very next License API
 * request: D1 first, then the license's counter objects forget what they knew, then the answer.
 * Resets go through the counter object itself (audited there as manual_reset).
 */
import type { ManagementActor } from "../../auth/management-roles";
import { invalidateLicenseCounters } from "../../counter/counter-stubs";
import { activityStatement, recordActivity } from "../../db/activity";
import { findLicenseCounter, updateLicenseConsumption } from "../../db/license-counters";
import { addLicenseFeature, findLicenseFeature, removeLicenseFeature, updateLicenseFeature } from "../../db/license-features";
import { findProductFeature, findProductFeatureById } from "../../db/product-features";
import { ApiError } from "../../errors";
import { LicensePath } from "../../models/license";
import { ruleValues } from "../../models/rule-fields";
import { LicenseConsumptionResource, UpdateLicenseConsumptionBody } from "../../models/license-consumption";
import { AddLicenseFeatureBody, LicenseFeaturePath, LicenseFeatureResource, UpdateLicenseFeatureBody } from "../../models/license-feature";
import { assertWorkable, definedOnly, sentIn } from "../../models/unworkable-settings";
import { changedValues } from "../changed-values";
import { checkFeatureSettings } from "../feature-settings";
import { liveLicenseConsumption, resetLicenseConsumption } from "../license-consumption-view";
import { liveLicenseFeature, resetLicenseFeature } from "../license-feature-view";
import { managementRoute } from "../management-route";
import { orNotFound } from "../or-not-found";
import { writableLicense } from "../writable-license";

/** The license's own counter; validation_error when the license is not a consumption license. */
async function storedCounter(env: Env, licenseId: number) {
  const license = await writableLicense(env, licenseId);
  const counter = await findLicenseCounter(env.DB, licenseId);
  if (!counter)
    throw new ApiError(
      "validation_error",
      `License ${licenseId} is a ${license.license_type} license: only consumption licenses have license-level consumption`,
    );
  return counter;
}

/** A feature on a license that may be changed: 404 when either is missing (or the feature was removed), 409 while the license is archived. */
async function storedFeature(env: Env, licenseId: number, code: string) {
  await writableLicense(env, licenseId);
  return orNotFound(await findLicenseFeature(env.DB, licenseId, code), "Feature", code);
}

/** The live total of a consumption feature (null for an activation feature), for the activity log. */
async function liveTotal(env: Env, stored: Awaited<ReturnType<typeof storedFeature>>): Promise<number | null> {
  return (await liveLicenseFeature(env, stored)).total_consumptions;
}

async function resetFeature(env: Env, actor: ManagementActor, licenseId: number, code: string) {
  const stored = await storedFeature(env, licenseId, code);
  if (stored.feature.featureType !== "consumption")
    throw new ApiError("validation_error", `Feature ${JSON.stringify(code)} is an activation feature: it has no consumption`);
  const before = await liveTotal(env, stored);
  const reset = await resetLicenseFeature(env, stored);
  await recordActivity(env.DB, actor, {
    action: "license_feature.reset",
    target: { type: "license_feature", id: stored.feature.id },
    licenseId,
    before: { code, total_consumptions: before },
    after: { code, total_consumptions: reset.total_consumptions },
  });
  return reset;
}

export const managementLicenseFeatureRoutes = [
  managementRoute({
    method: "post",
    path: "/api/v1/licenses/{license_id}/features",
    operationId: "addLicenseFeature",
    errors: {
      validation_error: "a field is not valid, or the license's product has no feature with this code",
      conflict: "the license has the feature already, or is archived",
    },
    tag: "Licenses",
    summary: "Add a feature of the license's product to the license, with the license's own values",
    description:
      "The feature applies to the very next License API request. A feature removed from the license before comes back with its " +
      "counter (its total and history continue; reset it for a fresh start) and the values sent here. One already on the license is " +
      "409; to add a feature to every license of a product at once: POST /api/v1/products/{product_id}/features/{feature_code}/add-to-licenses.",
    params: LicensePath,
    body: AddLicenseFeatureBody,
    response: LicenseFeatureResource,
    status: 201,
    async handler({ params, body, env, actor }) {
      const license = await writableLicense(env, params.license_id);
      const { code, ...overrides } = body;
      const product = await findProductFeature(env.DB, license.product_id, code);
      if (!product) throw new ApiError("validation_error", `code: the license's product has no feature ${JSON.stringify(code)}`);
      checkFeatureSettings(product, overrides);
      const added = await addLicenseFeature(env.DB, license.id, product.id, overrides, [
        activityStatement(env.DB, actor, {
          action: "license_feature.added",
          target: {
            type: "license_feature",
            id: {
              select: "SELECT id FROM license_features WHERE license_id = ? AND product_feature_id = ?",
              bind: [license.id, product.id],
            },
          },
          licenseId: license.id,
          after: { code, ...overrides },
          onlyIfChanged: true,
        }),
      ]);
      if (!added) throw new ApiError("conflict", `License ${license.id} has feature ${JSON.stringify(code)} already: change it with PATCH`);
      // A feature brought back names a counter object that may still hold what it knew of the license.
      await invalidateLicenseCounters(env, license.id);
      return liveLicenseFeature(env, orNotFound(await findLicenseFeature(env.DB, license.id, code), "Feature", code));
    },
  }),
  managementRoute({
    method: "patch",
    path: "/api/v1/licenses/{license_id}/features/{feature_code}",
    operationId: "updateLicenseFeature",
    errors: { conflict: "the license is archived: restore it first" },
    tag: "Licenses",
    summary:
      "Change a license feature's own values: allowance, overages, periodic reset, expiry, floating (null inherits the product default)",
    description: "The new values apply to the very next License API request.",
    params: LicenseFeaturePath,
    body: UpdateLicenseFeatureBody,
    response: LicenseFeatureResource,
    async handler({ params, body, env, actor }) {
      const stored = await storedFeature(env, params.license_id, params.feature_code);
      const product = await findProductFeatureById(env.DB, stored.productFeatureId);
      checkFeatureSettings(product!, { ...stored.overrides, ...definedOnly(body) });
      const { before, after } = changedValues({ ...stored.overrides, expiry_date: stored.feature.expiryDate }, body);
      await updateLicenseFeature(env.DB, params.license_id, params.feature_code, body, [
        activityStatement(env.DB, actor, {
          action: "license_feature.updated",
          target: { type: "license_feature", id: stored.feature.id },
          licenseId: params.license_id,
          before: { code: params.feature_code, ...before },
          after: { code: params.feature_code, ...after },
          onlyIfChanged: true,
        }),
      ]);
      await invalidateLicenseCounters(env, params.license_id);
      return liveLicenseFeature(env, await storedFeature(env, params.license_id, params.feature_code));
    },
  }),
  managementRoute({
    method: "delete",
    path: "/api/v1/licenses/{license_id}/features/{feature_code}",
    operationId: "removeLicenseFeature",
    errors: { conflict: "the license is archived: restore it first" },
    tag: "Licenses",
    summary: "Remove a feature from a license: the next License API request for it is unsupported_product_feature",
    description:
      "Its consumption history stays (the audit log, the activity log); adding the feature again brings its counter back. Answers the " +
      "feature as it was, with its total at removal.",
    params: LicenseFeaturePath,
    response: LicenseFeatureResource,
    async handler({ params, env, actor }) {
      const stored = await storedFeature(env, params.license_id, params.feature_code);
      const last = await liveLicenseFeature(env, stored);
      await removeLicenseFeature(env.DB, params.license_id, stored.feature.id, [
        activityStatement(env.DB, actor, {
          action: "license_feature.removed",
          target: { type: "license_feature", id: stored.feature.id },
          licenseId: params.license_id,
          before: { code: params.feature_code, total_consumptions: last.total_consumptions, overrides: stored.overrides },
          onlyIfChanged: true,
        }),
      ]);
      await invalidateLicenseCounters(env, params.license_id);
      return last;
    },
  }),
  managementRoute({
    method: "post",
    path: "/api/v1/licenses/{license_id}/features/{feature_code}/reset",
    operationId: "resetLicenseFeature",
    errors: {
      validation_error: "the feature is an activation feature: it has no consumption",
      conflict: "the license is archived: restore it first",
    },
    tag: "Licenses",
    summary: "Reset a feature's consumption to 0 (audited as manual_reset)",
    params: LicenseFeaturePath,
    response: LicenseFeatureResource,
    async handler({ params, env, actor }) {
      return resetFeature(env, actor, params.license_id, params.feature_code);
    },
  }),
  managementRoute({
    method: "patch",
    path: "/api/v1/licenses/{license_id}/consumption",
    operationId: "updateLicenseConsumption",
    errors: {
      validation_error: "a field is not valid, or the license is not a consumption license",
      conflict: "the license is archived: restore it first",
    },
    tag: "Licenses",
    summary: "Change a consumption license's own allowance and rules (license-level consumption)",
    description: "The new rules apply to the very next add_consumption.",
    params: LicensePath,
    body: UpdateLicenseConsumptionBody,
    response: LicenseConsumptionResource,
    async handler({ params, body, env, actor }) {
      const stored = await storedCounter(env, params.license_id);
      const { rules } = stored;
      assertWorkable({ max_consumptions: rules.maxConsumption, ...ruleValues(rules), ...definedOnly(body) }, sentIn(body));
      const current = await liveLicenseConsumption(env, stored);
      await updateLicenseConsumption(env.DB, params.license_id, body, [
        activityStatement(env.DB, actor, {
          action: "license_consumption.updated",
          target: { type: "license", id: params.license_id },
          licenseId: params.license_id,
          ...changedValues(current, body),
          onlyIfChanged: true,
        }),
      ]);
      await invalidateLicenseCounters(env, params.license_id);
      return liveLicenseConsumption(env, await storedCounter(env, params.license_id));
    },
  }),
  managementRoute({
    method: "post",
    path: "/api/v1/licenses/{license_id}/consumption/reset",
    operationId: "resetLicenseConsumption",
    errors: {
      validation_error: "the license is not a consumption license",
      conflict: "the license is archived: restore it first",
    },
    tag: "Licenses",
    summary: "Reset a consumption license's own consumption to 0 (audited as manual_reset)",
    params: LicensePath,
    response: LicenseConsumptionResource,
    async handler({ params, env, actor }) {
      const stored = await storedCounter(env, params.license_id);
      const before = (await liveLicenseConsumption(env, stored)).total_consumptions;
      const reset = await resetLicenseConsumption(env, stored);
      await recordActivity(env.DB, actor, {
        action: "license_consumption.reset",
        target: { type: "license", id: params.license_id },
        licenseId: params.license_id,
        before: { total_consumptions: before },
        after: { total_consumptions: reset.total_consumptions },
      });
      return reset;
    },
  }),
];
