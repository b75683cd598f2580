/**
 * zod schemas of the management API (/api/v1): every path parameter, query string and body the
 * handlers accept, and the shape of every answer. The router validates with them, the handlers'
 * types come from them (z.infer), and src/openapi/ documents them: one source of truth.
 *
 * Bodies are `.strict()`: a vendor who misspells `max_consumption` gets validation_error, not a
 * silently ignored field.
 */
import { z } from "zod";
import { typeMessage } from "../license-api/schemas";
import { CONSUMPTION_PERIODS, MANAGEMENT_AUDIT_EVENTS } from "./vocabulary";

// ---------------------------------------------------------------- building blocks

const text = (name: string, max = 256) =>
  z.string(typeMessage(name, "a string")).min(1, `${name} must not be empty`).max(max, `${name} must be at most ${max} characters`);

/** Codes and short codes appear in URLs and client configuration: keep them plain. */
const code = (name: string) =>
  text(name, 64).regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, `${name} may contain letters, digits, ".", "_" and "-"`);

const count = (name: string) =>
  z.number(typeMessage(name, "a number")).int(`${name} must be an integer`).min(0, `${name} must not be negative`);

const flag = (name: string) => z.boolean(typeMessage(name, "true or false"));

/** An ISO-8601 date-time with an offset, stored normalised to UTC ("2026-01-31T12:00:00.000Z"). */
const instant = (name: string) =>
  z.iso
    .datetime({ offset: true, ...typeMessage(name, "an ISO-8601 date-time, e.g. 2026-12-31T23:59:59Z") })
    .transform((value) => new Date(value).toISOString());

/**
 * A positive integer in a path or query string: decimal digits, no sign, no leading zero. Number()
 * would also read "0x1", "1e0", "1.0", " 1" and "01" as 1; refusing them gives every resource one
 * spelling, so caches, logs and access rules in front of the API see the id the handler uses.
 */
const decimal = (name: string) =>
  z
    .string(typeMessage(name, "a positive integer"))
    .regex(/^[1-9][0-9]{0,15}$/, `${name} must be a positive integer in decimal digits (e.g. 42)`)
    .transform(Number)
    // 16 digits: LicenseSpring's license ids, which imports keep (docs/migration.md); never one that would round.
    .pipe(z.number().max(Number.MAX_SAFE_INTEGER, `${name} must be at most 2^53 - 1`));

/** A numeric id in a path or query string. */
const id = decimal;

/** A numeric id in a JSON body: a number, not a numeric string. */
const bodyId = (name: string) =>
  z.number(typeMessage(name, "a number")).int(`${name} must be an integer`).positive(`${name} must be positive`);

const consumptionPeriod = z.enum(CONSUMPTION_PERIODS);

/** The consumption rules a product feature defines and a license feature may override. */
const ruleFields = {
  max_consumption: count("max_consumption"),
  allow_unlimited_consumptions: flag("allow_unlimited_consumptions"),
  allow_overages: flag("allow_overages"),
  max_overages: count("max_overages"),
  allow_negative_consumptions: flag("allow_negative_consumptions"),
  reset_consumption: flag("reset_consumption"),
  consumption_period: consumptionPeriod.nullable(),
};

/**
 * Floating settings (docs/architecture.md "Floating pools"): how many devices may hold a slot,
 * for how many minutes after their last check, and (licenses) whether and for how many hours a
 * device may borrow its slot.
 */
const floatingFields = {
  is_floating_cloud: flag("is_floating_cloud"),
  floating_users: count("floating_users").max(1_000_000, "floating_users must be at most 1000000"),
  floating_timeout: count("floating_timeout")
    .min(1, "floating_timeout must be at least 1 (minutes)")
    .max(525_600, "floating_timeout must be at most 525600 minutes (a year)"),
};
const borrowFields = {
  can_borrow: flag("can_borrow"),
  max_borrow_time: count("max_borrow_time").max(8_760, "max_borrow_time must be at most 8760 hours (a year)"),
};

