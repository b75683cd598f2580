/**
 * A consumption license's own counter (license_type "consumption", add_consumption): its rules,
 * its allowance named `max_consumptions`, and its live total.
 */
import { z } from "zod";
import { count, changes, warnings } from "./fields";
import { ruleFields } from "./rule-fields";

const { max_consumption: _featureAllowance, ...rules } = ruleFields;
const licenseCounterFields = { max_consumptions: count("max_consumptions"), ...rules };

/** The license counter's rules when a consumption license is issued or imported. */
export const LicenseConsumptionInput = z
  .object({
    max_consumptions: licenseCounterFields.max_consumptions.default(0),
    allow_unlimited_consumptions: rules.allow_unlimited_consumptions.default(false),
    allow_overages: rules.allow_overages.default(false),
    max_overages: rules.max_overages.default(0),
    allow_negative_consumptions: rules.allow_negative_consumptions.default(false),
    reset_consumption: rules.reset_consumption.default(false),
    consumption_period: rules.consumption_period.default(null),
  })
  .strict();
export type LicenseConsumptionInput = z.infer<typeof LicenseConsumptionInput>;

export const UpdateLicenseConsumptionBody = changes(licenseCounterFields);
export type UpdateLicenseConsumptionBody = z.infer<typeof UpdateLicenseConsumptionBody>;

export const LicenseConsumptionResource = z
  .object({
    ...licenseCounterFields,
    total_consumptions: z.number().int(),
    period_start: z.string().nullable(),
    warnings,
  })
  .meta({ id: "LicenseConsumption" });
export type LicenseConsumptionResource = z.infer<typeof LicenseConsumptionResource>;
