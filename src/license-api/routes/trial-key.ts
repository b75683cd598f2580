/**
 * GET /api/v4/trial_key: a trial license for a device, issued by the application itself
 * (LicenseSpring: "Trial licenses are the only type of license that can be issued through the
 * License API"). The product must allow trials; the trial is a license of the product's trial terms
 * with is_trial and the product's trial_days, which set its validity_period at its first activation.
 * One trial per device (and e-mail, on user-based products) unless the product allows several: a
 * device that has one is told which (LicenseSpring's "trial license already exists" answer).
 */
import { hashPassword } from "../../auth/password";
import { generateLicenseKey, generatePassword } from "../../auth/random-secrets";
import { invalidateLicenseCounters } from "../../counter/counter-stubs";
import { licenseCustomFieldsStatement } from "../../db/custom-fields";
import { licenseFeatures } from "../../db/license-features";
import { insertLicense } from "../../db/license-writes";
import { findLicense, otherLicensesOfUsers } from "../../db/licenses";
import { isUniqueViolation } from "../../db/sql-errors";
import { findTrial, findTrialProduct, trialCustomer, trialDeviceKey, type ExistingTrial, type TrialProduct } from "../../db/trials";
import { withCustomerRetry } from "../../management/customer-links";
import { ApiError } from "../../errors";
import type { CustomerInput } from "../../models/customer";
import type { LicenseTerms } from "../../models/license";
import { parseMetadata } from "../license-body";
import { licenseApiRoute } from "../license-api-route";
import { accessibleProduct } from "../resolve-license";
import { TrialBody } from "../response-schemas";
import { TrialKeyQuery } from "../schemas";

/**
 * Precedence: unknown_product → api_key_product_not_allowed → trial_not_allowed → email_missing
 * (user-based products) → the device's trial, if it has one → a new trial. A read-only API key is
 * refused (read_only_api_key): this GET writes a license.
 */
export const trialKey = licenseApiRoute({
  method: "get",
  path: "/api/v4/trial_key",
  operationId: "getTrialKey",
  errors: {
    trial_not_allowed: "the product does not allow trials",
    email_missing: "a user-based product's trial without email",
  },
  summary: "Issue a trial license for a device, or name the one it has",
  query: TrialKeyQuery,
  response: TrialBody,
  reads: "none",
  writes: true,
  async handler({ env, apiKey, query }) {
    // Another company's product is unknown_product, exactly as one that does not exist.
    const product = accessibleProduct(await findTrialProduct(env.DB, query.product), apiKey);
    if (!product.allowTrial) throw new ApiError("trial_not_allowed");
    const userBased = product.authorizationMethod === "user";
    if (userBased && query.email === undefined) throw new ApiError("email_missing");
    const trialDevice = product.allowMultipleTrials ? null : trialDeviceKey(query.hardware_id, userBased ? query.email! : null);
    if (trialDevice !== null) {
      const existing = await findTrial(env.DB, product.id, trialDevice);
      if (existing) return existingTrialBody(existing);
    }

    const password = userBased ? (query.password ?? generatePassword()) : null;
    const licenseKey = userBased ? null : generateLicenseKey();
    let licenseId: number;
    try {
      licenseId = await withCustomerRetry(async () => {
        const customer = await trialCustomer(env.DB, product.companyId, customerOf(query));
        return insertLicense(
          env.DB,
          {
            product_id: product.id,
            license_key: licenseKey,
            terms: trialTerms(product, customerOf(query)),
            users: userBased
              ? [
                  {
                    user: {
                      username: query.email!,
                      first_name: query.first_name ?? "",
                      last_name: query.last_name ?? "",
                      phone_number: query.phone ?? "",
                    },
                    passwordHash: await hashPassword(password!),
                  },
                ]
              : [],
            features: product.features.map((feature) => ({
              productFeatureId: feature.id,
              overrides: product.trialLicense.features[feature.code] ?? {},
            })),
            customer_id: customer.customerId,
            customFields: Object.entries(product.trialLicense.custom_fields).flatMap(([name, value]) => {
              const field = product.customFields.find((candidate) => candidate.name === name);
              return field ? [{ fieldId: field.id, value }] : [];
            }),
            trialDevice,
          },
          customer.writes,
        );
      });
    } catch (error) {
      // The same device's other request wrote its trial first: that one is the device's trial.
      const existing = trialDevice !== null && isUniqueViolation(error) ? await findTrial(env.DB, product.id, trialDevice) : null;
      if (existing) return existingTrialBody(existing);
      throw error;
    }
    // A new license of a user changes which license that user gets without a license_id.
    if (userBased) await invalidateLicenseCounters(env, await otherLicensesOfUsers(env.DB, product.id, licenseId));
    return newTrialBody(env.DB, product, licenseId, userBased ? { email: query.email!, password: password! } : null);
  },
});

