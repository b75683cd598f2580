/**
 * A license of a product: a key (key-based products) or license users (user-based), its terms
 * (type, validity, activations), details the SDK shows (metadata, order reference, user limit,
 * trial marking), its customer, custom field values, feature overrides and floating settings.
 */
import { z } from "zod";
import { typeMessage } from "../license-api/schemas";
import { bodyId, changes, code, count, decimal, flag, instant, metadata, metadataResource, resourceId, text, warnings } from "./fields";
import { CustomerInput, CustomerResource } from "./customer";
import { FeatureOverridesInput, FloatingDeviceResource, LicenseFeatureResource } from "./license-feature";
import { LicenseConsumptionInput, LicenseConsumptionResource } from "./license-consumption";
import { LicenseUserInput, LicenseUserResource } from "./license-user";
import { urlValueTypes } from "../openapi/url-value-types";
import { pagination } from "./page";
import { CustomFieldValueResource, customFieldValue, customFieldValues } from "./product-custom-field";
import { borrowFields, floatingFields } from "./rule-fields";
import { floatingProblem, settingsProblem, type Settings } from "./unworkable-settings";

export const LicenseType = z.enum(["perpetual", "time-limited", "consumption", "subscription"]).meta({ id: "LicenseType" });
export type LicenseType = z.infer<typeof LicenseType>;

export const LicensePath = z.object({ license_id: decimal("license_id") });

/** A license's details the SDK shows (metadata, order reference, user limit, trial marking). */
const detailFields = {
  metadata,
  order_store_id: text("order_store_id").nullable(),
  /** User-based licenses: at most this many users (0: no limit). */
  max_license_users: count("max_license_users"),
  is_trial: flag("is_trial"),
  trial_days: count("trial_days"),
};

/**
 * A license's terms: its type, until when it is valid (null: no end) and how many devices may
 * activate it. Set when it is issued or imported, changed with PATCH (docs/management-api.md
 * "Changing license terms": a consumption license stays one).
 */
const termFields = {
  license_type: LicenseType,
  validity_period: instant("validity_period").nullable(),
  max_activations: count("max_activations").min(1, "max_activations must be at least 1"),
  allow_unlimited_activations: flag("allow_unlimited_activations"),
};

/**
 * Entitlement dates and policies (docs/protocol.md "Entitlement dates and policies"): what
 * LicenseSpring's SDKs read, enforced by the server where it can be (start_date, prevent_vm, the
 * grace period, allow_offline_activation, max_transfers) and reported for the client to act on
 * (maintenance_period).
 */
export const entitlementFields = {
  /** No activation before this instant; devices activated earlier keep working. */
  start_date: instant("start_date").nullable(),
  /** When the license's maintenance (updates, support) ends; the SDK reports the days left. */
  maintenance_period: instant("maintenance_period").nullable(),
  /** No activation from a client that says it runs in a virtual machine (`is_vm`). */
  prevent_vm: flag("prevent_vm"),
  /** With allow_grace_period, the license stays valid grace_period hours past validity_period. */
  allow_grace_period: flag("allow_grace_period"),
  grace_period: count("grace_period").max(87_600, "grace_period must be at most 87600 hours (10 years)"),
  /** activate_offline may activate the license (LicenseSpring's default: yes). */
  allow_offline_activation: flag("allow_offline_activation"),
  /** Device transfers: 0 no limit, -1 none (the first device keeps the license), N at most N. */
  max_transfers: z
    .number(typeMessage("max_transfers", "a number"))
    .int("max_transfers must be an integer")
    .min(-1, "max_transfers must be -1 (no transfers), 0 (no limit) or a positive limit"),
};

