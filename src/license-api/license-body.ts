/**
 * The license object the SDK stores (activate_license, check_license) and the feature objects
 * inside it (check_license_feature too), field for field as the official SDK's fixtures show
 * them. Fields for things this server does not do (floating, trials, maintenance, borrowing,
 * customers, custom fields) carry their neutral values.
 */
import type { CounterState } from "../counter/types";
import { periodEnd } from "../counter/consumption-period";
import type { ConsumptionRules } from "../counter/consumption-rules";
import type { License, LicenseFeature } from "../db/license-context";
import type { LicenseDetails, LicenseUser } from "../db/licenses";
import { isExpired } from "./resolve-license";

/**
 * Our extension: when the current consumption period started and when it ends (ISO-8601), for
 * counters that reset. The SDK has no field for it; it ignores fields it does not know.
 */
export function periodFields(periodStart: string | null | undefined, rules: ConsumptionRules) {
  const start = periodStart ?? null;
  const end =
    start !== null && rules.resetConsumption && rules.consumptionPeriod
      ? new Date(periodEnd(rules.consumptionPeriod, Date.parse(start))).toISOString()
      : null;
  return { consumption_period_start: start, consumption_period_end: end };
}

/** A counter's consumption fields as the SDK names them on licenses and add_*_consumption answers. */
export function consumptionFields(rules: ConsumptionRules, total: number, periodStart: string | null | undefined) {
  return {
    max_consumptions: rules.maxConsumption,
    total_consumptions: total,
    allow_unlimited_consumptions: rules.allowUnlimitedConsumptions,
    allow_negative_consumptions: rules.allowNegativeConsumptions,
    allow_overages: rules.allowOverages,
    max_overages: rules.maxOverages,
    reset_consumption: rules.resetConsumption,
    consumption_period: rules.consumptionPeriod,
    ...periodFields(periodStart, rules),
  };
}

export function featureBody(
  licenseId: number,
  companyId: number,
  feature: LicenseFeature & { id: number },
  state: CounterState | undefined,
  nowMs: number,
) {
  const { rules } = feature;
  return {
    id: feature.id,
    license_id: licenseId,
    code: feature.code,
    name: feature.name,
    feature_type: feature.featureType,
    company: { id: companyId },
    metadata: {},
    is_floating: false,
    is_floating_cloud: false,
    expiry_date: feature.expiryDate,
    is_expired: isExpired(feature.expiryDate, nowMs),
    consumption_period: rules.consumptionPeriod,
    allow_negative_consumptions: rules.allowNegativeConsumptions,
    allow_overages: rules.allowOverages,
    allow_unlimited_consumptions: rules.allowUnlimitedConsumptions,
    max_consumption: rules.maxConsumption,
    max_overages: rules.maxOverages,
    reset_consumption: rules.resetConsumption,
    total_consumptions: state?.total ?? feature.mirroredTotal,
    ...periodFields(state?.periodStart, rules),
  };
}

export interface LicenseBodyInput {
  license: License;
  details: LicenseDetails;
  deviceId: number;
  hardwareId: string;
  user: LicenseUser | null;
  featureStates: Map<number, CounterState>;
  licenseState: CounterState | null;
  includeExpiredFeatures: boolean;
  licenseSignature: string;
  nowMs: number;
  /** "activation" on activate_license responses, as LicenseSpring marks them. */
  request?: "activation";
}

export function licenseBody(input: LicenseBodyInput) {
  const { license, details, nowMs } = input;
  const { rules } = license;
  const companyId = details.product.companyId;
  const features = details.features
    .filter((feature) => input.includeExpiredFeatures || !isExpired(feature.expiryDate, nowMs))
    .map((feature) => featureBody(license.id, companyId, feature, input.featureStates.get(feature.id), nowMs));
  const identity = input.user
    ? {
        user: {
          id: input.user.id,
          email: input.user.username,
          first_name: "",
          last_name: "",
          phone_number: "",
          is_initial_password: false,
          max_activations: details.maxActivations,
          allow_unlimited_activations: details.allowUnlimitedActivations,
          total_activations: details.timesActivated,
        },
      }
    : { license_key: license.licenseKey };
  return {
    id: license.id,
    active: license.active,
    license_active: license.active,
    license_enabled: license.enabled,
    is_expired: isExpired(license.validityPeriod, nowMs),
    license_type: license.licenseType,
    ...identity,
    allow_grace_period: false,
    allow_offline_activation: false,
    allow_unlimited_activations: details.allowUnlimitedActivations,
    can_borrow: false,
    custom_fields: [],
    company: { id: companyId },
    device_id: input.deviceId,
    enable_maintenance_period: false,
    floating_timeout: 0,
    grace_period: 0,
    is_air_gapped: false,
    is_floating: false,
    is_floating_cloud: false,
    is_hardware_key_auth: false,
    is_trial: false,
    maintenance_period: null,
    max_activations: details.maxActivations,
    times_activated: details.timesActivated,
    max_borrow_time: 0,
    max_transfers: 0,
    transfer_count: 0,
    metadata: {},
    prevent_vm: false,
    start_date: null,
    validity_period: license.validityPeriod,
    product_details: {
      product_id: details.product.id,
      product_name: details.product.name,
      short_code: details.product.shortCode,
      authorization_method: details.product.authorizationMethod,
      allow_trial: false,
      trial_days: 0,
      allow_overages: false,
      max_overages: 0,
      prevent_vm: false,
      validity_period: null,
      floating_timeout: 0,
      company_id: companyId,
      metadata: {},
    },
    product_features: features,
    // License-level consumption (meaningful when license_type is "consumption").
    ...consumptionFields(rules, input.licenseState?.total ?? license.mirroredTotal, input.licenseState?.periodStart),
    license_signature: input.licenseSignature,
    hardware_id: input.hardwareId,
    ...(input.request ? { request: input.request } : {}),
  };
}