/** The rules floating settings must keep together, on the values a write leaves in place (null: fine). */
export function floatingProblem(values: {
  is_floating_cloud?: boolean | null | undefined;
  floating_users?: number | null | undefined;
  can_borrow?: boolean | null | undefined;
  max_borrow_time?: number | null | undefined;
}): string | null {
  if (values.is_floating_cloud && (values.floating_users ?? 0) < 1)
    return "floating_users: a floating cloud license or feature needs at least 1";
  if (values.can_borrow && (values.max_borrow_time ?? 0) < 1) return "max_borrow_time: borrowing needs at least 1 (hours)";
  return null;
}

/** floatingProblem as a zod refinement of a body that holds every value (issuing, creating). */
function refineFloating(body: Parameters<typeof floatingProblem>[0], ctx: z.RefinementCtx): void {
  const problem = floatingProblem(body);
  if (problem) ctx.addIssue({ code: "custom", message: problem });
}

const atLeastOneField = (body: Record<string, unknown>) => Object.values(body).some((value) => value !== undefined);
const NOTHING_TO_UPDATE = "send at least one field to change";

// ---------------------------------------------------------------- paths and pagination

export const ProductPath = z.object({ product_id: id("product_id") });
export const ProductFeaturePath = z.object({ product_id: id("product_id"), feature_code: code("feature_code") });
export const LicensePath = z.object({ license_id: id("license_id") });
export const LicenseFeaturePath = z.object({ license_id: id("license_id"), feature_code: code("feature_code") });
export const DevicePath = z.object({ device_id: id("device_id") });
export const ApiKeyPath = z.object({ api_key_id: id("api_key_id") });

export const MAX_PAGE_SIZE = 200;

/** Keyset pagination: `cursor` is the `next_cursor` of the previous page (opaque to clients). */
const pagination = {
  limit: decimal("limit")
    .pipe(z.number().max(MAX_PAGE_SIZE, `limit must be at most ${MAX_PAGE_SIZE}`))
    .default(50),
  cursor: z
    .string()
    .regex(/^\d{1,16}$/, "cursor must be a next_cursor value from a previous page")
    .transform(Number)
    .pipe(z.number().max(Number.MAX_SAFE_INTEGER, "cursor must be a next_cursor value from a previous page"))
    .optional(),
};
export const PageQuery = z.object(pagination).strict();
export type PageQuery = z.infer<typeof PageQuery>;

/** A page of `item`: `next_cursor` is null on the last page. */
export const page = <T extends z.ZodTypeAny>(item: T) => z.object({ data: z.array(item), next_cursor: z.string().nullable() });

// ---------------------------------------------------------------- products and features

export const AuthorizationMethod = z.enum(["license-key", "user"]);

/** Metadata: any JSON object, answered to clients exactly as stored (license, feature and product objects). */
const metadata = z.record(z.string(), z.unknown(), typeMessage("metadata", "a JSON object"));

export const CreateProductBody = z
  .object({
    short_code: code("short_code"),
    name: text("name"),
    authorization_method: AuthorizationMethod.default("license-key"),
    company_id: bodyId("company_id").default(1),
    metadata: metadata.default({}),
  })
  .strict();

export const UpdateProductBody = z
  .object({ name: text("name").optional(), metadata: metadata.optional() })
  .strict()
  .refine(atLeastOneField, NOTHING_TO_UPDATE);
export type UpdateProductBody = z.infer<typeof UpdateProductBody>;

export const Product = z.object({
  id: z.number().int(),
  short_code: z.string(),
  name: z.string(),
  authorization_method: AuthorizationMethod,
  company_id: z.number().int(),
  created_at: z.string(),
  metadata: z.record(z.string(), z.unknown()),
});
export type Product = z.infer<typeof Product>;

const CustomFieldDataType = z.enum(["number", "text", "date/time"]);

/** A product custom field: every license of the product has it, with this value unless the license sets its own. */
export const CreateProductCustomFieldBody = z
  .object({
    name: text("name", 128),
    data_type: CustomFieldDataType.nullable().default(null),
    default_value: z.string(typeMessage("default_value", "a string")).max(1024).default(""),
  })
  .strict();
export type CreateProductCustomFieldBody = z.infer<typeof CreateProductCustomFieldBody>;