/** What issuing a license and importing one both take, with the same defaults and rules. */
export const licenseTermsFields = {
  enabled: flag("enabled").default(true),
  license_type: termFields.license_type.default("perpetual"),
  validity_period: termFields.validity_period.default(null),
  max_activations: termFields.max_activations.default(1),
  allow_unlimited_activations: termFields.allow_unlimited_activations.default(false),
  /** Per-feature values by feature code; every product feature is on the license either way. */
  features: z.record(code("feature code"), FeatureOverridesInput).default({}),
  /** License-level consumption; only for license_type "consumption". */
  consumption: LicenseConsumptionInput.optional(),
  metadata: detailFields.metadata.default({}),
  order_store_id: detailFields.order_store_id.default(null),
  max_license_users: detailFields.max_license_users.default(0),
  is_trial: detailFields.is_trial.default(false),
  trial_days: detailFields.trial_days.default(0),
  /** Who the license is sold to: found by e-mail among the company's customers, or created (src/models/customer.ts). */
  customer: CustomerInput.nullable().default(null),
  /** Values of the product's custom fields, by name; the others keep the product default. */
  custom_fields: customFieldValues(customFieldValue).default({}),
  /** Floating cloud: every check takes one of floating_users slots for floating_timeout minutes. */
  is_floating_cloud: floatingFields.is_floating_cloud.default(false),
  floating_users: floatingFields.floating_users.default(0),
  floating_timeout: floatingFields.floating_timeout.default(120),
  /** A device may keep its slot (and its floating features' slots) offline for up to max_borrow_time hours. */
  can_borrow: borrowFields.can_borrow.default(false),
  max_borrow_time: borrowFields.max_borrow_time.default(0),
  start_date: entitlementFields.start_date.default(null),
  maintenance_period: entitlementFields.maintenance_period.default(null),
  prevent_vm: entitlementFields.prevent_vm.default(false),
  allow_grace_period: entitlementFields.allow_grace_period.default(false),
  grace_period: entitlementFields.grace_period.default(0),
  allow_offline_activation: entitlementFields.allow_offline_activation.default(true),
  max_transfers: entitlementFields.max_transfers.default(0),
};
/** The terms of a license being issued or imported, as validated. */
export type LicenseTerms = z.output<z.ZodObject<typeof licenseTermsFields>>;

/** `consumption` (a consumption license's own counter) only with license_type "consumption". */
function refineConsumption(body: { consumption?: unknown; license_type?: string | undefined }, ctx: z.RefinementCtx): void {
  if (body.consumption !== undefined && body.license_type !== "consumption")
    ctx.addIssue({ code: "custom", message: 'consumption is only for license_type "consumption"', path: ["consumption"] });
}

/** A license names its customer by id or by `customer`, not both. */
function refineCustomer(body: { customer?: unknown; customer_id?: unknown }, ctx: z.RefinementCtx): void {
  if (body.customer !== undefined && body.customer !== null && body.customer_id !== undefined && body.customer_id !== null)
    ctx.addIssue({
      code: "custom",
      message: "send customer_id (an existing customer) or customer (found by e-mail, or created), not both",
    });
}

/** Floating settings turned on with nothing behind them (./unworkable-settings.ts). */
function refineFloating(body: Settings, ctx: z.RefinementCtx): void {
  const floating = floatingProblem(body);
  if (floating) ctx.addIssue({ code: "custom", message: floating.message, path: [floating.field] });
}

/**
 * The refinements every issued or imported license keeps: consumption on consumption licenses only;
 * a customer named once; floating settings together.
 */
export function refineLicenseTerms<T extends z.ZodType<{ consumption?: unknown; license_type: string; customer?: unknown } & Settings>>(
  schema: T,
) {
  return schema.superRefine(refineConsumption).superRefine(refineCustomer).superRefine(refineFloating);
}

/**
 * What issuing refuses beyond what importing does (imports carry licenses as LicenseSpring held
 * them): settings of the license and of its own counter that cannot work (./unworkable-settings.ts).
 * `derived`: fields the license gets from elsewhere, left out of the check (a trial's validity_period
 * comes from trial_days at its first activation).
 */
export const refineIssuedSettings =
  (derived: ReadonlyArray<keyof Settings> = []) =>
  (body: Settings & { consumption?: Settings | undefined }, ctx: z.RefinementCtx): void => {
    const problem = settingsProblem(body, (field) => !derived.includes(field));
    if (problem) ctx.addIssue({ code: "custom", message: problem.message, path: [problem.field] });
    const counter = body.consumption && settingsProblem(body.consumption, () => true);
    if (counter) ctx.addIssue({ code: "custom", message: counter.message, path: ["consumption", counter.field] });
  };

export const IssueLicenseBody = refineLicenseTerms(
  z
    .object({
      product_id: bodyId("product_id"),
      /** Key-based products: the key to issue; generated (XXXX-XXXX-XXXX-XXXX) when absent. */
      license_key: text("license_key", 128)
        .regex(/^[A-Za-z0-9-]+$/, 'license_key may contain letters, digits and "-"')
        .optional(),
      /** User-based products: at least one user. */
      users: z.array(LicenseUserInput).min(1, "users must name at least one user").max(100).optional(),
      ...licenseTermsFields,
      /** An existing customer of the product's company (instead of `customer`). */
      customer_id: bodyId("customer_id").optional(),
    })
    .strict(),
).superRefine(refineIssuedSettings());
export type IssueLicenseBody = z.infer<typeof IssueLicenseBody>;

