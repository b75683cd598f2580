/**
 * zod schemas for every License API request body. Types come from z.infer, so the handler can
 * only see what was validated. Unknown fields (sdk_ver, bundle_code, hostname, ...) are accepted
 * and dropped: real clients send more than any one endpoint reads.
 */
import { z } from "zod";
import { MalformedOfflineRequest, readOfflineRequest, type OfflineRequest } from "../auth/offline-request";
import { MAX_DEVICE_VARIABLES } from "../db/device-variables";
import { ApiError, type ApiErrorCode } from "../errors";
import type { DeclaredErrors } from "../http/route";
import { describeValue, explainedParse, problemText } from "../http/validation-problems";
import { urlValueTypes } from "../openapi/url-value-types";

/**
 * zod's type-error message, in our words: "<name> is required" when the field is absent, else
 * what was expected and what came ("expected a number, got the string \"100\""; the answer puts the
 * field's path before it). Shared by the management schemas.
 */
export const typeMessage = (name: string, kind: string) => ({
  error: (issue: { input?: unknown }) =>
    issue.input === undefined ? `${name} is required` : `expected ${kind}, got ${describeValue(issue.input)}`,
});

const requiredText = (name: string) =>
  z.string(typeMessage(name, "a string")).min(1, `${name} must not be empty`).max(256, `${name} must be at most 256 characters`);

export const CONSUMPTION_EVENTS = ["consumption_add", "offline_floating_consumptions_sync"] as const;
export type ConsumptionEvent = (typeof CONSUMPTION_EVENTS)[number];

/**
 * A device's hardware id: 1 to 256 characters, none of them a control character (U+0000 to U+001F,
 * U+007F to U+009F), so at most 768 bytes in UTF-8 and in JSON (docs/protocol.md "Request shape").
 * Real clients send hashes or UUIDs; the bound keeps every audit row well within what one audit
 * queue message carries (docs/architecture.md "Queue sizing").
 */
const hardwareId = requiredText("hardware_id").regex(/^\P{Cc}*$/u, "hardware_id must not contain control characters");

/** Who is asking, as every license endpoint identifies it: a device, a product, a license. */
const licenseIdentity = {
  hardware_id: hardwareId,
  product: requiredText("product"),
  license_key: requiredText("license_key").optional(),
  username: requiredText("username").optional(),
  license_id: z.number(typeMessage("license_id", "a number")).int("license_id must be an integer").positive().optional(),
};

/** What a client says of its build: its environment (LicenseSpring's `env`, e.g. "win64") and release channel. */
const buildFields = {
  env: z.string(typeMessage("env", "a string")).max(64, "env must be at most 64 characters").optional(),
  channel: z.string(typeMessage("channel", "a string")).max(64, "channel must be at most 64 characters").optional(),
};

function exactlyOneLicenseIdentifier(
  body: { license_key?: string | undefined; username?: string | undefined },
  ctx: z.RefinementCtx,
): void {
  if ((body.license_key === undefined) === (body.username === undefined)) {
    const missing = body.license_key === undefined;
    ctx.addIssue({
      code: "custom",
      message: "send exactly one of license_key (key-based products) or username (user-based products)",
      params: { missing },
    });
  }
}

/**
 * `consumptions` is an integer count: non-zero, and small enough that totals stay exact in a
 * JavaScript number (|n| ≤ 2^53 − 1). Fractions, 0, strings and huge numbers are validation_error.
 */
const consumptions = z
  .number(typeMessage("consumptions", "a number"))
  .int("consumptions must be an integer between -(2^53 - 1) and 2^53 - 1")
  .refine((n) => n !== 0, "consumptions must not be 0")
  .default(1);

/**
 * `event`: the activity-log event a consumption records. LicenseSpring's schema: an array of at
 * least one of the two values, never both; a value repeated is that one event.
 */
const event = z
  .array(z.enum(CONSUMPTION_EVENTS), typeMessage("event", "an array"))
  .min(1, "event must name one of consumption_add or offline_floating_consumptions_sync")
  .refine((events) => new Set(events).size === 1, "event must not name both consumption_add and offline_floating_consumptions_sync")
  .optional()
  .transform((events): ConsumptionEvent => events?.[0] ?? "consumption_add");

export const AddFeatureConsumptionBody = z
  .object({ ...licenseIdentity, feature: requiredText("feature"), consumptions, event })
  .superRefine(exactlyOneLicenseIdentifier);