export const ProductCustomField = z.object({
  id: z.number().int(),
  product_id: z.number().int(),
  name: z.string(),
  data_type: CustomFieldDataType.nullable(),
  default_value: z.string(),
});
export type ProductCustomField = z.infer<typeof ProductCustomField>;

export const CreateProductFeatureBody = z
  .object({
    code: code("code"),
    name: text("name"),
    feature_type: z.enum(["consumption", "activation"]).default("consumption"),
    max_consumption: ruleFields.max_consumption.default(0),
    allow_unlimited_consumptions: ruleFields.allow_unlimited_consumptions.default(false),
    allow_overages: ruleFields.allow_overages.default(false),
    max_overages: ruleFields.max_overages.default(0),
    allow_negative_consumptions: ruleFields.allow_negative_consumptions.default(false),
    reset_consumption: ruleFields.reset_consumption.default(false),
    consumption_period: ruleFields.consumption_period.default(null),
    metadata: metadata.default({}),
    is_floating_cloud: floatingFields.is_floating_cloud.default(false),
    floating_users: floatingFields.floating_users.default(0),
    floating_timeout: floatingFields.floating_timeout.default(120),
  })
  .strict()
  .superRefine(refineFloating);
export type CreateProductFeatureBody = z.infer<typeof CreateProductFeatureBody>;

/** New defaults for a product feature; licenses that do not override a value follow within 60 seconds (docs/architecture.md "What each layer remembers"). */
export const UpdateProductFeatureBody = z
  .object({
    name: text("name").optional(),
    max_consumption: ruleFields.max_consumption.optional(),
    allow_unlimited_consumptions: ruleFields.allow_unlimited_consumptions.optional(),
    allow_overages: ruleFields.allow_overages.optional(),
    max_overages: ruleFields.max_overages.optional(),
    allow_negative_consumptions: ruleFields.allow_negative_consumptions.optional(),
    reset_consumption: ruleFields.reset_consumption.optional(),
    consumption_period: ruleFields.consumption_period.optional(),
    metadata: metadata.optional(),
    is_floating_cloud: floatingFields.is_floating_cloud.optional(),
    floating_users: floatingFields.floating_users.optional(),
    floating_timeout: floatingFields.floating_timeout.optional(),
  })
  .strict()
  .refine(atLeastOneField, NOTHING_TO_UPDATE);
export type UpdateProductFeatureBody = z.infer<typeof UpdateProductFeatureBody>;

export const ProductFeature = z.object({
  id: z.number().int(),
  product_id: z.number().int(),
  code: z.string(),
  name: z.string(),
  feature_type: z.enum(["consumption", "activation"]),
  ...ruleFields,
  metadata: z.record(z.string(), z.unknown()),
  ...floatingFields,
});
export type ProductFeature = z.infer<typeof ProductFeature>;

// ---------------------------------------------------------------- licenses

/** Per-license values: each one overrides the product default; null (or absent) inherits it. */
const overrideFields = {
  max_consumption: ruleFields.max_consumption.nullable().optional(),
  allow_unlimited_consumptions: ruleFields.allow_unlimited_consumptions.nullable().optional(),
  allow_overages: ruleFields.allow_overages.nullable().optional(),
  max_overages: ruleFields.max_overages.nullable().optional(),
  allow_negative_consumptions: ruleFields.allow_negative_consumptions.nullable().optional(),
  reset_consumption: ruleFields.reset_consumption.nullable().optional(),
  consumption_period: ruleFields.consumption_period.optional(),
  expiry_date: instant("expiry_date").nullable().optional(),
  metadata: metadata.nullable().optional(),
  is_floating_cloud: floatingFields.is_floating_cloud.nullable().optional(),
  floating_users: floatingFields.floating_users.nullable().optional(),
  floating_timeout: floatingFields.floating_timeout.nullable().optional(),
};

export const LicenseFeatureOverrides = z.object(overrideFields).strict();
export type LicenseFeatureOverrides = z.infer<typeof LicenseFeatureOverrides>;

export const UpdateLicenseFeatureBody = LicenseFeatureOverrides.refine(atLeastOneField, NOTHING_TO_UPDATE);