/**
 * Changes a license: its terms (type, validity, activations; a type change to "consumption" may
 * bring the license counter's rules in `consumption`), details, customer, custom field values and
 * floating settings. `customer_id` links an existing customer (null: none); `customer` links the
 * company's customer with that e-mail, changing the fields sent, or a new one (null: none);
 * `custom_fields` sets values by name (null goes back to the product default).
 */
export const UpdateLicenseBody = changes({
  ...termFields,
  consumption: LicenseConsumptionInput,
  ...detailFields,
  customer: CustomerInput.nullable(),
  customer_id: bodyId("customer_id").nullable(),
  custom_fields: customFieldValues(customFieldValue.nullable()),
  ...floatingFields,
  ...borrowFields,
  ...entitlementFields,
})
  .superRefine(refineConsumption)
  .superRefine(refineCustomer);
export type UpdateLicenseBody = z.infer<typeof UpdateLicenseBody>;

/**
 * Licenses by product, exact key, user (case-insensitive), enabled state, customer, archived state
 * (default: not archived; "any": both), and `q`: a part of the key, of a user's name, or of the
 * customer's e-mail, name or company name (case-insensitive for ASCII letters).
 */
export const ListLicensesQuery = z
  .object({
    ...pagination,
    product_id: decimal("product_id").optional(),
    license_key: text("license_key", 128).optional(),
    username: text("username").optional(),
    enabled: z
      .enum(["true", "false"])
      .transform((value) => value === "true")
      .register(urlValueTypes, { type: "boolean" })
      .optional(),
    customer_id: decimal("customer_id").optional(),
    archived: z.enum(["true", "false", "any"]).default("false"),
    q: text("q", 128).optional(),
  })
  .strict();
export type ListLicensesQuery = z.infer<typeof ListLicensesQuery>;

export const LicenseResource = z
  .object({
    id: resourceId(),
    product_id: resourceId(),
    product_short_code: z.string(),
    license_key: z.string().nullable(),
    users: z.array(z.string()),
    enabled: z.boolean(),
    active: z.boolean(),
    license_type: LicenseType,
    validity_period: z.string().nullable(),
    max_activations: z.number().int(),
    allow_unlimited_activations: z.boolean(),
    created_at: z.string(),
    metadata: metadataResource,
    order_store_id: z.string().nullable(),
    max_license_users: z.number().int(),
    is_trial: z.boolean(),
    trial_days: z.number().int(),
    ...floatingFields,
    ...borrowFields,
    /** The license's customer (GET /api/v1/customers/{customer_id}); null: none. */
    customer_id: resourceId().nullable(),
    /** When the license was archived; null: it is not. An archived license is disabled and frozen until restored. */
    archived_at: z.string().nullable(),
    start_date: z.string().nullable(),
    maintenance_period: z.string().nullable(),
    prevent_vm: z.boolean(),
    allow_grace_period: z.boolean(),
    grace_period: z.number().int(),
    allow_offline_activation: z.boolean(),
    max_transfers: z.number().int(),
    /** Times the license moved to another device (deactivated on one, activated on another). */
    transfer_count: z.number().int(),
  })
  .meta({ id: "License" });
export type LicenseResource = z.infer<typeof LicenseResource>;

export const LicenseDetailResource = LicenseResource.extend({
  features: z.array(LicenseFeatureResource),
  /** License-level consumption with its live total; null unless license_type is "consumption". */
  consumption: LicenseConsumptionResource.nullable(),
  customer: CustomerResource.nullable(),
  /** Every custom field of the product, with the license's value (or the product default). */
  custom_fields: z.array(CustomFieldValueResource),
  /** Floating cloud licenses: the devices holding a slot now (empty otherwise). */
  floating_devices: z.array(FloatingDeviceResource),
  /** The license users (user-based licenses), as the License API shows them. */
  license_users: z.array(LicenseUserResource),
  /** The license's own (its features and consumption have theirs). */
  warnings,
}).meta({ id: "LicenseDetail" });
export type LicenseDetailResource = z.infer<typeof LicenseDetailResource>;
