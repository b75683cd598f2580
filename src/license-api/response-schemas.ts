/**
 * The License API's answers as the OpenAPI document describes them. For the document only: the
 * handlers build the bodies field for field as the official SDK expects (./license-body.ts).
 */
import { z } from "zod";

const period = z.enum(["daily", "weekly", "monthly", "annually"]).nullable();

/** The consumption rules every counter reports. */
const rules = {
  allow_unlimited_consumptions: z.boolean(),
  allow_negative_consumptions: z.boolean(),
  allow_overages: z.boolean(),
  max_overages: z.number().int(),
  reset_consumption: z.boolean(),
  consumption_period: period,
  total_consumptions: z.number().int(),
};

const periodBounds = {
  consumption_period_start: z
    .string()
    .nullable()
    .describe("Ours: when the current consumption period started (ISO-8601), for counters that reset"),
  consumption_period_end: z.string().nullable().describe("Ours: when the current consumption period ends"),
};

export const FeatureBody = z
  .object({
    id: z.number().int(),
    license_id: z.number().int(),
    code: z.string(),
    name: z.string(),
    feature_type: z.enum(["consumption", "activation"]),
    expiry_date: z.string().nullable(),
    is_expired: z.boolean(),
    max_consumption: z.number().int(),
    ...rules,
    ...periodBounds,
  })
  .loose()
  .meta({ id: "LicenseApiFeature" });

export const LicenseBody = z
  .object({
    id: z.number().int(),
    license_key: z.string().nullable().optional().describe("Key-based licenses"),
    user: z.object({ id: z.number().int(), email: z.string() }).loose().optional().describe("User-based licenses"),
    license_active: z.boolean(),
    license_enabled: z.boolean(),
    is_expired: z.boolean(),
    license_type: z.string(),
    validity_period: z.string().nullable(),
    max_activations: z.number().int(),
    times_activated: z.number().int(),
    device_id: z.number().int(),
    hardware_id: z.string(),
    license_signature: z
      .string()
      .describe("Signature v1: RSA-SHA256 over lower(<hardware_id>#<license_key or username>#<validity_period>)"),
    product_details: z.object({ product_id: z.number().int(), short_code: z.string(), authorization_method: z.string() }).loose(),
    product_features: z.array(FeatureBody),
    max_consumptions: z.number().int(),
    ...rules,
    ...periodBounds,
  })
  .loose()
  .meta({ id: "LicenseApiLicense" });

/** activate_offline: the license object with the offline file's own signatures (the SDK's ActivateOfflineResponse). */
export const OfflineLicenseBody = LicenseBody.extend({
  date: z.string().describe("When the answer was made (RFC 7231)"),
  offline_signature: z
    .string()
    .describe("base64 HMAC-SHA256 under the shared key over licenseSpring\\ndate: <date>\\n<key or username>\\n<hardware_id>\\n<api_key>"),
  license_signature_v2: z
    .string()
    .describe("base64 RSA-SHA256 over the JSON text of this object without license_signature and license_signature_v2"),
});

export const FeatureConsumptionBody = z.object({
  id: z.number().int(),
  license_id: z.number().int(),
  company: z.object({ id: z.number().int() }),
  max_consumptions: z.number().int(),
  ...rules,
  is_floating: z.boolean(),
  is_floating_cloud: z.boolean(),
  floating_timeout: z.number().int().optional().describe("Floating features only: minutes a slot is kept after a check"),
  floating_users: z.number().int().optional().describe("Floating features only: devices that may hold a slot at once"),
});

/** floating/borrow and floating/feature_borrow: the SDK's FloatingBorrowResponse. */
export const FloatingBorrowedBody = z.object({
  borrowed_until: z.string().describe("When the borrow ends (ISO-8601, UTC)"),
  max_borrow_time: z.number().int().describe("The longest borrow, in hours"),
  device_id: z.number().int(),
  license_id: z.number().int(),
  company: z.object({ id: z.number().int() }),
});

/** floating/release and floating/feature_release: LicenseSpring answers an empty string. */
export const FloatingReleasedBody = z.literal("");

export const LicenseConsumptionBody = z.object({ id: z.number().int(), max_consumptions: z.number().int(), ...rules }).loose();

export const DeactivatedBody = z.literal("license_deactivated");

