/**
 * /api/v1/licenses: issue licenses, find them, enable and disable them, change their details
 * (metadata, customer, custom fields, ...), their feature allowances and reset a feature's
 * consumption. Each change is seen by the very next License API request: every change that bears on
 * what a counter decides invalidates the license's counter objects before it answers.
 */
import { hashPassword } from "../../auth/password";
import { counterStub, invalidateLicenseCounters, licenseTarget } from "../../counter/counter-stubs";
import { productCustomFields } from "../../db/custom-fields";
import { findLicenseCounter, updateLicenseConsumption } from "../../db/license-counters";
import { findLicenseFeature, licenseFeatures, updateLicenseFeature } from "../../db/license-features";
import { LicenseIdsExhausted, insertLicense } from "../../db/license-writes";
import { findLicense, licenseExtras, listLicenses, otherLicensesOfUsers, setLicenseEnabled, updateLicenseDetails } from "../../db/licenses";
import { licenseSubject } from "../../db/webhooks";
import { findProductFeatureById, productFeatures } from "../../db/product-features";
import { findProduct } from "../../db/products";
import { isUniqueViolation } from "../../db/sql-errors";
import { ApiError } from "../../errors";
import {
  IssueLicenseBody,
  LicenseDetailResource,
  LicensePath,
  LicenseResource,
  ListLicensesQuery,
  UpdateLicenseBody,
} from "../../models/license";
import { LicenseConsumptionResource, UpdateLicenseConsumptionBody } from "../../models/license-consumption";
import { LicenseFeaturePath, LicenseFeatureResource, UpdateLicenseFeatureBody } from "../../models/license-feature";
import { page } from "../../models/page";
import type { ProductCustomFieldResource } from "../../models/product-custom-field";
import { ruleValues } from "../../models/rule-fields";
import { assertOverridesWorkable, assertWorkable, definedOnly, pastDateWarning, sentIn } from "../../models/unworkable-settings";
import { liveLicenseConsumption, resetLicenseConsumption } from "../license-consumption-view";
import { floatingDevices, liveLicenseFeature, resetLicenseFeature } from "../license-feature-view";
import { managementRoute } from "../management-route";
import { orNotFound } from "../or-not-found";
import { pageBody } from "../page-body";
import { generateLicenseKey } from "../../auth/random-secrets";
import { announce, licenseDisabledEvent } from "../../webhooks/license-events";
import { sendDeliveries } from "../../webhooks/webhook-consumer";

/**
 * The license with every feature and its live total (and its own counter, for consumption
 * licenses), customer, custom fields, users and, for floating cloud licenses, the devices holding
 * a slot.
 */
async function licenseDetail(env: Env, licenseId: number): Promise<LicenseDetailResource> {
  const license = orNotFound(await findLicense(env.DB, licenseId), "License", licenseId);
  const counter = await findLicenseCounter(env.DB, licenseId);
  const [features, consumption, extras, pool] = await Promise.all([
    Promise.all((await licenseFeatures(env.DB, licenseId)).map((stored) => liveLicenseFeature(env, stored))),
    counter ? liveLicenseConsumption(env, counter) : null,
    licenseExtras(env.DB, licenseId),
    license.is_floating_cloud ? counterStub(env, licenseTarget(licenseId)).poolLeases(licenseTarget(licenseId)) : null,
  ]);
  const nowMs = Date.now();
  const expired = pastDateWarning(
    "validity_period",
    license.validity_period,
    "every License API request for it answers license_expired",
    nowMs,
  );
  return {
    ...license,
    features,
    consumption,
    ...extras,
    floating_devices: floatingDevices(pool?.leases ?? [], nowMs),
    warnings: expired ? [expired] : [],
  };
}