const LicenseUserInput = z
  .object({
    username: z.email(typeMessage("username", "an e-mail address")).max(256, "username must be at most 256 characters"),
    password: z.string(typeMessage("password", "a string")).min(8, "password must be at least 8 characters").max(256).optional(),
    first_name: z.string(typeMessage("first_name", "a string")).max(256).default(""),
    last_name: z.string(typeMessage("last_name", "a string")).max(256).default(""),
    phone_number: z.string(typeMessage("phone_number", "a string")).max(256).default(""),
  })
  .strict();

const customerText = (name: string) =>
  z.string(typeMessage(name, "a string")).max(256, `${name} must be at most 256 characters`).default("");

/**
 * The customer a license was sold to (answered as the license's `customer`; customer_license_users
 * finds a customer's licenses by `email`). Absent fields are "".
 */
export const CustomerInput = z
  .object({
    email: z.union([z.email(typeMessage("email", "an e-mail address")).max(256), z.literal("")]).default(""),
    first_name: customerText("first_name"),
    last_name: customerText("last_name"),
    company_name: customerText("company_name"),
    phone: customerText("phone"),
    reference: customerText("reference"),
    address: customerText("address"),
    city: customerText("city"),
    postcode: customerText("postcode"),
    state: customerText("state"),
    country: customerText("country"),
    metadata: metadata.default({}),
  })
  .strict();
export type CustomerInput = z.infer<typeof CustomerInput>;

export const Customer = z.object({
  email: z.string(),
  first_name: z.string(),
  last_name: z.string(),
  company_name: z.string(),
  phone: z.string(),
  reference: z.string(),
  address: z.string(),
  city: z.string(),
  postcode: z.string(),
  state: z.string(),
  country: z.string(),
  metadata: z.record(z.string(), z.unknown()),
});

/** A license's details the SDK shows (metadata, order reference, user limit, trial marking), shared by issuing and PATCH. */
const licenseDetailFields = {
  metadata,
  order_store_id: text("order_store_id").nullable(),
  max_license_users: count("max_license_users"),
  is_trial: flag("is_trial"),
  trial_days: count("trial_days"),
};

/** License-level consumption (license_type "consumption"): the license's own counter. */
const licenseConsumptionFields = {
  max_consumptions: count("max_consumptions"),
  allow_unlimited_consumptions: ruleFields.allow_unlimited_consumptions,
  allow_overages: ruleFields.allow_overages,
  max_overages: ruleFields.max_overages,
  allow_negative_consumptions: ruleFields.allow_negative_consumptions,
  reset_consumption: ruleFields.reset_consumption,
  consumption_period: ruleFields.consumption_period,
};

export const LicenseConsumptionInput = z
  .object({
    max_consumptions: licenseConsumptionFields.max_consumptions.default(0),
    allow_unlimited_consumptions: licenseConsumptionFields.allow_unlimited_consumptions.default(false),
    allow_overages: licenseConsumptionFields.allow_overages.default(false),
    max_overages: licenseConsumptionFields.max_overages.default(0),
    allow_negative_consumptions: licenseConsumptionFields.allow_negative_consumptions.default(false),
    reset_consumption: licenseConsumptionFields.reset_consumption.default(false),
    consumption_period: licenseConsumptionFields.consumption_period.default(null),
  })
  .strict();
export type LicenseConsumptionInput = z.infer<typeof LicenseConsumptionInput>;

export const UpdateLicenseConsumptionBody = z
  .object({
    max_consumptions: licenseConsumptionFields.max_consumptions.optional(),
    allow_unlimited_consumptions: licenseConsumptionFields.allow_unlimited_consumptions.optional(),
    allow_overages: licenseConsumptionFields.allow_overages.optional(),
    max_overages: licenseConsumptionFields.max_overages.optional(),
    allow_negative_consumptions: licenseConsumptionFields.allow_negative_consumptions.optional(),
    reset_consumption: licenseConsumptionFields.reset_consumption.optional(),
    consumption_period: licenseConsumptionFields.consumption_period.optional(),
  })
  .strict()
  .refine(atLeastOneField, NOTHING_TO_UPDATE);
export type UpdateLicenseConsumptionBody = z.infer<typeof UpdateLicenseConsumptionBody>;

