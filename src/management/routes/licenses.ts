/**
 * /api/v1/licenses: issue licenses (with a new or existing customer), find them, change their terms
 * and details, enable and disable them, archive and restore them. Each change is recorded in the
 * activity log in the transaction that makes it, and is seen by the very next License API request:
 * it invalidates the license's counter objects before it answers. The license's features and its
 * own counter: ./license-features.ts.
 */
import type { ManagementActor } from "../../auth/management-roles";
import { hashPassword } from "../../auth/password";
import { invalidateLicenseCounters } from "../../counter/counter-stubs";
import { activityStatement } from "../../db/activity";
import { licenseCustomFieldsStatement, customFieldValuesOf, productCustomFields } from "../../db/custom-fields";
import { ISSUED_LICENSE_ID, LicenseIdsExhausted, insertLicense } from "../../db/license-writes";
import {
  changeLicenseState,
  findLicense,
  listLicenses,
  otherLicensesOfUsers,
  updateLicense,
  type LicenseStateChange,
} from "../../db/licenses";
import { productFeatures } from "../../db/product-features";
import { findProduct } from "../../db/products";
import { isUniqueViolation } from "../../db/sql-errors";
import { ApiError } from "../../errors";
import type { ActivityAction } from "../../models/activity";
import {
  IssueLicenseBody,
  LicenseDetailResource,
  LicensePath,
  LicenseResource,
  ListLicensesQuery,
  UpdateLicenseBody,
} from "../../models/license";
import { LicenseConsumptionInput } from "../../models/license-consumption";
import { page } from "../../models/page";
import type { ProductCustomFieldResource } from "../../models/product-custom-field";
import { assertWorkable, definedOnly, sentIn } from "../../models/unworkable-settings";
import { changedValues } from "../changed-values";
import { customerChanged, linkCustomer, withCustomerRetry, type CustomerLink } from "../customer-links";
import { checkFeatureSettings } from "../feature-settings";
import { licenseDetail } from "../license-detail-view";
import { managementRoute } from "../management-route";
import { orNotFound } from "../or-not-found";
import { pageBody } from "../page-body";
import { generateLicenseKey } from "../../auth/random-secrets";
import { announce, licenseDisabledEvent } from "../../webhooks/license-events";
import { sendDeliveries } from "../../webhooks/webhook-consumer";
import { writableLicense } from "../writable-license";

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