export type AddFeatureConsumptionBody = z.infer<typeof AddFeatureConsumptionBody>;

/** The identity fields alone, for use by other endpoints' schemas. */
export const LicenseIdentity = z.object(licenseIdentity).superRefine(exactlyOneLicenseIdentifier);
export type LicenseIdentity = z.infer<typeof LicenseIdentity>;

/** Validates `input` or throws missing_parameters / validation_error naming every problem. */
export function parseWith<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    throw new ApiError("validation_error", "The request body must be a JSON object");
  }
  const illFormed = illFormedText(input);
  if (illFormed !== null) throw new ApiError("validation_error", illFormed);
  // An issue whose input is undefined is an absent field.
  const result = explainedParse(schema, input);
  if (result.success) return result.data;
  const { issues } = result.error;
  // A request shape this server knows but does not serve (single sign-on): say so, not "invalid".
  const unsupported = issues.find((issue) => issue.code === "custom" && issue.params?.notSupported === true);
  if (unsupported) throw new ApiError("not_supported", unsupported.message);
  // A field whose bad value has a documented code of its own (borrowed_until: borrow_until_not_valid),
  // when it is the only problem; among others, it is one more validation_error.
  const ownCode = (issue: (typeof issues)[number]) =>
    issue.code === "custom" ? (issue.params?.apiErrorCode as ApiErrorCode | undefined) : undefined;
  const [first] = issues;
  if (first && ownCode(first) && issues.every((issue) => ownCode(issue) === ownCode(first)))
    throw new ApiError(ownCode(first)!, first.message);
  const problems = issues.map((issue) => problemText(issue.path, issue.message));
  // Only absent required fields → missing_parameters; anything present but wrong → validation_error.
  const onlyMissing = issues.every(
    (issue) => (issue.code === "invalid_type" && issue.input === undefined) || (issue.code === "custom" && issue.params?.missing === true),
  );
  throw new ApiError(onlyMissing ? "missing_parameters" : "validation_error", problems.join("; "));
}

/**
 * Every string of an input (field names too, at any depth, including fields the schema drops) must
 * be well-formed Unicode. JSON can carry a lone UTF-16 surrogate ("\ud800"); stored or shown, it
 * becomes U+FFFD, so "\ud800" and "\udc00" would be two hardware ids that look the same in the
 * console and the audit log, and two passwords that hash alike. And no field name may be
 * `__proto__`: JSON allows it, but a JavaScript object cannot hold it as an ordinary entry (assigning
 * it sets the prototype), so zod records drop it and any JavaScript client copying variables or
 * metadata would lose or misread it; refused, it cannot vanish silently. Checked here, once, for
 * every License API and management input; returns the problem (naming the field) or null.
 */
export function illFormedText(input: unknown): string | null {
  const pending: Array<[unknown, string]> = [[input, ""]];
  while (pending.length > 0) {
    const [value, path] = pending.pop()!;
    if (typeof value === "string") {
      if (!value.isWellFormed()) return `${path}: must be well-formed Unicode (it contains a lone UTF-16 surrogate)`;
    } else if (typeof value === "object" && value !== null) {
      for (const [key, item] of Object.entries(value)) {
        if (!key.isWellFormed()) return `${path || "body"}: field names must be well-formed Unicode (one contains a lone UTF-16 surrogate)`;
        if (key === "__proto__") return `${path || "body"}: "__proto__" cannot be a field name (JavaScript objects cannot hold it)`;
        pending.push([item, path ? `${path}.${key}` : key]);
      }
    }
  }
  return null;
}

/**
 * Device variables as clients send them: names to strings, numbers or booleans (the docs allow
 * all three), stored and answered as strings ("1", "true"), as LicenseSpring answers them.
 */
const deviceVariables = z
  .record(
    z.string().min(1, "a variable name must not be empty").max(256, "a variable name must be at most 256 characters"),
    z.union([z.string().max(1024, "a variable value must be at most 1024 characters"), z.number(), z.boolean()], {
      error: "a variable value must be a string, a number or a boolean",
    }),
    typeMessage("variables", "an object"),
  )
  .refine((variables) => Object.keys(variables).length <= MAX_DEVICE_VARIABLES, `variables: at most ${MAX_DEVICE_VARIABLES} per device`)
  .transform((variables) => Object.fromEntries(Object.entries(variables).map(([name, value]) => [name, String(value)])));