/** A consumption license's own counter: its rules and the live total. */
export const LicenseConsumption = z.object({
  ...licenseConsumptionFields,
  total_consumptions: z.number().int(),
  period_start: z.string().nullable(),
});
export type LicenseConsumption = z.infer<typeof LicenseConsumption>;

/** What issuing a license and importing one both take, with the same defaults and rules. */
const issuedLicenseFields = {
  enabled: flag("enabled").default(true),
  license_type: z.enum(["perpetual", "time-limited", "consumption", "subscription"]).default("perpetual"),
  validity_period: instant("validity_period").nullable().default(null),
  max_activations: count("max_activations").min(1, "max_activations must be at least 1").default(1),
  allow_unlimited_activations: flag("allow_unlimited_activations").default(false),
  /** Per-feature values by feature code; every product feature is on the license either way. */
  features: z.record(code("feature code"), LicenseFeatureOverrides).default({}),
  /** License-level consumption; only for license_type "consumption". */
  consumption: LicenseConsumptionInput.optional(),
  metadata: licenseDetailFields.metadata.default({}),
  order_store_id: licenseDetailFields.order_store_id.default(null),
  /** User-based licenses: at most this many users (0: no limit). */
  max_license_users: licenseDetailFields.max_license_users.default(0),
  is_trial: licenseDetailFields.is_trial.default(false),
  trial_days: licenseDetailFields.trial_days.default(0),
  customer: CustomerInput.nullable().default(null),
  /** Values of the product's custom fields, by name; the others keep the product default. */
  custom_fields: z.record(text("custom field name", 128), z.string(typeMessage("custom field value", "a string")).max(1024)).default({}),
  /** Floating cloud: every check takes one of floating_users slots for floating_timeout minutes. */
  is_floating_cloud: floatingFields.is_floating_cloud.default(false),
  floating_users: floatingFields.floating_users.default(0),
  floating_timeout: floatingFields.floating_timeout.default(120),
  /** A device may keep its slot (and its floating features' slots) offline for up to max_borrow_time hours. */
  can_borrow: borrowFields.can_borrow.default(false),
  max_borrow_time: borrowFields.max_borrow_time.default(0),
};

/** consumption belongs to consumption licenses only (issue and import). */
const consumptionOnlyOnConsumptionLicenses = (body: { consumption?: unknown; license_type: string }, ctx: z.RefinementCtx): void => {
  if (body.consumption !== undefined && body.license_type !== "consumption")
    ctx.addIssue({ code: "custom", message: 'consumption is only for license_type "consumption"', path: ["consumption"] });
};

export const IssueLicenseBody = z
  .object({
    product_id: bodyId("product_id"),
    /** Key-based products: the key to issue; generated (XXXX-XXXX-XXXX-XXXX) when absent. */
    license_key: text("license_key", 128)
      .regex(/^[A-Za-z0-9-]+$/, 'license_key may contain letters, digits and "-"')
      .optional(),
    /** User-based products: at least one user. */
    users: z.array(LicenseUserInput).min(1, "users must name at least one user").max(100).optional(),
    ...issuedLicenseFields,
  })
  .strict()
  .superRefine(consumptionOnlyOnConsumptionLicenses)
  .superRefine(refineFloating);
export type IssueLicenseBody = z.infer<typeof IssueLicenseBody>;

/**
 * Changes a license's details. `customer` replaces the whole customer (null removes it);
 * `custom_fields` sets values by name (null goes back to the product default).
 */
export const UpdateLicenseBody = z
  .object({
    metadata: licenseDetailFields.metadata.optional(),
    order_store_id: licenseDetailFields.order_store_id.optional(),
    max_license_users: licenseDetailFields.max_license_users.optional(),
    is_trial: licenseDetailFields.is_trial.optional(),
    trial_days: licenseDetailFields.trial_days.optional(),
    customer: CustomerInput.nullable().optional(),
    custom_fields: z
      .record(text("custom field name", 128), z.string(typeMessage("custom field value", "a string")).max(1024).nullable())
      .optional(),
    is_floating_cloud: floatingFields.is_floating_cloud.optional(),
    floating_users: floatingFields.floating_users.optional(),
    floating_timeout: floatingFields.floating_timeout.optional(),
    can_borrow: borrowFields.can_borrow.optional(),
    max_borrow_time: borrowFields.max_borrow_time.optional(),
  })
  .strict()
  .refine(atLeastOneField, NOTHING_TO_UPDATE);