const metadata = z.record(z.string(), z.unknown());

export const ProductDetailsBody = z
  .object({
    product_id: z.number().int(),
    product_name: z.string(),
    short_code: z.string(),
    authorization_method: z.enum(["license-key", "user"]),
    metadata,
    metadata_string: z.string(),
    company: z.object({ id: z.number().int() }),
    latest_version: z
      .object({ id: z.number().int(), version: z.string(), release_date: z.string(), environment: z.string(), channel: z.string() })
      .loose()
      .nullable()
      .optional()
      .describe("Present when include_latest_version=true: the newest enabled version for env and channel, or null"),
    custom_fields: z
      .array(z.object({ id: z.number().int(), name: z.string(), default_value: z.string() }))
      .optional()
      .describe("Present when include_custom_fields=true"),
  })
  .loose()
  .meta({ id: "ProductDetails" });

const LicenseUserBody = z
  .object({ id: z.number().int(), email: z.string(), first_name: z.string(), last_name: z.string(), is_initial_password: z.boolean() })
  .loose();

export const UserLicensesBody = z.array(
  z.object({ license: LicenseBody.omit({ device_id: true, hardware_id: true, license_signature: true }), user: LicenseUserBody }),
);

const CustomerBody = z
  .object({ email: z.string(), first_name: z.string(), last_name: z.string(), company_name: z.string(), metadata })
  .loose();

export const CustomerLicenseUsersBody = z.object({
  company: z.object({ id: z.number().int() }),
  customer: CustomerBody,
  users: z.array(
    z
      .object({
        email: z.string(),
        license_id: z.number().int(),
        is_initial_password: z.boolean(),
        initial_password: z.literal("").describe("Always empty: only password hashes are stored"),
        order_store_id: z.string(),
        max_activations: z.number().int(),
        total_activations: z.number().int(),
      })
      .loose(),
  ),
});

export const DeviceVariablesBody = z.array(
  z.object({ id: z.number().int(), device_id: z.number().int(), variable: z.string(), value: z.string(), created_at: z.string() }),
);

export const TrackedVariablesBody = z.array(
  z.object({
    variable: z.string(),
    value: z.string(),
    device_id: z.number().int(),
    created_at: z.number().int().describe("When the value was written, in milliseconds since 1970"),
  }),
);

export const PasswordChangedBody = z.literal("password_changed");

/**
 * trial_key: a new trial license (the SDK's TrialNewResponse), or the trial the device already has
 * (TrialExistingResponse: its type and key or user).
 */
export const TrialBody = z.union([
  z
    .object({
      id: z.number().int(),
      product_id: z.number().int(),
      is_trial: z.literal(true),
      trial_days: z.number().int(),
      license_type: z.string(),
      max_activations: z.number().int(),
      license: z.string().optional().describe("Key-based products: the trial's license key"),
      license_key: z.string().optional().describe("Key-based products: the trial's license key"),
      license_user: z.string().optional().describe("User-based products: the trial's license user"),
      initial_password: z.string().optional().describe("User-based products: the user's password, as given or generated"),
    })
    .loose()
    .describe("A new trial license"),
  z
    .object({
      license_type: z.string(),
      is_trial: z.boolean(),
      license: z.string().optional().describe("Key-based products: the device's trial's license key"),
      license_user: z.string().optional().describe("User-based products: the device's trial's license user"),
    })
    .describe("The trial this device already has"),
]);

/** versions: each version's number and release date, newest release first (the SDK's VersionsResponse). */
export const VersionsBody = z.array(z.object({ version: z.string(), release_date: z.string() }));

/** installation_file (the SDK's InstallationFileResponse); unset texts are left out. */
export const InstallationFileBody = z
  .object({
    id: z.number().int(),
    version: z.string(),
    installation_file: z.string().optional().describe("Where to download it (the vendor's URL)"),
    release_date: z.string(),
    hash_md5: z.string().optional(),
    environment: z.string(),
    eula_link: z.string().optional(),
    release_notes_link: z.string().optional(),
    size: z.string().optional().describe("Bytes"),
    requires_version: z.string().optional().describe("The minimum version to update from"),
    channel: z.string(),
    company: z.object({ id: z.number().int() }),
  })
  .describe("A version's installation file");
