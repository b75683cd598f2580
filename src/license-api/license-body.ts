/**
 * The license object the SDK stores (activate_license, check_license, user_licenses) and the
 * feature objects inside it (check_license_feature too), field for field as the official SDK's
 * response types declare them (test/sdk/response-types.sdk.test.ts compares them with the
 * installed SDK's declarations). What the vendor sets is answered as stored (metadata, customer,
 * custom fields, order reference, user limit, trials, entitlement dates and policies, transfers, the
 * newest installation file); fields for things this server does not do (air-gapped and hardware-key
 * licenses, customer accounts) carry their neutral values with the declared type. Floating settings come from the license and its
 * features; what the pool looks like to the device (slots in use, its borrow) from the pool's
 * counter object (PoolView).
 */
import type { PoolView } from "../counter/floating-pool";
import type { CounterState } from "../counter/types";
import { periodEnd } from "../counter/consumption-period";
import type { ConsumptionRules } from "../counter/consumption-rules";
import type { DeviceVariableResource } from "../models/device";
import type { ProductVersionResource } from "../models/product-version";
import type { License, LicenseFeature } from "../db/license-context";
import type { CustomerValuesRow } from "../db/customers";
import type { LicenseUser } from "../db/license-users";
import type { LicenseDetails } from "../db/licenses";
import { isExpired, isLicenseExpired } from "./resolve-license";
import { licenseInstallationFile } from "./version-body";

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

/**
 * Stored metadata (a JSON object's text, validated when the vendor set it) as the object it is.
 * Anything else (written to D1 by hand) answers {} rather than breaking every license response.
 */
export function parseMetadata(json: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(json);
    if (typeof value === "object" && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // fall through
  }
  console.error("stored metadata is not a JSON object; answering {}");
  return {};
}

export interface FeatureBodyOptions {
  /** check_license_feature's include_metadata_string: add the metadata as JSON text too. */
  metadataString?: boolean;
  /** A floating feature's slots in use (check_license_feature answers it; license objects do not). */
  floatingInUseDevices?: number;
}