export type UpdateLicenseBody = z.infer<typeof UpdateLicenseBody>;

export const ListLicensesQuery = z
  .object({
    ...pagination,
    product_id: id("product_id").optional(),
    license_key: text("license_key", 128).optional(),
    username: text("username").optional(),
    enabled: z
      .enum(["true", "false"])
      .transform((value) => value === "true")
      .optional(),
  })
  .strict();
export type ListLicensesQuery = z.infer<typeof ListLicensesQuery>;

export const License = z.object({
  id: z.number().int(),
  product_id: z.number().int(),
  product_short_code: z.string(),
  license_key: z.string().nullable(),
  users: z.array(z.string()),
  enabled: z.boolean(),
  active: z.boolean(),
  license_type: z.string(),
  validity_period: z.string().nullable(),
  max_activations: z.number().int(),
  allow_unlimited_activations: z.boolean(),
  created_at: z.string(),
  metadata: z.record(z.string(), z.unknown()),
  order_store_id: z.string().nullable(),
  max_license_users: z.number().int(),
  is_trial: z.boolean(),
  trial_days: z.number().int(),
  ...floatingFields,
  ...borrowFields,
});
export type License = z.infer<typeof License>;

/** A device holding a slot of a floating pool (license or feature), and until when. */
export const FloatingDevice = z.object({
  hardware_id: z.string(),
  /** When the slot frees unless the device checks in again (or its borrow ends later). */
  in_use_until: z.string(),
  /** When the device's borrow ends; null when it has not borrowed the slot. */
  borrowed_until: z.string().nullable(),
});
export type FloatingDevice = z.infer<typeof FloatingDevice>;

/** A feature on one license: effective values, what the license overrides, and the live total. */
export const LicenseFeature = z.object({
  id: z.number().int(),
  license_id: z.number().int(),
  product_feature_id: z.number().int(),
  code: z.string(),
  name: z.string(),
  feature_type: z.enum(["consumption", "activation"]),
  ...ruleFields,
  expiry_date: z.string().nullable(),
  /** The counter object's live total (after any periodic reset that is due); null for activation features. */
  total_consumptions: z.number().int().nullable(),
  /** The start of the current consumption period, when the feature resets periodically. */
  period_start: z.string().nullable(),
  /** The license's own metadata for the feature, else the product feature's. */
  metadata: z.record(z.string(), z.unknown()),
  ...floatingFields,
  /** Floating features: the devices holding a slot now (empty otherwise). */
  floating_devices: z.array(FloatingDevice),
  overrides: z.object({
    max_consumption: z.number().int().nullable(),
    allow_unlimited_consumptions: z.boolean().nullable(),
    allow_overages: z.boolean().nullable(),
    max_overages: z.number().int().nullable(),
    allow_negative_consumptions: z.boolean().nullable(),
    reset_consumption: z.boolean().nullable(),
    consumption_period: consumptionPeriod.nullable(),
    metadata: z.record(z.string(), z.unknown()).nullable(),
    is_floating_cloud: z.boolean().nullable(),
    floating_users: z.number().int().nullable(),
    floating_timeout: z.number().int().nullable(),
  }),
});
export type LicenseFeature = z.infer<typeof LicenseFeature>;

export const LicenseDetail = License.extend({
  features: z.array(LicenseFeature),
  /** License-level consumption with its live total; null unless license_type is "consumption". */
  consumption: LicenseConsumption.nullable(),
  customer: Customer.nullable(),
  /** Every custom field of the product, with the license's value (or the product default). */
  custom_fields: z.array(z.object({ name: z.string(), data_type: CustomFieldDataType.nullable(), value: z.string() })),
  /** Floating cloud licenses: the devices holding a slot now (empty otherwise). */
  floating_devices: z.array(FloatingDevice),
  /** The license users (user-based licenses), as the License API shows them. */
  license_users: z.array(
    z.object({
      username: z.string(),
      first_name: z.string(),
      last_name: z.string(),
      phone_number: z.string(),
      is_initial_password: z.boolean(),
    }),
  ),
});
export type LicenseDetail = z.infer<typeof LicenseDetail>;

