/**
 * The License API (/api/v4) as the OpenAPI document describes it: each operation names the very
 * zod schema its handler validates with (src/schemas.ts). The answers' schemas are written here,
 * for the document only: the handlers build them field for field as the official SDK expects
 * (src/license-body.ts, src/routes/). test/openapi/ checks this list against the routes the Worker
 * serves (LICENSE_API_ROUTES in src/index.ts).
 */
import { z } from "zod";
import { ActivateLicenseBody, AddConsumptionBody, AddFeatureConsumptionBody, CheckLicenseFeatureQuery, CheckLicenseQuery, DeactivateLicenseBody } from "../schemas";

export interface LicenseApiOperation {
  method: "get" | "post";
  path: string;
  summary: string;
  /** HMAC-signed with an API key (every endpoint but public_key). */
  signed: boolean;
  body?: z.ZodType;
  query?: z.ZodType;
  /** The JSON answer, or `text` for a plain-text answer. */
  response: z.ZodType | "text";
}

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
  consumption_period_start: z.string().nullable().describe("Ours: when the current consumption period started (ISO-8601), for counters that reset"),
  consumption_period_end: z.string().nullable().describe("Ours: when the current consumption period ends"),
};

const FeatureBody = z
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
  .passthrough();

const LicenseBody = z
  .object({
    id: z.number().int(),
    license_key: z.string().nullable().optional().describe("Key-based licenses"),
    user: z.object({ id: z.number().int(), email: z.string() }).passthrough().optional().describe("User-based licenses"),
    license_active: z.boolean(),
    license_enabled: z.boolean(),
    is_expired: z.boolean(),
    license_type: z.string(),
    validity_period: z.string().nullable(),
    max_activations: z.number().int(),
    times_activated: z.number().int(),
    device_id: z.number().int(),
    hardware_id: z.string(),
    license_signature: z.string().describe("Signature v1: RSA-SHA256 over lower(<hardware_id>#<license_key or username>#<validity_period>)"),
    product_details: z.object({ product_id: z.number().int(), short_code: z.string(), authorization_method: z.string() }).passthrough(),
    product_features: z.array(FeatureBody),
    max_consumptions: z.number().int(),
    ...rules,
    ...periodBounds,
  })
  .passthrough();

const FeatureConsumptionBody = z.object({
  id: z.number().int(),
  license_id: z.number().int(),
  company: z.object({ id: z.number().int() }),
  max_consumptions: z.number().int(),
  ...rules,
  is_floating: z.boolean(),
  is_floating_cloud: z.boolean(),
});

const LicenseConsumptionBody = z.object({ id: z.number().int(), max_consumptions: z.number().int(), ...rules }).passthrough();

export const licenseApiOperations: readonly LicenseApiOperation[] = [
  { method: "get", path: "/api/v4/public_key", summary: "The PEM (SPKI) public key that verifies LicenseSignature", signed: false, response: "text" },
  { method: "post", path: "/api/v4/activate_license", summary: "Activate a device on a license", signed: true, body: ActivateLicenseBody, response: LicenseBody },
  { method: "post", path: "/api/v4/deactivate_license", summary: "Deactivate a device", signed: true, body: DeactivateLicenseBody, response: z.literal("license_deactivated") },
  { method: "get", path: "/api/v4/check_license", summary: "Check a license and its features", signed: true, query: CheckLicenseQuery, response: LicenseBody },
  { method: "get", path: "/api/v4/check_license_feature", summary: "Check one license feature", signed: true, query: CheckLicenseFeatureQuery, response: FeatureBody },
  { method: "post", path: "/api/v4/add_consumption", summary: "Add license-level consumptions", signed: true, body: AddConsumptionBody, response: LicenseConsumptionBody },
  { method: "post", path: "/api/v4/add_feature_consumption", summary: "Add consumptions to one license feature", signed: true, body: AddFeatureConsumptionBody, response: FeatureConsumptionBody },
];