/** The customer a trial request describes: only with an e-mail (LicenseSpring's rule), else none. */
function customerOf(query: TrialKeyQuery): CustomerInput | null {
  if (query.email === undefined) return null;
  return {
    email: query.email,
    first_name: query.first_name ?? "",
    last_name: query.last_name ?? "",
    company_name: query.company_name ?? "",
    phone: query.phone ?? "",
    reference: query.reference ?? "",
    address: query.address ?? "",
    city: query.city ?? "",
    postcode: query.postcode ?? "",
    state: query.state ?? "",
    country: query.country ?? "",
    metadata: {},
  };
}

/** The product's trial terms as a license's: a trial of trial_days from its first activation, for this customer. */
function trialTerms(product: TrialProduct, customer: CustomerInput | null): LicenseTerms {
  return {
    ...product.trialLicense,
    enabled: true,
    validity_period: null,
    order_store_id: null,
    is_trial: true,
    trial_days: product.trialDays,
    customer,
    start_date: null,
    maintenance_period: null,
  };
}

/** LicenseSpring's answer for a device that already has its trial: which license it is. */
function existingTrialBody(trial: ExistingTrial) {
  const identity = trial.licenseKey !== null ? { license: trial.licenseKey } : { license_user: trial.username ?? "" };
  return { license_type: trial.licenseType, is_trial: trial.isTrial, ...identity };
}

/** LicenseSpring's answer for a new trial (the SDK's TrialNewResponse): the license as issued. */
async function newTrialBody(db: D1Database, product: TrialProduct, licenseId: number, user: { email: string; password: string } | null) {
  const [license, features, customFields] = await Promise.all([
    findLicense(db, licenseId),
    licenseFeatures(db, licenseId),
    licenseCustomFieldsStatement(db, licenseId).all<{ name: string; value: string }>(),
  ]);
  if (!license) throw new Error(`trial license ${licenseId} vanished`);
  const createdAt = Date.parse(license.created_at);
  const consumption = product.trialLicense.consumption;
  const identity = user
    ? { license_user: user.email, initial_password: user.password, license_user_id: null, max_license_users: license.max_license_users }
    : { license: license.license_key!, license_key: license.license_key! };
  return {
    id: license.id,
    order_id: 0,
    product_id: product.id,
    created_at: createdAt,
    updated_at: createdAt,
    active: license.active,
    enabled: license.enabled,
    is_trial: true,
    trial_days: license.trial_days,
    license_type: license.license_type,
    max_activations: license.max_activations,
    times_activated: 0,
    max_transfers: license.max_transfers,
    prevent_vm: license.prevent_vm,
    enable_maintenance_period: false,
    maintenance_duration: null,
    is_floating: false,
    is_hardware_key_auth: false,
    metadata: license.metadata,
    metadata_string: JSON.stringify(license.metadata),
    company: { id: product.companyId },
    LicenseProductFeatures: features.map(({ productFeatureId, feature }) => ({
      id: feature.id,
      product_feature_id: productFeatureId,
      max_consumption: feature.rules.maxConsumption,
      allow_overages: feature.rules.allowOverages,
      max_overages: feature.rules.maxOverages,
      reset_consumption: feature.rules.resetConsumption,
      consumption_period: feature.rules.consumptionPeriod,
      is_floating: false,
      is_floating_cloud: feature.floating.isFloatingCloud,
      metadata: parseMetadata(feature.metadataJson),
      ...(feature.floating.isFloatingCloud
        ? { floating_timeout: feature.floating.timeoutMinutes, floating_users: feature.floating.users }
        : {}),
    })),
    LicenseCustomFields: customFields.results.map((field) => ({
      product_custom_field_id: product.customFields.find((candidate) => candidate.name === field.name)?.id ?? 0,
      value: field.value,
    })),
    is_floating_cloud: license.is_floating_cloud,
    floating_users: license.floating_users,
    floating_timeout: license.floating_timeout,
    allow_overages: consumption?.allow_overages ?? false,
    max_overages: consumption?.max_overages ?? 0,
    max_consumptions: consumption?.max_consumptions ?? 0,
    valid_duration: null,
    consumption_period: consumption?.consumption_period ?? null,
    reset_consumption: consumption?.reset_consumption ?? false,
    grace_period: license.grace_period,
    allow_grace_period: license.allow_grace_period,
    ...identity,
  };
}