// ---------------------------------------------------------------- devices

export const Device = z.object({
  id: z.number().int(),
  license_id: z.number().int(),
  hardware_id: z.string(),
  active: z.boolean(),
  blacklisted: z.boolean(),
  created_at: z.string(),
});
export type Device = z.infer<typeof Device>;

/** A variable a device reported (track_device_variables or activate_license). */
export const DeviceVariable = z.object({
  id: z.number().int(),
  device_id: z.number().int(),
  variable: z.string(),
  value: z.string(),
  /** When the current value was written. */
  created_at: z.string(),
});
export type DeviceVariable = z.infer<typeof DeviceVariable>;

// ---------------------------------------------------------------- License API keys

export const CreateApiKeyBody = z
  .object({
    read_only: flag("read_only").default(false),
    /** The company whose products the key reaches (docs/protocol.md "API keys belong to a company"). */
    company_id: bodyId("company_id").default(1),
    /** Limits the key to these products of its company; absent: every product of the company. */
    product_ids: z
      .array(bodyId("product_ids item"), typeMessage("product_ids", "an array of product ids"))
      .min(1, "product_ids must name at least one product (leave it out to allow every product of the company)")
      .max(100, "product_ids may name at most 100 products")
      .transform((ids) => [...new Set(ids)].sort((a, b) => a - b))
      .optional(),
  })
  .strict();

export const ApiKey = z.object({
  id: z.number().int(),
  api_key: z.string(),
  company_id: z.number().int(),
  /** null: every product of the company. */
  product_ids: z.array(z.number().int()).nullable(),
  read_only: z.boolean(),
  revoked: z.boolean(),
  created_at: z.string(),
});
export type ApiKey = z.infer<typeof ApiKey>;

/** Only the creating response carries the shared key; it is never shown again. */
export const CreatedApiKey = ApiKey.extend({ shared_key: z.string() });

// ---------------------------------------------------------------- audit log

const auditFilters = {
  license_id: id("license_id").optional(),
  license_feature_id: id("license_feature_id").optional(),
  feature: code("feature").optional(),
  hardware_id: text("hardware_id").optional(),
  event: z.enum(MANAGEMENT_AUDIT_EVENTS).optional(),
  from: instant("from").optional(),
  to: instant("to").optional(),
};

/** Filters (all optional, combined with AND); `from` inclusive, `to` exclusive. */
export const AuditQuery = z.object({ ...pagination, ...auditFilters }).strict();
export type AuditQuery = z.infer<typeof AuditQuery>;
export const AuditCsvQuery = z.object(auditFilters).strict();
export type AuditFilters = z.infer<typeof AuditCsvQuery>;

export const AuditEntry = z.object({
  id: z.number().int(),
  event_id: z.string(),
  license_id: z.number().int(),
  license_feature_id: z.number().int().nullable(),
  feature_code: z.string().nullable(),
  hardware_id: z.string().nullable(),
  consumptions: z.number().int(),
  total_after: z.number().int(),
  event: z.string(),
  api_key_id: z.number().int().nullable(),
  created_at: z.string(),
});
export type AuditEntry = z.infer<typeof AuditEntry>;

// ---------------------------------------------------------------- bulk imports (docs/migration.md)

/**
 * An id kept from LicenseSpring (its license ids have 16 digits): clients that stored a license
 * send its id back as `license_id`, so an imported license keeps it. Up to 2^53 − 1.
 */
const keptId = (name: string) =>
  z
    .number(typeMessage(name, "a number"))
    // zod's int() takes safe integers only: a bigger id would not survive JSON in JavaScript clients.
    .int(`${name} must be an integer of at most 2^53 - 1`)
    .positive(`${name} must be positive`);

/** An API key clients already use, with the shared key they sign with: both kept as they are. */
export const ImportApiKeyRow = z
  .object({
    api_key: text("api_key"),
    shared_key: text("shared_key"),
    company_id: CreateApiKeyBody.shape.company_id,
    product_ids: CreateApiKeyBody.shape.product_ids,
    read_only: CreateApiKeyBody.shape.read_only,
  })
  .strict();