/** What an endpoint whose single sign-on variant is not served can answer for it (its route's `errors`). */
export const SINGLE_SIGN_ON_ERRORS = {
  not_supported: "the request signs in with id_token or code (single sign-on), which this server does not serve",
} satisfies DeclaredErrors;

/** The SDK's single sign-on variants (id_token or code, with customer_account_code, instead of license_key / username): not_supported. */
const singleSignOn = (path: string) => ({
  id_token: z.string().optional(),
  code: z.string().optional(),
  refine(
    body: { license_key?: string | undefined; username?: string | undefined; id_token?: string | undefined; code?: string | undefined },
    ctx: z.RefinementCtx,
  ) {
    if (body.license_key === undefined && body.username === undefined && (body.id_token !== undefined || body.code !== undefined)) {
      ctx.addIssue({
        code: "custom",
        message: `/api/v4/${path} with id_token or code (single sign-on) is not supported: send license_key, or username and password`,
        params: { notSupported: true },
      });
    }
  },
});

const password = z.string(typeMessage("password", "a string")).max(1024);

const activationSso = singleSignOn("activate_license");

/**
 * activate_license: the identity, plus the license user's password on user-based products, and
 * the device's variables. The SDK's single sign-on variants answer not_supported.
 */
export const ActivateLicenseBody = z
  .object({
    ...licenseIdentity,
    password: password.optional(),
    variables: deviceVariables.optional(),
    /** The client says it runs in a virtual machine (LicenseSpring's SDKs send it): refused on a prevent_vm license. */
    is_vm: z.boolean(typeMessage("is_vm", "true or false")).optional(),
    ...buildFields,
    id_token: activationSso.id_token,
    code: activationSso.code,
  })
  .superRefine(activationSso.refine)
  .superRefine(exactlyOneLicenseIdentifier);
export type ActivateLicenseBody = z.infer<typeof ActivateLicenseBody>;

/** deactivate_license: the identity alone. */
export const DeactivateLicenseBody = LicenseIdentity;

// An ISO-8601 date, with a time (seconds and a fraction optional) and an offset (Z or ±hh:mm) optional.
const ISO_DATE_TIME = /^(\d{4})-(\d\d)-(\d\d)(?:[T ](\d\d):(\d\d)(?::(\d\d)(?:\.(\d{1,9}))?)?)?(?:Z|([+-])(\d\d):(\d\d))?$/;

/**
 * The instant a borrowed_until text names (ms since the epoch), or null when it names none: not
 * the ISO-8601 form, a date that is not in the calendar, a time past 23:59:59, or an offset past
 * ±23:59 (RFC 3339's range). Without an offset the time is UTC. Fractions below a millisecond are dropped.
 */
export function borrowedUntilInstant(text: string): number | null {
  const parts = ISO_DATE_TIME.exec(text);
  if (!parts) return null;
  const [year, month, day, hour, minute, second] = parts.slice(1, 7).map((part) => Number(part ?? 0)) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const [, , , , , , , fraction = "", sign, offsetHours = "0", offsetMinutes = "0"] = parts;
  if (hour > 23 || minute > 59 || second > 59 || Number(offsetHours) > 23 || Number(offsetMinutes) > 59) return null;
  const wall = Date.UTC(year, month - 1, day, hour, minute, second, Number(fraction.padEnd(3, "0").slice(0, 3)));
  const date = new Date(wall);
  // Date.UTC rolls 31 April over to 1 May (and reads years 0-99 as 1900-1999): a date that moved was not in the calendar.
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return null;
  const offsetMs = (Number(offsetHours) * 60 + Number(offsetMinutes)) * 60_000;
  return sign === "-" ? wall + offsetMs : wall - offsetMs;
}

/**
 * borrowed_until as sent: an ISO-8601 date, handed on as the UTC instant it names (whether it is in
 * the future and within max_borrow_time is the pool's to decide), or null for the longest borrow
 * allowed. Required, as in LicenseSpring's schema. A text that names no instant is
 * borrow_until_not_valid, LicenseSpring's code for the field.
 */
