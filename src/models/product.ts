/**
 * A product: what clients name as `product` (its short code), with the company it belongs to, and
 * its trials: whether trial_key hands out trial licenses, for how many days, and on what terms.
 */
import { z } from "zod";
import { bodyId, changes, code, count, decimal, flag, metadata, metadataResource, resourceId, text } from "./fields";
import { licenseTermsFields, refineIssuedSettings, refineLicenseTerms } from "./license";

export const AuthorizationMethod = z.enum(["license-key", "user"]).meta({ id: "AuthorizationMethod" });
export type AuthorizationMethod = z.infer<typeof AuthorizationMethod>;

export const ProductPath = z.object({ product_id: decimal("product_id") });

/**
 * The terms of the trial licenses trial_key issues: a license's terms (type, activations, feature
 * values and caps, license-level consumption, floating, transfers and policies), without what a
 * trial takes from elsewhere: is_trial and trial_days (the product's), the customer (the request's),
 * dates (trial_days sets validity_period at the first activation) and the order reference.
 */
const {
  enabled: _enabled,
  validity_period: _validity,
  order_store_id: _order,
  is_trial: _isTrial,
  trial_days: _trialDays,
  customer: _customer,
  start_date: _startDate,
  maintenance_period: _maintenance,
  ...trialTermsFields
} = licenseTermsFields;
// Checked as issuing checks a license, but for the validity_period trial_days sets (src/models/unworkable-settings.ts assertTrialWorkable).
export const TrialLicenseTerms = refineLicenseTerms(z.object(trialTermsFields).strict()).superRefine(
  refineIssuedSettings(["license_type", "validity_period"]),
);
export type TrialLicenseTerms = z.output<typeof TrialLicenseTerms>;

/** A product's trial settings, as created and changed. */
const trialFields = {
  /** trial_key issues trial licenses of this product. */
  allow_trial: flag("allow_trial"),
  /** Days a trial license lasts from its first activation (0: no end). */
  trial_days: count("trial_days").max(36_500, "trial_days must be at most 36500"),
  /** A device may get several trials (LicenseSpring's "Allow multiple licenses on trial"); else one per device. */
  allow_multiple_trials: flag("allow_multiple_trials"),
  trial_license: TrialLicenseTerms,
};

export const CreateProductBody = z
  .object({
    short_code: code("short_code"),
    name: text("name"),
    authorization_method: AuthorizationMethod.default("license-key"),
    company_id: bodyId("company_id").default(1),
    metadata: metadata.default({}),
    allow_trial: trialFields.allow_trial.default(false),
    trial_days: trialFields.trial_days.default(0),
    allow_multiple_trials: trialFields.allow_multiple_trials.default(false),
    trial_license: trialFields.trial_license.default(TrialLicenseTerms.parse({})),
  })
  .strict();
export type CreateProductBody = z.infer<typeof CreateProductBody>;

export const UpdateProductBody = changes({ name: text("name"), metadata, ...trialFields });
export type UpdateProductBody = z.infer<typeof UpdateProductBody>;

export const ProductResource = z
  .object({
    id: resourceId(),
    short_code: z.string(),
    name: z.string(),
    authorization_method: AuthorizationMethod,
    company_id: resourceId(),
    created_at: z.string(),
    metadata: metadataResource,
    allow_trial: z.boolean(),
    trial_days: z.number().int(),
    allow_multiple_trials: z.boolean(),
    /** The trial license's terms as set (every field, defaults filled in). */
    trial_license: z.record(z.string(), z.unknown()),
  })
  .meta({ id: "Product" });
export type ProductResource = z.infer<typeof ProductResource>;
