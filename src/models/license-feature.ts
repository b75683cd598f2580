/**
 * A feature on one license: the product feature's values, each overridden where the license has
 * its own (its overrides), and the live state of its counter and floating pool.
 *
 * The overridable values are written once (`overridable`): the override input (issue, import,
 * PATCH), the `overrides` answered, and the license_features columns (src/db/license-features.ts)
 * all come from it.
 */
import { z } from "zod";
import { code, decimal, instant, metadata, metadataResource, resourceId, warnings } from "./fields";
import { FeatureType } from "./product-feature";
import { floatingFields, ruleFields } from "./rule-fields";

export const LicenseFeaturePath = z.object({ license_id: decimal("license_id"), feature_code: code("feature_code") });

/** The product feature's values a license feature may override; null (or absent) inherits the product's. */
export const overridable = { ...ruleFields, metadata, ...floatingFields };
export type OverridableField = keyof typeof overridable;
export const OVERRIDABLE_FIELDS = Object.keys(overridable) as OverridableField[];

/**
 * A license feature's own values, as issuing, importing and PATCH take them: each overridable value
 * (null inherits the product's), and the feature's expiry date, which only license features have.
 */
export const FeatureOverridesInput = z
  .object(nullable(overridable))
  .extend({ expiry_date: instant("expiry_date").nullable() })
  .partial()
  .strict();
export type FeatureOverridesInput = z.infer<typeof FeatureOverridesInput>;

export const UpdateLicenseFeatureBody = FeatureOverridesInput.refine(
  (body: Record<string, unknown>) => Object.values(body).some((value) => value !== undefined),
  "send at least one field to change",
);

/** What the license overrides, as answered: null where it inherits the product feature's value. */
export const FeatureOverridesResource = z.object(nullable({ ...overridable, metadata: metadataResource })).meta({ id: "FeatureOverrides" });
export type FeatureOverridesResource = z.infer<typeof FeatureOverridesResource>;

/** A device holding a slot of a floating pool (license or feature), and until when. */
export const FloatingDeviceResource = z
  .object({
    hardware_id: z.string(),
    /** When the slot frees unless the device checks in again (or its borrow ends later). */
    in_use_until: z.string(),
    /** When the device's borrow ends; null when it has not borrowed the slot. */
    borrowed_until: z.string().nullable(),
  })
  .meta({ id: "FloatingDevice" });
export type FloatingDeviceResource = z.infer<typeof FloatingDeviceResource>;

export const LicenseFeatureResource = z
  .object({
    id: resourceId(),
    license_id: resourceId(),
    product_feature_id: resourceId(),
    code: z.string(),
    name: z.string(),
    feature_type: FeatureType,
    ...ruleFields,
    expiry_date: z.string().nullable(),
    /** The counter object's live total (after any periodic reset that is due); null for activation features. */
    total_consumptions: z.number().int().nullable(),
    /** The start of the current consumption period, when the feature resets periodically. */
    period_start: z.string().nullable(),
    /** The license's own metadata for the feature, else the product feature's. */
    metadata: metadataResource,
    ...floatingFields,
    /** Floating features: the devices holding a slot now (empty otherwise). */
    floating_devices: z.array(FloatingDeviceResource),
    overrides: FeatureOverridesResource,
    warnings,
  })
  .meta({ id: "LicenseFeature" });
export type LicenseFeatureResource = z.infer<typeof LicenseFeatureResource>;

/** `shape` with every field also taking null. */
function nullable<T extends z.ZodRawShape>(shape: T): { [K in keyof T]: T[K] extends z.ZodNullable ? T[K] : z.ZodNullable<T[K]> } {
  return Object.fromEntries(
    Object.entries(shape).map(([name, field]) => [name, field instanceof z.ZodNullable ? field : z.nullable(field)]),
  ) as { [K in keyof T]: T[K] extends z.ZodNullable ? T[K] : z.ZodNullable<T[K]> };
}

/** A product feature to add to a license: its code, and the license's own values (absent: inherit the product's). */
export const AddLicenseFeatureBody = FeatureOverridesInput.extend({ code: code("code") }).strict();
export type AddLicenseFeatureBody = z.infer<typeof AddLicenseFeatureBody>;

/** What adding a feature to every license of its product did. */
export const AddedToLicensesResource = z.object({
  feature_code: z.string(),
  /** How many licenses got the feature (those that had it, had it removed, or are archived are left as they are). */
  licenses_added: z.number().int(),
});