export function featureBody(
  licenseId: number,
  companyId: number,
  feature: LicenseFeature & { id: number },
  state: CounterState | undefined,
  nowMs: number,
  options: FeatureBodyOptions = {},
) {
  const { rules } = feature;
  const metadata = parseMetadata(feature.metadataJson);
  const { floating } = feature;
  return {
    id: feature.id,
    license_id: licenseId,
    code: feature.code,
    name: feature.name,
    feature_type: feature.featureType,
    company: { id: companyId },
    metadata,
    ...(options.metadataString ? { metadata_string: JSON.stringify(metadata) } : {}),
    // is_floating names LicenseSpring's on-premises Floating Server (the SDK then talks to that
    // server instead): never here. Floating features are floating cloud features.
    is_floating: false,
    is_floating_cloud: floating.isFloatingCloud,
    // The floating fields exist only on floating features (LicenseSpring's docs).
    ...(floating.isFloatingCloud
      ? {
          floating_timeout: floating.timeoutMinutes,
          floating_users: floating.users,
          ...(options.floatingInUseDevices === undefined ? {} : { floating_in_use_devices: options.floatingInUseDevices }),
        }
      : {}),
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

const NO_CUSTOMER: CustomerValuesRow = {
  email: "",
  first_name: "",
  last_name: "",
  company_name: "",
  phone: "",
  reference: "",
  address: "",
  city: "",
  postcode: "",
  state: "",
  country: "",
  metadata: "{}",
};

/** The SDK's CustomerResponse: every field a string ("" when unset); customer accounts (an SSO feature) are not kept: null. */
export function customerBody(customer: CustomerValuesRow | null) {
  const c = customer ?? NO_CUSTOMER;
  return {
    email: c.email,
    company_name: c.company_name,
    reference: c.reference,
    phone: c.phone,
    first_name: c.first_name,
    last_name: c.last_name,
    city: c.city,
    postcode: c.postcode,
    state: c.state,
    country: c.country,
    address: c.address,
    customer_account: null,
    metadata: parseMetadata(c.metadata),
  };
}

/** The SDK's LicenseUserResponse. Activations are counted per license (devices are the license's). */
export function licenseUserBody(
  user: LicenseUser,
  details: Pick<LicenseDetails, "maxActivations" | "allowUnlimitedActivations" | "timesActivated">,
) {
  return {
    id: user.id,
    email: user.username,
    first_name: user.firstName,
    last_name: user.lastName,
    phone_number: user.phoneNumber,
    is_initial_password: user.isInitialPassword,
    max_activations: details.maxActivations,
    allow_unlimited_activations: details.allowUnlimitedActivations,
    total_activations: details.timesActivated,
  };
}

export interface LicenseObjectInput {
  license: License;
  details: LicenseDetails;
  /** The license user the request named (user-based licenses). */
  user: LicenseUser | null;
  featureStates: Map<number, CounterState>;
  licenseState: CounterState | null;
  includeExpiredFeatures: boolean;
  nowMs: number;
}

/** The license itself, without a device: the SDK's FormatLicenseResponse (user_licenses) and the base of the device answers. */
export function licenseObject(input: LicenseObjectInput) {
  const { license, details, nowMs } = input;
  const { floating } = license;
  const companyId = details.product.companyId;
  const features = details.features
    .filter((feature) => input.includeExpiredFeatures || !isExpired(feature.expiryDate, nowMs))
    .map((feature) => featureBody(license.id, companyId, feature, input.featureStates.get(feature.id), nowMs));
  const identity = input.user
    ? { user: licenseUserBody(input.user, details), max_license_users: details.maxLicenseUsers }
    : { license_key: license.licenseKey, max_license_users: 0 };
  return {
    id: license.id,
    license_active: license.active,
    license_enabled: license.enabled,
    is_expired: isLicenseExpired(license, nowMs),
    license_type: license.licenseType,
    ...identity,
    order_store_id: details.orderStoreId,
    is_trial: details.isTrial,
    trial_days: details.trialDays,
    license_template_id: null,
    allow_grace_period: details.allowGracePeriod,
    // The SDK adds grace_period to validity_period whatever allow_grace_period says: 0 unless allowed.
    grace_period: details.allowGracePeriod ? details.gracePeriod : 0,
    allow_offline_activation: details.allowOfflineActivation,
    allow_unlimited_activations: details.allowUnlimitedActivations,
    max_activations: details.maxActivations,
    times_activated: details.timesActivated,
    transfer_count: details.transferCount,
    max_transfers: details.maxTransfers,
    is_air_gapped: false,
    is_hardware_key_auth: false,
    prevent_vm: details.preventVm,
    enable_maintenance_period: details.maintenancePeriod !== null,
    maintenance_period: details.maintenancePeriod,
    start_date: details.startDate,
    validity_period: license.validityPeriod,
    // is_floating: LicenseSpring's on-premises Floating Server, never here (the SDK would talk to it instead).
    is_floating: false,
    is_floating_cloud: floating.isFloatingCloud,
    floating_timeout: floating.timeoutMinutes,
    floating_users: floating.users,
    can_borrow: floating.canBorrow,
    max_borrow_time: floating.maxBorrowHours,
    metadata: parseMetadata(details.metadataJson),
    custom_fields: details.customFields.map((field) => ({ name: field.name, data_type: field.data_type, value: field.value })),
    customer: customerBody(details.customer),
    company: { id: companyId },
    product_details: {
      product_id: details.product.id,
      product_name: details.product.name,
      short_code: details.product.shortCode,
      authorization_method: details.product.authorizationMethod,
      allow_trial: details.product.allowTrial,
      trial_days: details.product.trialDays,
      allow_overages: false,
      max_overages: 0,
      prevent_vm: false,
      validity_period: null,
      floating_timeout: 0,
      company_id: companyId,
      metadata: parseMetadata(details.product.metadataJson),
    },
    product_features: features,
    // License-level consumption (meaningful when license_type is "consumption").
    ...consumptionFields(license.rules, input.licenseState?.total ?? license.mirroredTotal, input.licenseState?.periodStart),
  };
}

export interface LicenseBodyInput extends LicenseObjectInput {
  deviceId: number;
  hardwareId: string;
  licenseSignature: string;
  /** "activation" on activate_license responses, as LicenseSpring marks them; they also list the device's variables. */
  activation?: { variables: DeviceVariableResource[] };
  /** The license's floating pool as this device sees it (floating cloud licenses); null otherwise. */
  pool: PoolView | null;
  /** The newest version the device's build may install (its environment and channel), or null. */
  installationFile: ProductVersionResource | null;
}

/** The license as one device sees it: activate_license and check_license. */
export function licenseBody(input: LicenseBodyInput) {
  const borrowedUntil = input.pool?.lease?.borrowedUntil ?? null;
  const borrowed = borrowedUntil !== null && borrowedUntil > input.nowMs;
  return {
    ...licenseObject(input),
    active: input.license.active,
    device_id: input.deviceId,
    hardware_id: input.hardwareId,
    is_borrowed: borrowed,
    borrowed_until: borrowed ? new Date(borrowedUntil).toISOString() : null,
    floating_in_use_devices: input.pool?.inUseDevices ?? 0,
    installation_file: licenseInstallationFile(input.installationFile),
    license_signature: input.licenseSignature,
    ...(input.activation
      ? {
          request: "activation" as const,
          floating_in_use: Boolean(input.pool?.lease),
          ...(input.user ? { username: input.user.username } : {}),
          variables: input.activation.variables.map(activationVariable),
        }
      : {}),
  };
}

/** A device variable as activate_license lists it. */
function activationVariable(variable: DeviceVariableResource) {
  return { variable: variable.variable, value: variable.value, device_id: variable.device_id, created_at: variable.created_at };
}