const borrowedUntil = z
  .string(typeMessage("borrowed_until", "a date string or null"))
  .max(64, "borrowed_until must be at most 64 characters")
  .transform((text, ctx) => {
    const instant = borrowedUntilInstant(text);
    if (instant !== null) return new Date(instant).toISOString();
    ctx.addIssue({
      code: "custom",
      message:
        `borrowed_until ${JSON.stringify(text)} is not a date and time: send ISO-8601, e.g. "2026-09-27T23:30:48.016Z", ` +
        '"2026-09-27 23:30" or "2026-09-27" (UTC unless it carries an offset from -23:59 to +23:59)',
      params: { apiErrorCode: "borrow_until_not_valid" },
    });
    return z.NEVER;
  })
  .nullable();

const borrowSso = singleSignOn("floating/borrow");

/** floating/borrow: the identity (with the license user's password on user-based products) and borrowed_until. */
export const FloatingBorrowBody = z
  .object({
    ...licenseIdentity,
    borrowed_until: borrowedUntil,
    password: password.optional(),
    id_token: borrowSso.id_token,
    code: borrowSso.code,
  })
  .superRefine(borrowSso.refine)
  .superRefine(exactlyOneLicenseIdentifier);
export type FloatingBorrowBody = z.infer<typeof FloatingBorrowBody>;

const featureBorrowSso = singleSignOn("floating/feature_borrow");

/** floating/feature_borrow: as floating/borrow, for one feature. */
export const FeatureBorrowBody = z
  .object({
    ...licenseIdentity,
    feature: requiredText("feature"),
    borrowed_until: borrowedUntil,
    password: password.optional(),
    id_token: featureBorrowSso.id_token,
    code: featureBorrowSso.code,
  })
  .superRefine(featureBorrowSso.refine)
  .superRefine(exactlyOneLicenseIdentifier);
export type FeatureBorrowBody = z.infer<typeof FeatureBorrowBody>;

/** floating/release: the identity alone. */
export const FloatingReleaseBody = LicenseIdentity;

/** floating/feature_release: the identity and the feature. */
export const FeatureReleaseBody = z
  .object({ ...licenseIdentity, feature: requiredText("feature") })
  .superRefine(exactlyOneLicenseIdentifier);

/**
 * add_consumption (license-level). The request-level allow_overages / max_overages can only
 * narrow what the vendor configured on the license, never widen it (docs/protocol.md "add_consumption").
 */
export const AddConsumptionBody = z
  .object({
    ...licenseIdentity,
    consumptions,
    event,
    allow_overages: z.boolean(typeMessage("allow_overages", "a boolean")).optional(),
    max_overages: z.number(typeMessage("max_overages", "a number")).int("max_overages must be an integer").nonnegative().optional(),
  })
  .superRefine(exactlyOneLicenseIdentifier);
export type AddConsumptionBody = z.infer<typeof AddConsumptionBody>;

// Query parameters arrive as strings: numbers and booleans are parsed strictly.
const queryLicenseId = z
  .string()
  .regex(/^[1-9][0-9]{0,15}$/, "license_id must be a positive integer")
  .transform(Number)
  .pipe(z.number().int().positive().safe())
  .register(urlValueTypes, { type: "integer", minimum: 1, maximum: Number.MAX_SAFE_INTEGER })
  .optional();
const queryBoolean = (name: string) =>
  z
    .enum(["true", "false", "1", "0"], { error: `${name} must be true or false` })
    .register(urlValueTypes, { type: "boolean" })
    .optional()
    .transform((value) => value === "true" || value === "1");

/** check_license query parameters (env and channel choose the installation_file the answer carries). */
export const CheckLicenseQuery = z
  .object({
    ...licenseIdentity,
    license_id: queryLicenseId,
    include_expired_features: queryBoolean("include_expired_features"),
    ...buildFields,
  })
  .superRefine(exactlyOneLicenseIdentifier);
export type CheckLicenseQuery = z.infer<typeof CheckLicenseQuery>;

/** check_license_feature query parameters. */
export const CheckLicenseFeatureQuery = z
  .object({
    ...licenseIdentity,
    license_id: queryLicenseId,
    feature: requiredText("feature"),
    include_metadata_string: queryBoolean("include_metadata_string"),
  })
  .superRefine(exactlyOneLicenseIdentifier);
export type CheckLicenseFeatureQuery = z.infer<typeof CheckLicenseFeatureQuery>;