/** Custom field values by name → by the product's field ids; validation_error names any the product lacks. */
function customFieldIds<V>(fields: ProductCustomFieldResource[], values: Record<string, V>): Array<{ fieldId: number; value: V }> {
  const unknown = Object.keys(values).filter((name) => !fields.some((field) => field.name === name));
  if (unknown.length > 0)
    throw new ApiError(
      "validation_error",
      `custom_fields: the product has no custom field ${unknown.map((name) => JSON.stringify(name)).join(", ")}`,
    );
  return Object.entries(values).map(([name, value]) => ({ fieldId: fields.find((field) => field.name === name)!.id, value }));
}

/** max_license_users (when not 0) bounds the number of license users. */
function checkUserLimit(maxLicenseUsers: number, userCount: number): void {
  if (maxLicenseUsers > 0 && userCount > maxLicenseUsers)
    throw new ApiError("validation_error", `max_license_users: the license has ${userCount} users, more than ${maxLicenseUsers}`);
}

/** The license's own counter; validation_error when the license is not a consumption license. */
async function storedCounter(env: Env, licenseId: number) {
  const license = orNotFound(await findLicense(env.DB, licenseId), "License", licenseId);
  const counter = await findLicenseCounter(env.DB, licenseId);
  if (!counter)
    throw new ApiError(
      "validation_error",
      `License ${licenseId} is a ${license.license_type} license: only consumption licenses have license-level consumption`,
    );
  return counter;
}

async function storedFeature(env: Env, licenseId: number, code: string) {
  orNotFound(await findLicense(env.DB, licenseId), "License", licenseId);
  return orNotFound(await findLicenseFeature(env.DB, licenseId, code), "Feature", code);
}

/** Checks the body against the product (identifiers, users, feature codes) and issues the license. */
async function issueLicense(env: Env, body: IssueLicenseBody): Promise<number> {
  const product = orNotFound(await findProduct(env.DB, body.product_id), "Product", body.product_id);
  const keyBased = product.authorization_method === "license-key";
  if (keyBased && body.users)
    throw new ApiError("validation_error", "users: this product's licenses are key-based; send license_key (or nothing, to generate one)");
  if (!keyBased && body.license_key !== undefined)
    throw new ApiError("validation_error", "license_key: this product's licenses are user-based; send users");
  if (!keyBased && !body.users)
    throw new ApiError("missing_parameters", "users: this product's licenses are user-based; send at least one user");
  const users = body.users ?? [];
  if (new Set(users.map((user) => user.username.toLowerCase())).size !== users.length)
    throw new ApiError("validation_error", "users: each username may appear once");
  checkUserLimit(body.max_license_users, users.length);
  const customFields = customFieldIds(await productCustomFields(env.DB, product.id), body.custom_fields);

  const features = await productFeatures(env.DB, product.id);
  const unknown = Object.keys(body.features).filter((code) => !features.some((feature) => feature.code === code));
  if (unknown.length > 0)
    throw new ApiError(
      "validation_error",
      `features: the product has no feature ${unknown.map((code) => JSON.stringify(code)).join(", ")}`,
    );

  for (const feature of features) {
    const overrides = body.features[feature.code];
    if (overrides) assertOverridesWorkable(feature, overrides, ["features", feature.code]);
  }

  const licenseKey = keyBased ? (body.license_key ?? generateLicenseKey()) : null;
  let licenseId: number;
  try {
    licenseId = await insertLicense(env.DB, {
      product_id: product.id,
      license_key: licenseKey,
      terms: body,
      users: await Promise.all(
        users.map(async (user) => ({ user, passwordHash: user.password === undefined ? null : await hashPassword(user.password) })),
      ),
      features: features.map((feature) => ({ productFeatureId: feature.id, overrides: body.features[feature.code] ?? {} })),
      customer: body.customer,
      customFields,
    });
  } catch (error) {
    if (isUniqueViolation(error))
      throw new ApiError("conflict", `The product already has a license with key ${JSON.stringify(licenseKey)}`);
    if (error instanceof LicenseIdsExhausted)
      throw new ApiError(
        "conflict",
        "No license id is left below 2^53 (licenses imported with ids near 2^53 - 1 took the rest): a license cannot be issued here",
      );
    throw error;
  }
  // A new license may change which license its users get when they name no license_id: the
  // counter objects of their other licenses of the product must learn it before this answers.
  // The new license's own objects start with it as issued (a seed), so none reads D1 for it.
  await Promise.all([
    invalidateLicenseCounters(env, licenseId),
    users.length > 0 ? invalidateLicenseCounters(env, await otherLicensesOfUsers(env.DB, product.id, licenseId)) : null,
  ]);
  return licenseId;
}