/** Checks the body against the product (identifiers, users, feature codes), links its customer and issues the license. */
async function issueLicense(env: Env, actor: ManagementActor, body: IssueLicenseBody): Promise<number> {
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
    if (overrides) checkFeatureSettings(feature, overrides, ["features", feature.code]);
  }

  const licenseKey = keyBased ? (body.license_key ?? generateLicenseKey()) : null;
  const licenseUsers = await Promise.all(
    users.map(async (user) => ({ user, passwordHash: user.password === undefined ? null : await hashPassword(user.password) })),
  );
  let licenseId: number;
  let customer: CustomerLink = { customerId: null, writes: [], changesCustomer: false };
  try {
    licenseId = await withCustomerRetry(async () => {
      customer = (await linkCustomer(env, actor, product.company_id, body)) ?? customer;
      const issued = activityStatement(env.DB, actor, {
        action: "license.issued",
        target: { type: "license", id: { select: ISSUED_LICENSE_ID } },
        licenseId: { select: ISSUED_LICENSE_ID },
        // What was issued, as the vendor would read it: never a password.
        after: {
          product_id: product.id,
          license_key: licenseKey,
          users: users.map((user) => user.username),
          customer_id: customer.customerId,
          enabled: body.enabled,
          license_type: body.license_type,
          validity_period: body.validity_period,
          max_activations: body.max_activations,
          allow_unlimited_activations: body.allow_unlimited_activations,
          ...(Object.keys(body.features).length > 0 ? { features: body.features } : {}),
          ...(body.consumption ? { consumption: body.consumption } : {}),
        },
      });
      return insertLicense(
        env.DB,
        {
          product_id: product.id,
          license_key: licenseKey,
          terms: body,
          users: licenseUsers,
          features: features.map((feature) => ({ productFeatureId: feature.id, overrides: body.features[feature.code] ?? {} })),
          customer_id: customer.customerId,
          customFields,
        },
        customer.writes,
        [issued],
      );
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
  // The new license's own objects start with it as issued (a seed), so none reads D1 for it. A
  // customer found by e-mail and changed by `customer` is answered by its other licenses too.
  await Promise.all([
    invalidateLicenseCounters(env, licenseId),
    users.length > 0 ? invalidateLicenseCounters(env, await otherLicensesOfUsers(env.DB, product.id, licenseId)) : null,
    customer.changesCustomer ? customerChanged(env, customer.customerId!, licenseId) : null,
  ]);
  return licenseId;
}

/**
 * The type a PATCH may give a license. Perpetual, time-limited and subscription licenses differ
 * only in how they are labelled and in their validity, so any of them may become another; a
 * license may become a consumption license (its own counter starts at 0, with the rules in
 * `consumption`, or none allowed). A consumption license stays one: its own counter holds its
 * consumption and its history, which another type would leave behind.
 */
function checkTypeChange(license: LicenseResource, body: UpdateLicenseBody): void {
  if (body.license_type === undefined || body.license_type === license.license_type) return;
  if (license.license_type === "consumption")
    throw new ApiError(
      "validation_error",
      `license_type: license ${license.id} is a consumption license and stays one (its own counter holds its consumption); ` +
        "archive it and issue a license of the new type instead",
    );
}

/** Changes a license's terms, details, customer and custom field values in one transaction with its activity entry. */
async function changeLicense(env: Env, actor: ManagementActor, licenseId: number, body: UpdateLicenseBody): Promise<void> {
  const license = await writableLicense(env, licenseId);
  const product = orNotFound(await findProduct(env.DB, license.product_id), "Product", license.product_id);
  if (body.max_license_users !== undefined) checkUserLimit(body.max_license_users, license.users.length);
  assertWorkable({ ...license, ...definedOnly(body) }, sentIn(body));
  checkTypeChange(license, body);
  const customFields = customFieldIds(await productCustomFields(env.DB, license.product_id), body.custom_fields ?? {});
  const { customer: _customer, customer_id: _customerId, custom_fields: _values, consumption, ...columns } = body;
  // A license becoming a consumption license gets its counter's rules: those sent, else the defaults of issuing.
  const becomesConsumption = body.license_type === "consumption" && license.license_type !== "consumption";
  if (consumption && !becomesConsumption)
    throw new ApiError(
      "validation_error",
      `consumption: only with a change of license_type to "consumption"; a consumption license's counter changes with PATCH /api/v1/licenses/${licenseId}/consumption`,
    );
  const rules = becomesConsumption ? (consumption ?? LicenseConsumptionInput.parse({})) : {};
  // The counter's rules, as issuing a consumption license checks them.
  if (consumption) assertWorkable(consumption, () => true, ["consumption"]);
  const valuesBefore = body.custom_fields
    ? Object.fromEntries(
        customFieldValuesOf(await licenseCustomFieldsStatement(env.DB, licenseId).all()).map((field) => [field.name, field.value]),
      )
    : {};

  let customer: CustomerLink | undefined;
  await withCustomerRetry(async () => {
    customer = await linkCustomer(env, actor, product.company_id, body);
    const changes = { ...columns, ...(customer ? { customer_id: customer.customerId } : {}) };
    const change = changedValues(license, changes);
    if (becomesConsumption) change.after.consumption = rules;
    if (body.custom_fields) {
      change.before.custom_fields = Object.fromEntries(Object.keys(body.custom_fields).map((name) => [name, valuesBefore[name] ?? null]));
      change.after.custom_fields = body.custom_fields;
    }
    const updated = await updateLicense(env.DB, licenseId, { ...changes, ...rules }, customFields, customer?.writes ?? [], [
      activityStatement(env.DB, actor, { action: "license.updated", target: { type: "license", id: licenseId }, licenseId, ...change }),
    ]);
    if (!updated) await writableLicense(env, licenseId);
  });
  // The license's counter objects decide with its terms, floating settings and rules, and answer its
  // details and customer (check_license): they forget what they knew before this answers, as do
  // those of the other licenses of a customer that `customer` changed.
  await Promise.all([
    invalidateLicenseCounters(env, licenseId),
    customer?.changesCustomer ? customerChanged(env, customer.customerId!, licenseId) : null,
  ]);
}

/** The activity of each state change, and what it records. */
const STATE_ACTIVITY: Record<LicenseStateChange, { action: ActivityAction; before: object; after: object }> = {
  enable: { action: "license.enabled", before: { enabled: false }, after: { enabled: true } },
  disable: { action: "license.disabled", before: { enabled: true }, after: { enabled: false } },
  archive: { action: "license.archived", before: { archived: false }, after: { archived: true, enabled: false } },
  restore: { action: "license.restored", before: { archived: true }, after: { archived: false } },
};

/**
 * Enable, disable, archive, restore: the license's counter objects forget its old state before this
 * answers. Enabling or disabling an archived license is 409; archiving an archived license, or
 * restoring one that is not, changes nothing and answers the license. Disabling or archiving an
 * enabled license emits license.disabled (once, however many calls race).
 */
const setState = (change: LicenseStateChange) =>
  async function ({ params, env, actor }: { params: { license_id: number }; env: Env; actor: ManagementActor }) {
    const licenseId = params.license_id;
    // An archived license may be archived (again) or restored; every other change needs it unarchived.
    const license =
      change === "archive" || change === "restore"
        ? orNotFound(await findLicense(env.DB, licenseId), "License", licenseId)
        : await writableLicense(env, licenseId);
    const subject = { license_id: license.id, license_key: license.license_key, product: license.product_short_code };
    const events = change === "disable" || change === "archive" ? announce(licenseDisabledEvent(subject, Date.now()), env.DB) : [];
    const { action, before, after } = STATE_ACTIVITY[change];
    const { changed, deliveries } = await changeLicenseState(env.DB, licenseId, change, events, [
      activityStatement(env.DB, actor, {
        action,
        target: { type: "license", id: licenseId },
        licenseId,
        before,
        after,
        onlyIfChanged: true,
      }),
    ]);
    if (changed) await invalidateLicenseCounters(env, licenseId);
    await sendDeliveries(env, deliveries);
    return orNotFound(await findLicense(env.DB, licenseId), "License", licenseId);
  };

export const managementLicenseRoutes = [
  managementRoute({
    method: "post",
    path: "/api/v1/licenses",
    operationId: "issueLicense",
    errors: {
      not_found: "product_id names no product, or customer_id no customer",
      conflict: "the product already has a license with this license_key, or no license id below 2^53 is left",
    },
    tag: "Licenses",
    summary: "Issue a license",
    description:
      "Key-based products: send `license_key` or let the server generate one (XXXX-XXXX-XXXX-XXXX). User-based products: send `users` " +
      "(passwords are stored as PBKDF2 hashes). Every product feature is put on the license; `features` overrides its values by feature code. " +
      "The customer: `customer_id` (an existing customer of the product's company) or `customer` (the company's customer with that " +
      "e-mail, changed by the fields sent, or a new one). The license becomes active at its first activation.",
    body: IssueLicenseBody,
    response: LicenseDetailResource,
    status: 201,
    async handler({ body, env, actor }) {
      return licenseDetail(env, await issueLicense(env, actor, body));
    },
  }),
  managementRoute({
    method: "get",
    path: "/api/v1/licenses",
    operationId: "listLicenses",
    tag: "Licenses",
    summary: "List and search licenses: by product, key (exact or a part), user, customer, enabled or archived state",
    description:
      "Archived licenses are left out unless `archived` is `true` (only them) or `any`. `q` finds a part of the license key, of a " +
      "user's name, or of the customer's e-mail, name or company name (case-insensitive for ASCII letters).",
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
    errors: {
      not_found: "nothing has the license id in the path, or customer_id names no customer",
      conflict: "the license is archived: restore it first",
    },
    tag: "Licenses",
    summary: "Change a license: its terms (type, validity, seats), details, customer, custom field values, floating settings",
    description:
      "`validity_period` extends or shortens the license (null: no end); `max_activations` and `allow_unlimited_activations` set its " +
      "seats (devices already activated keep theirs); `license_type` may change between perpetual, time-limited and subscription, or to " +
      "consumption (with the license counter's rules in `consumption`); a consumption license stays one. Every change applies to the " +
      "very next License API request. `customer_id` links an existing customer (null: none), `customer` the company's customer with " +
      "that e-mail (changed by the fields sent) or a new one; `custom_fields` sets values by name (null goes back to the product " +
      "default). A smaller floating pool evicts nobody. An archived license is 409 until restored.",
    params: LicensePath,
    body: UpdateLicenseBody,
    response: LicenseDetailResource,
    async handler({ params, body, env, actor }) {
      await changeLicense(env, actor, params.license_id, body);
      return licenseDetail(env, params.license_id);
    },
  }),
  managementRoute({
    method: "post",
    path: "/api/v1/licenses/{license_id}/disable",
    operationId: "disableLicense",
    errors: { conflict: "the license is archived: restore it first" },
    tag: "Licenses",
    summary: "Disable a license: every License API request for it fails with license_not_enabled",
    params: LicensePath,
    response: LicenseResource,
    handler: setState("disable"),
  }),
  managementRoute({
    method: "post",
    path: "/api/v1/licenses/{license_id}/enable",
    operationId: "enableLicense",
    errors: { conflict: "the license is archived: restore it first" },
    tag: "Licenses",
    summary: "Enable a license again",
    params: LicensePath,
    response: LicenseResource,
    handler: setState("enable"),
  }),
  managementRoute({
    method: "post",
    path: "/api/v1/licenses/{license_id}/archive",
    operationId: "archiveLicense",
    tag: "Licenses",
    summary: "Archive a license: disabled, left out of listings, frozen; its history (devices, consumption, activity) is kept",
    description:
      "Licenses are never erased: their ids name their counters, usage and activity. An archived license answers license_not_enabled " +
      "to clients, keeps its key (no other license of the product can take it), and refuses every change until restored.",
    params: LicensePath,
    response: LicenseResource,
    handler: setState("archive"),
  }),
  managementRoute({
    method: "post",
    path: "/api/v1/licenses/{license_id}/restore",
    operationId: "restoreLicense",
    tag: "Licenses",
    summary: "Restore an archived license; it stays disabled until enabled",
    params: LicensePath,
    response: LicenseResource,
    handler: setState("restore"),
  }),
];