/** get_device_variables query parameters: the identity alone. */
export const GetDeviceVariablesQuery = z
  .object({ ...licenseIdentity, license_id: queryLicenseId })
  .superRefine(exactlyOneLicenseIdentifier);

/** track_device_variables: the identity and the variables ("If a variable already exists on the device, its value will be overwritten"). */
export const TrackDeviceVariablesBody = z
  .object({ ...licenseIdentity, variables: deviceVariables })
  .superRefine(exactlyOneLicenseIdentifier);

/** versions query parameters: the identity, and the environment and channel the list is for (absent: any). */
export const VersionsQuery = z
  .object({ ...licenseIdentity, license_id: queryLicenseId, ...buildFields })
  .superRefine(exactlyOneLicenseIdentifier);
export type VersionsQuery = z.infer<typeof VersionsQuery>;

/** installation_file query parameters: as versions, and the version (absent: the newest). */
export const InstallationFileQuery = z
  .object({
    ...licenseIdentity,
    license_id: queryLicenseId,
    ...buildFields,
    version: z.string(typeMessage("version", "a string")).max(64, "version must be at most 64 characters").optional(),
  })
  .superRefine(exactlyOneLicenseIdentifier);
export type InstallationFileQuery = z.infer<typeof InstallationFileQuery>;

/** product_details query parameters (`env` and `channel` choose the latest_version; the SDK's extra include_expired_features is unused). */
export const ProductDetailsQuery = z.object({
  product: requiredText("product"),
  ...buildFields,
  include_latest_version: queryBoolean("include_latest_version"),
  include_custom_fields: queryBoolean("include_custom_fields"),
});

/**
 * user_licenses query parameters: the license user's username and password (`product`
 * narrows the list; the docs require it, the SDK's schema does not). The SSO variants
 * (id_token / code with customer_account_code) are not supported: they are named here only to
 * say so.
 */
export const UserLicensesQuery = z.object({
  product: requiredText("product").optional(),
  username: requiredText("username").optional(),
  password: z.string(typeMessage("password", "a string")).max(1024).optional(),
  id_token: z.string().optional(),
  code: z.string().optional(),
});

/** customer_license_users query parameters: the product and the customer's email. */
export const CustomerLicenseUsersQuery = z.object({
  product: requiredText("product"),
  customer: requiredText("customer"),
});

/** change_password: the license user, the current password and the new one (as strict as a vendor-set password). */
export const ChangePasswordBody = z.object({
  username: requiredText("username"),
  password: z.string(typeMessage("password", "a string")).max(1024),
  new_password: z
    .string(typeMessage("new_password", "a string"))
    .min(8, "new_password must be at least 8 characters")
    .max(256, "new_password must be at most 256 characters"),
});

const optionalText = (name: string) =>
  z.string(typeMessage(name, "a string")).max(256, `${name} must be at most 256 characters`).optional();

/**
 * trial_key query parameters: the device and product; on user-based products the trial user's
 * e-mail (required there) and password (generated when absent); the customer's details, used when
 * an e-mail is given. license_policy names a LicenseSpring license policy, which this server does
 * not keep: the product's own trial terms apply, so a request that names one is not_supported.
 */
export const TrialKeyQuery = z
  .object({
    hardware_id: hardwareId,
    product: requiredText("product"),
    email: z.email(typeMessage("email", "an e-mail address")).max(256, "email must be at most 256 characters").optional(),
    password: z
      .string(typeMessage("password", "a string"))
      .min(8, "password must be at least 8 characters")
      .max(256, "password must be at most 256 characters")
      .optional(),
    license_policy: z.string().optional(),
    first_name: optionalText("first_name"),
    last_name: optionalText("last_name"),
    phone: optionalText("phone"),
    company_name: optionalText("company_name"),
    address: optionalText("address"),
    postcode: optionalText("postcode"),
    state: optionalText("state"),
    country: optionalText("country"),
    city: optionalText("city"),
    reference: optionalText("reference"),
  })
  .superRefine((query, ctx) => {
    if (query.license_policy !== undefined)
      ctx.addIssue({
        code: "custom",
        message: "/api/v4/trial_key with license_policy is not supported: license policies are not kept, the product's trial terms apply",
        params: { notSupported: true },
      });
  });
export type TrialKeyQuery = z.infer<typeof TrialKeyQuery>;