/**
 * The disable/enable handler: the license's counter objects forget its old state before this
 * answers. Disabling an enabled license emits license.disabled (once, however many calls race).
 */
const setEnabled = (enabled: boolean) =>
  async function ({ params, env }: { params: { license_id: number }; env: Env }) {
    const subject = enabled ? null : await licenseSubject(env.DB, params.license_id);
    const events = subject ? announce(licenseDisabledEvent(subject, Date.now()), env.DB) : [];
    const { changed, deliveries } = await setLicenseEnabled(env.DB, params.license_id, enabled, events);
    if (changed) await invalidateLicenseCounters(env, params.license_id);
    await sendDeliveries(env, deliveries);
    return orNotFound(changed ? await findLicense(env.DB, params.license_id) : null, "License", params.license_id);
  };

export const managementLicenseRoutes = [
  managementRoute({
    method: "post",
    path: "/api/v1/licenses",
    operationId: "issueLicense",
    errors: {
      not_found: "product_id names no product",
      conflict: "the product already has a license with this license_key, or no license id below 2^53 is left",
    },
    tag: "Licenses",
    summary: "Issue a license",
    description:
      "Key-based products: send `license_key` or let the server generate one (XXXX-XXXX-XXXX-XXXX). User-based products: send `users` " +
      "(passwords are stored as PBKDF2 hashes). Every product feature is put on the license; `features` overrides its values by feature code. " +
      "The license becomes active at its first activation.",
    body: IssueLicenseBody,
    response: LicenseDetailResource,
    status: 201,
    async handler({ body, env }) {
      return licenseDetail(env, await issueLicense(env, body));
    },
  }),
  managementRoute({
    method: "get",
    path: "/api/v1/licenses",
    operationId: "listLicenses",
    tag: "Licenses",
    summary: "List licenses, filtered by product, key, user or enabled state",
    query: ListLicensesQuery,
    response: page(LicenseResource),
    async handler({ query, env }) {
      return pageBody(await listLicenses(env.DB, query));
    },
  }),
  managementRoute({
    method: "get",
    path: "/api/v1/licenses/{license_id}",
    operationId: "getLicense",
    tag: "Licenses",
    summary: "Get a license with its features and their live consumption",
    params: LicensePath,
    response: LicenseDetailResource,
    async handler({ params, env }) {
      return licenseDetail(env, params.license_id);
    },
  }),
  managementRoute({
    method: "patch",
    path: "/api/v1/licenses/{license_id}",
    operationId: "updateLicense",
    tag: "Licenses",
    summary:
      "Change a license's details: metadata, order reference, user limit, trial marking, customer, custom field values, floating settings",
    description:
      "What the License API answers in the license object, as set here. `customer` replaces the whole customer (null removes it); " +
      "`custom_fields` sets values by name (null goes back to the product default). Floating settings apply to the very next request; " +
      "devices holding a slot keep it until it ends (a smaller pool takes no new device until it is below its size).",
    params: LicensePath,
    body: UpdateLicenseBody,
    response: LicenseDetailResource,
    async handler({ params, body, env }) {
      const license = orNotFound(await findLicense(env.DB, params.license_id), "License", params.license_id);
      if (body.max_license_users !== undefined) checkUserLimit(body.max_license_users, license.users.length);
      assertWorkable({ ...license, ...definedOnly(body) }, sentIn(body));
      const customFields = customFieldIds(await productCustomFields(env.DB, license.product_id), body.custom_fields ?? {});
      const { customer, custom_fields: _values, ...details } = body;
      const updated = await updateLicenseDetails(env.DB, params.license_id, details, customer, customFields);
      orNotFound(updated ? license : null, "License", params.license_id);
      // The license's counter objects answer every detail (check_license) and decide pools with its floating settings.
      await invalidateLicenseCounters(env, params.license_id);
      return licenseDetail(env, params.license_id);
    },
  }),
  managementRoute({
    method: "post",
    path: "/api/v1/licenses/{license_id}/disable",
    operationId: "disableLicense",
    tag: "Licenses",
    summary: "Disable a license: every License API request for it fails with license_not_enabled",
    params: LicensePath,
    response: LicenseResource,
    handler: setEnabled(false),
  }),
  managementRoute({
    method: "post",
    path: "/api/v1/licenses/{license_id}/enable",
    operationId: "enableLicense",
    tag: "Licenses",
    summary: "Enable a license again",
    params: LicensePath,
    response: LicenseResource,
    handler: setEnabled(true),
  }),
  managementRoute({
    method: "patch",
    path: "/api/v1/licenses/{license_id}/features/{feature_code}",
    operationId: "updateLicenseFeature",
    tag: "Licenses",
    summary: "Change a license feature's allowance and rules (null inherits the product default)",
    params: LicenseFeaturePath,
    body: UpdateLicenseFeatureBody,
    response: LicenseFeatureResource,
    async handler({ params, body, env }) {
      const stored = await storedFeature(env, params.license_id, params.feature_code);
      const product = await findProductFeatureById(env.DB, stored.productFeatureId);
      assertOverridesWorkable(product!, { ...stored.overrides, ...definedOnly(body) });
      await updateLicenseFeature(env.DB, params.license_id, params.feature_code, body);
      await invalidateLicenseCounters(env, params.license_id);
      return liveLicenseFeature(env, await storedFeature(env, params.license_id, params.feature_code));
    },
  }),
  managementRoute({
    method: "post",
    path: "/api/v1/licenses/{license_id}/features/{feature_code}/reset",
    operationId: "resetLicenseFeature",
    tag: "Licenses",
    summary: "Reset a feature's consumption to 0 (audited as manual_reset)",
    params: LicenseFeaturePath,
    response: LicenseFeatureResource,
    async handler({ params, env }) {
      const stored = await storedFeature(env, params.license_id, params.feature_code);
      if (stored.feature.featureType !== "consumption")
        throw new ApiError(
          "validation_error",
          `Feature ${JSON.stringify(params.feature_code)} is an activation feature: it has no consumption`,
        );
      return resetLicenseFeature(env, stored);
    },
  }),
  managementRoute({
    method: "patch",
    path: "/api/v1/licenses/{license_id}/consumption",
    operationId: "updateLicenseConsumption",
    tag: "Licenses",
    summary: "Change a consumption license's own allowance and rules (license-level consumption)",
    params: LicensePath,
    body: UpdateLicenseConsumptionBody,
    response: LicenseConsumptionResource,
    async handler({ params, body, env }) {
      const { rules } = await storedCounter(env, params.license_id);
      assertWorkable({ max_consumptions: rules.maxConsumption, ...ruleValues(rules), ...definedOnly(body) }, sentIn(body));
      await updateLicenseConsumption(env.DB, params.license_id, body);
      await invalidateLicenseCounters(env, params.license_id);
      return liveLicenseConsumption(env, await storedCounter(env, params.license_id));
    },
  }),
  managementRoute({
    method: "post",
    path: "/api/v1/licenses/{license_id}/consumption/reset",
    operationId: "resetLicenseConsumption",
    tag: "Licenses",
    summary: "Reset a consumption license's own consumption to 0 (audited as manual_reset)",
    params: LicensePath,
    response: LicenseConsumptionResource,
    async handler({ params, env }) {
      return resetLicenseConsumption(env, await storedCounter(env, params.license_id));
    },
  }),
];
