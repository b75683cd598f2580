/**
 * The rows of the bulk imports (docs/migration.md), and what each import answers. A row is checked
 * with its schema first, then against the other rows and D1 (src/management/import/).
 */
import { z } from "zod";
import { typeMessage } from "../license-api/schemas";
import { apiKeyScopeFields } from "./api-key";
import { code, count, flag, instant, text } from "./fields";
import { refineLicenseTerms, licenseTermsFields } from "./license";
import { ImportedLicenseUserInput } from "./license-user";

/**
 * The largest license id an import keeps. Licenses issued here get the next id after the largest
 * there is, and every id must stay exact in JSON (at most 2^53 - 1), so imported ids stop short of
 * it: 9 × 10^15 leaves over 7 × 10^12 ids to issue, and is far above LicenseSpring's license ids
 * (16 digits, such as 1593781720493289).
 */
export const MAX_IMPORTED_LICENSE_ID = 9_000_000_000_000_000;

/**
 * The shortest shared key an import takes. A shared key is the HMAC secret every copy of the
 * client carries; LicenseSpring's are 40 characters or more, the keys made here 32 (192 random
 * bits). A shorter one is most likely cut short or a placeholder, and easier to guess.
 */
export const MIN_SHARED_KEY_LENGTH = 32;

/** An id of a license that clients already know (LicenseSpring's have 16 digits): up to 2^53 - 1, exact in JSON. */
const licenseIdOf = (name: string) =>
  z
    .number(typeMessage(name, "a number"))
    // zod's int() takes safe integers only: a bigger id would not survive JSON in JavaScript clients.
    .int(`${name} must be an integer of at most 2^53 - 1`)
    .positive(`${name} must be positive`);

/** An API key clients already use, with the shared key they sign with: both kept as they are. */
export const ImportApiKeyRow = z
  .object({
    api_key: text("api_key"),
    shared_key: text("shared_key").min(MIN_SHARED_KEY_LENGTH, `shared_key must be at least ${MIN_SHARED_KEY_LENGTH} characters`),
    ...apiKeyScopeFields,
  })
  .strict();
export type ImportApiKeyRow = z.infer<typeof ImportApiKeyRow>;

/** A license with what the management API issues (customer, users, feature values, custom fields), keeping its id and key. */
export const ImportLicenseRow = refineLicenseTerms(
  z
    .object({
      /** The license's id in LicenseSpring: kept, because clients send it back as license_id. */
      id: licenseIdOf("id").max(
        MAX_IMPORTED_LICENSE_ID,
        `id must be at most ${MAX_IMPORTED_LICENSE_ID}: larger ids leave no room for the ids of licenses issued here (docs/migration.md)`,
      ),
      /** The product's short code (the product and its features are created here first). */
      product: code("product"),
      /** Key-based products: the key clients have (kept exactly). */
      license_key: text("license_key").optional(),
      /** User-based products: at least one user. */
      users: z.array(ImportedLicenseUserInput).min(1, "users must name at least one user").max(100).optional(),
      ...licenseTermsFields,
      /** When the license was created in LicenseSpring: a user with several licenses of a product gets the newest. */
      created_at: instant("created_at").optional(),
      /** The transfers it already had: max_transfers counts on from here. */
      transfer_count: count("transfer_count").default(0),
    })
    .strict(),
);
export type ImportLicenseRow = z.infer<typeof ImportLicenseRow>;

/** A device activated on a license (LicenseSpring: the license device, with `device_active` and `blacklisted`). */
export const ImportDeviceRow = z
  .object({
    license_id: licenseIdOf("license_id"),
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
    license_id: licenseIdOf("license_id"),
    feature: code("feature").nullable().default(null),
    total: z
      .number(typeMessage("total", "a number"))
      .int("total must be an integer of at most 2^53 - 1")
      .min(0, "total must not be negative"),
  })
  .strict();
export type ImportTotalRow = z.infer<typeof ImportTotalRow>;

/** What an import answers: the same for a retry of the same rows (nothing is imported twice). */
const importSummary = <K extends string, T extends z.ZodRawShape>(id: string, kind: K, result: T) =>
  z
    .object({
      kind: z.literal(kind),
      rows: z.number().int(),
      results: z.array(z.object({ row: z.number().int(), ...result })),
    })
    .meta({ id });

export const ImportApiKeysSummary = importSummary("ImportApiKeysSummary", "api_keys", { id: z.number().int(), api_key: z.string() });
export const ImportLicensesSummary = importSummary("ImportLicensesSummary", "licenses", { id: z.number().int() });
export const ImportDevicesSummary = importSummary("ImportDevicesSummary", "devices", {
  id: z.number().int(),
  license_id: z.number().int(),
  hardware_id: z.string(),
});
export const ImportTotalsSummary = importSummary("ImportTotalsSummary", "totals", {
  license_id: z.number().int(),
  feature: z.string().nullable(),
  total: z.number().int(),
});
