/**
 * A product feature: an activation feature, or a consumption feature with the default rules and
 * floating settings every license of the product inherits unless it overrides them.
 */
import { z } from "zod";
import { changes, code, decimal, metadata, metadataResource, resourceId, text } from "./fields";
import { floatingFields, ruleFields } from "./rule-fields";
import { refineSettings } from "./unworkable-settings";

export const FeatureType = z.enum(["consumption", "activation"]).meta({ id: "FeatureType" });

export const ProductFeaturePath = z.object({ product_id: decimal("product_id"), feature_code: code("feature_code") });

/**
 * A product feature's floating_users is also the default pool of license features that turn
 * floating on (is_floating_cloud on the license feature), so it may be set while the product
 * feature itself does not float.
 */
export const PRODUCT_DEFAULTS_FOR_LICENSES = ["floating_users"] as const;

/** What a vendor may change on a product feature (its code and type are fixed). */
const editableFields = { name: text("name"), ...ruleFields, metadata, ...floatingFields };

export const CreateProductFeatureBody = z
  .object({
    code: code("code"),
    name: editableFields.name,
    feature_type: FeatureType.default("consumption"),
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
  .superRefine(refineSettings(PRODUCT_DEFAULTS_FOR_LICENSES));
export type CreateProductFeatureBody = z.infer<typeof CreateProductFeatureBody>;

/** New defaults for a product feature; licenses that do not override a value follow within 60 seconds (docs/architecture.md "What each layer remembers"). */
export const UpdateProductFeatureBody = changes(editableFields);
export type UpdateProductFeatureBody = z.infer<typeof UpdateProductFeatureBody>;

export const ProductFeatureResource = z
  .object({
    id: resourceId(),
    product_id: resourceId(),
    code: z.string(),
    name: z.string(),
    feature_type: FeatureType,
    ...ruleFields,
    metadata: metadataResource,
    ...floatingFields,
  })
  .meta({ id: "ProductFeature" });
export type ProductFeatureResource = z.infer<typeof ProductFeatureResource>;