export type ImportApiKeyRow = z.infer<typeof ImportApiKeyRow>;

/**
 * A license user as exported: the username clients send (not checked to be an e-mail address),
 * and the password if the vendor has it (LicenseSpring shows a user's initial password, never one
 * the user chose); stored as a PBKDF2 hash. Without one the user cannot activate with a password
 * until a later import row supplies it.
 */
const ImportLicenseUser = z
  .object({
    username: text("username"),
    password: z.string(typeMessage("password", "a string")).min(1, "password must not be empty").max(256).optional(),
    is_initial_password: flag("is_initial_password").default(true),
    first_name: z.string(typeMessage("first_name", "a string")).max(256).default(""),
    last_name: z.string(typeMessage("last_name", "a string")).max(256).default(""),
    phone_number: z.string(typeMessage("phone_number", "a string")).max(256).default(""),
  })
  .strict();

/** A license with what the management API issues (customer, users, feature values, custom fields), keeping its id and key. */
export const ImportLicenseRow = z
  .object({
    /** The license's id in LicenseSpring: kept, because clients send it back as license_id. */
    id: keptId("id"),
    /** The product's short code (the product and its features are created here first). */
    product: code("product"),
    /** Key-based products: the key clients have (kept exactly). */
    license_key: text("license_key").optional(),
    /** User-based products: at least one user. */
    users: z.array(ImportLicenseUser).min(1, "users must name at least one user").max(100).optional(),
    ...issuedLicenseFields,
    /** When the license was created in LicenseSpring: a user with several licenses of a product gets the newest. */
    created_at: instant("created_at").optional(),
  })
  .strict()
  .superRefine(consumptionOnlyOnConsumptionLicenses)
  .superRefine(refineFloating);
export type ImportLicenseRow = z.infer<typeof ImportLicenseRow>;

/** A device activated on a license (LicenseSpring: the license device, with `device_active` and `blacklisted`). */
export const ImportDeviceRow = z
  .object({
    license_id: keptId("license_id"),
    hardware_id: text("hardware_id"),
    active: flag("active").default(true),
    blacklisted: flag("blacklisted").default(false),
    /** When it was first activated (LicenseSpring's time_activated); default: now. */
    created_at: instant("created_at").optional(),
  })
  .strict();
export type ImportDeviceRow = z.infer<typeof ImportDeviceRow>;

/** A counter's current total: a license feature's (`feature`), or a consumption license's own (no `feature`). */
export const ImportTotalRow = z
  .object({
    license_id: keptId("license_id"),
    feature: code("feature").nullable().default(null),
    total: z
      .number(typeMessage("total", "a number"))
      .int("total must be an integer of at most 2^53 - 1")
      .min(0, "total must not be negative"),
  })
  .strict();
export type ImportTotalRow = z.infer<typeof ImportTotalRow>;

/** What an import answers: the same for a retry of the same rows (nothing is imported twice). */
const importSummary = <K extends string, T extends z.ZodRawShape>(kind: K, result: T) =>
  z.object({
    kind: z.literal(kind),
    rows: z.number().int(),
    results: z.array(z.object({ row: z.number().int(), ...result })),
  });

export const ImportApiKeysSummary = importSummary("api_keys", { id: z.number().int(), api_key: z.string() });
export const ImportLicensesSummary = importSummary("licenses", { id: z.number().int() });
export const ImportDevicesSummary = importSummary("devices", {
  id: z.number().int(),
  license_id: z.number().int(),
  hardware_id: z.string(),
});
export const ImportTotalsSummary = importSummary("totals", {
  license_id: z.number().int(),
  feature: z.string().nullable(),
  total: z.number().int(),
});

// ---------------------------------------------------------------- errors

/** Every error, management or License API: the documented body. */
export const ErrorBody = z.object({ status: z.number().int(), code: z.string(), message: z.string() });

/** A failed import: `errors` names every bad row (1-based number, field, message); nothing was imported. */
export const ImportErrorBody = ErrorBody.extend({
  errors: z.array(z.object({ row: z.number().int(), field: z.string().nullable(), message: z.string() })).optional(),
});