/**
 * An offline request file as activate_offline and deactivate_offline read it (src/auth/offline-request.ts):
 * the file's text arrives as `file`; what comes out is the request it holds, validated with
 * `request` (its fields at the top, as any other body's), and `offline`, what its signature covers
 * (checked against the API key's shared key once the caller is authenticated). An empty file is
 * missing_content, one that is not an offline request authorization_missing_params (LicenseSpring's
 * codes), a request for the other endpoint validation_error.
 */
function offlineFile<S extends z.ZodType<{ api_key?: string | undefined }>>(request: S, kind: "activation" | "deactivation") {
  return z.object({ file: z.string() }).transform((body, ctx) => {
    if (body.file.trim() === "") {
      ctx.addIssue({ code: "custom", message: "The offline request is empty", params: { apiErrorCode: "missing_content" } });
      return z.NEVER;
    }
    let offline: OfflineRequest;
    try {
      offline = readOfflineRequest(body.file);
    } catch (error) {
      if (!(error instanceof MalformedOfflineRequest)) throw error;
      ctx.addIssue({ code: "custom", message: error.message, params: { apiErrorCode: "authorization_missing_params" } });
      return z.NEVER;
    }
    // The checks every JSON body gets (parseWith), on the request the file holds.
    const illFormed = illFormedText(offline.request);
    if (illFormed !== null) ctx.addIssue({ code: "custom", message: `request.${illFormed}` });
    if (offline.request.request !== undefined && offline.request.request !== kind)
      ctx.addIssue({
        code: "custom",
        message: `request: this is ${JSON.stringify(offline.request.request)} request, not an offline ${kind}`,
      });
    const fields = request.safeParse(offline.request, { reportInput: true });
    if (!fields.success) {
      for (const issue of fields.error.issues)
        ctx.addIssue({ ...issue, path: ["request", ...issue.path] } as Parameters<typeof ctx.addIssue>[0]);
      return z.NEVER;
    }
    return { ...fields.data, offline: { ...offline, apiKey: fields.data.api_key } };
  });
}

/** What an offline request names besides the identity: the API key it was signed for, and the date it was made. */
const offlineSigner = {
  api_key: z.string(typeMessage("api_key", "a string")).optional(),
  date: z.string(typeMessage("date", "a string")).optional(),
};

/** activate_offline: the request an SDK's createOfflineActivationPayload (or the Python SDK's activate_offline_dump) wrote. */
export const OfflineActivationBody = offlineFile(
  z
    .object({
      ...licenseIdentity,
      ...offlineSigner,
      password: password.optional(),
      variables: deviceVariables.optional(),
      is_vm: z.boolean(typeMessage("is_vm", "true or false")).optional(),
      ...buildFields,
    })
    .superRefine(exactlyOneLicenseIdentifier),
  "activation",
);
export type OfflineActivationBody = z.infer<typeof OfflineActivationBody>;

/**
 * deactivate_offline: the request License.deactivateOffline (or createOfflineDeactivationPayload)
 * wrote. The Python SDK can add local consumption to it (`consumptions`, `product_features`); this
 * server does not apply consumption from a deactivation file, so a file that carries some is
 * not_supported rather than losing it: sync it with add_consumption / add_feature_consumption first.
 */
export const OfflineDeactivationBody = offlineFile(
  z
    .object({ ...licenseIdentity, ...offlineSigner, consumptions: z.unknown().optional(), product_features: z.unknown().optional() })
    .superRefine(exactlyOneLicenseIdentifier)
    .superRefine((request, ctx) => {
      const carries = (value: unknown) =>
        value !== undefined && value !== null && value !== 0 && !(Array.isArray(value) && value.length === 0);
      if (carries(request.consumptions) || carries(request.product_features))
        ctx.addIssue({
          code: "custom",
          message:
            "/api/v4/deactivate_offline with consumptions is not supported: consumption in a deactivation file is not applied; " +
            "send it with add_consumption / add_feature_consumption before deactivating",
          params: { notSupported: true },
        });
    }),
  "deactivation",
);
export type OfflineDeactivationBody = z.infer<typeof OfflineDeactivationBody>;

/** A URL's query as a plain object (a repeated parameter keeps its first value). */
export function queryObject(url: string): Record<string, string> {
  const query: Record<string, string> = {};
  for (const [key, value] of new URL(url).searchParams) if (!(key in query)) query[key] = value;
  return query;
}
