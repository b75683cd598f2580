/**
 * The one error type of the License API. Handlers throw it; `errorResponse` (the router's single
 * `catch`) turns it into the documented body `{"status", "code", "message"}`. Anything that is
 * not an ApiError is a bug on our side and becomes a generic 500 on purpose: no internals leak.
 */

/** Authorization errors, common to every License API endpoint (docs/protocol.md "Request authentication"). */
export type AuthErrorCode =
  | "date_header_diff"
  | "authorization_invalid_headers"
  | "hmac_required"
  | "signature_mismatch"
  | "authorization_missing_params"
  | "invalid_api_key"
  | "revoked_api_key"
  | "read_only_api_key";

/**
 * License errors: add_feature_consumption's documented nine (docs/protocol.md "Errors"), activation's
 * license_activated_max_times, add_consumption's license_not_consumption, customer_license_users'
 * invalid_product_auth_method and customer_does_not_exist, api_key_product_not_allowed (LicenseSpring's list of License API
 * errors; applied to every endpoint here), and codes the SDK itself uses
 * (license_expired, license_not_enough_consumptions), and the floating endpoints' documented codes
 * (floating_not_available, license_borrow_not_allowed, borrow_until_not_valid,
 * invalid_license_feature_code, feature_not_floating, floating_feature_device_not_in_use;
 * docs/sdk-compatibility.md). invalid_password and feature_expired are ours (docs/protocol.md "Errors").
 */
export type LicenseErrorCode =
  | "unknown_product"
  | "api_key_product_not_allowed"
  | "license_not_found"
  | "license_not_active"
  | "license_not_enabled"
  | "license_expired"
  | "license_activated_max_times"
  | "invalid_password"
  | "license_not_consumption"
  | "invalid_product_auth_method"
  | "customer_does_not_exist"
  | "license_not_enough_consumptions"
  | "feature_expired"
  | "unsupported_product_feature"
  | "feature_not_enough_consumptions"
  | "negative_consumptions_not_allowed"
  | "device_not_found"
  | "blacklisted"
  | "floating_not_available"
  | "license_borrow_not_allowed"
  | "borrow_until_not_valid"
  | "invalid_license_feature_code"
  | "feature_not_floating"
  | "floating_feature_device_not_in_use"
  | "trial_not_allowed"
  | "email_missing"
  | "trial_expired"
  | "license_transferred_max_times"
  | "license_not_started"
  | "vm_not_allowed"
  | "offline_activation_not_allowed"
  | "active_license_required"
  | "version_not_found";

/**
 * Request-shape errors. validation_error, missing_parameters, invalid_json and not_found are in
 * LicenseSpring's list of License API errors; the others are ours (docs/protocol.md "Errors"). not_supported: a
 * LicenseSpring call the official SDKs make that this server does not implement
 * (docs/sdk-compatibility.md); paths no SDK calls stay not_found.
 */
export type RequestErrorCode =
  | "invalid_content_type"
  | "body_too_large"
  | "invalid_json"
  | "validation_error"
  | "missing_parameters"
  | "idempotency_key_reused"
  | "missing_content"
  | "client_aborted"
  | "not_found"
  | "not_supported"
  | "method_not_allowed";

/** Management API errors (ours, docs/management-api.md "Errors"); not_found, validation_error and the other request codes are shared. */
export type ManagementErrorCode = "unauthorized" | "forbidden" | "conflict";

/**
 * Limits (ours: LicenseSpring documents its limits, but its public pages name no code for them), both HTTP 429 with
 * Retry-After (docs/protocol.md "Rate limits"): too_many_requests, a client address or API key
 * over its request rate (both APIs); too_many_password_attempts, a license user's password
 * guessed too often (src/auth/password-guard.ts).
 */
export type LimitErrorCode = "too_many_requests" | "too_many_password_attempts";

export type ApiErrorCode =
  AuthErrorCode | LicenseErrorCode | RequestErrorCode | ManagementErrorCode | LimitErrorCode | "internal_server_error";

const DEFAULT_MESSAGES: Record<ApiErrorCode, string> = {
  date_header_diff: "The Date header is more than 15 minutes away from the server's time",
  authorization_invalid_headers: 'The signed headers must be exactly "date" and the Date header must be an RFC 7231 GMT date',
  hmac_required: 'Requests must be signed with algorithm="hmac-sha256"',
  signature_mismatch: "The request signature does not match",
  authorization_missing_params: "The Authorization header must carry algorithm, headers, signature and apikey",
  invalid_api_key: "Unknown API key",
  revoked_api_key: "This API key has been revoked",
  read_only_api_key: "This API key is read-only",
  unknown_product: "Provided product was not found",
  api_key_product_not_allowed: "This API key does not have permission to use the requested product",
  license_not_found: "License with the provided license key or license user not found",
  license_not_active: "The license is not active",
  license_not_enabled: "The license is not enabled",
  license_expired: "The license has expired",
  license_activated_max_times: "The license is already activated the maximum number of times",
  invalid_password: "Wrong username or password",
  license_not_consumption: "The license needs to be of consumption type",
  invalid_product_auth_method: "This product's licenses are key-based: it has no license users",
  customer_does_not_exist: "No customer has this email",
  license_not_enough_consumptions: "Not enough consumptions left",
  feature_expired: "The feature has expired",
  unsupported_product_feature: "One or more of requested product features do not exist or they are not enabled on the product",
  feature_not_enough_consumptions: "Not enough consumptions left",
  negative_consumptions_not_allowed: "Negative consumptions not allowed",
  device_not_found: "An active device matching the hardware_id not found",
  blacklisted: "This device is blacklisted",
  floating_not_available: "No available slots for floating license",
  license_borrow_not_allowed: "License does not allow borrowing",
  borrow_until_not_valid: "Borrow until field is not valid",
  invalid_license_feature_code: "License feature code is invalid or not assigned to the license",
  feature_not_floating: "License feature is not floating cloud feature",
  floating_feature_device_not_in_use: "Floating feature device is not in use",
  trial_not_allowed: "Product does not allow trial",
  email_missing: "An email is missing for user-based product",
  trial_expired: "Trial period for device has expired",
  license_transferred_max_times: "License transferred max times",
  license_not_started: "The license start date has not been reached yet",
  vm_not_allowed: "The license may not be activated on a virtual machine",
  offline_activation_not_allowed: "The license may not be activated offline",
  active_license_required: "Active license is required",
  version_not_found: "File at requested version does not exist",
  invalid_content_type: "Content-Type must be application/json",
  body_too_large: "The request body is too large",
  invalid_json: "The request body is not valid JSON",
  validation_error: "The request is invalid",
  missing_parameters: "A required parameter is missing",
  idempotency_key_reused: "This Idempotency-Key was already used with a different request",
  missing_content: "The offline request is empty",
  client_aborted: "The client stopped sending the request body before it was complete",
  not_found: "No such endpoint",
  not_supported: "This LicenseSpring call is not supported by this server (docs/sdk-compatibility.md)",
  method_not_allowed: "Method not allowed on this endpoint",
  internal_server_error: "Internal server error",
  unauthorized: 'Send the management key as "Authorization: Api-Key <management key>"',
  forbidden: "The management key is not valid",
  conflict: "The request conflicts with the current state",
  too_many_requests: "Too many requests: retry after the number of seconds in the Retry-After header",
  too_many_password_attempts: "Too many wrong passwords for this license user: retry after the number of seconds in the Retry-After header",
};

/**
 * Codes whose message is LicenseSpring's own sentence (its error lists), answered verbatim whatever
 * the code that threw them says: applications match on the text as well as on the code. What we
 * know beyond that sentence (which identifier to send, how many consumptions remain) travels in
 * the `Error-Detail` header, so the body stays exactly LicenseSpring's `{status, code, message}`.
 * The other codes carry their detail in the message itself: validation_error and
 * missing_parameters (LicenseSpring's messages name what failed), invalid_license_feature_code
 * (its sentence names the code), and our own codes.
 */
const WORDED_BY_LICENSESPRING: ReadonlySet<ApiErrorCode> = new Set<ApiErrorCode>([
  "date_header_diff",
  "authorization_invalid_headers",
  "hmac_required",
  "signature_mismatch",
  "authorization_missing_params",
  "invalid_api_key",
  "revoked_api_key",
  "read_only_api_key",
  "unknown_product",
  "api_key_product_not_allowed",
  "license_not_found",
  "license_not_active",
  "license_not_enabled",
  "license_activated_max_times",
  "license_not_consumption",
  "customer_does_not_exist",
  "license_not_enough_consumptions",
  "unsupported_product_feature",
  "feature_not_enough_consumptions",
  "negative_consumptions_not_allowed",
  "device_not_found",
  "blacklisted",
  "floating_not_available",
  "license_borrow_not_allowed",
  "borrow_until_not_valid",
  "feature_not_floating",
  "floating_feature_device_not_in_use",
  "trial_not_allowed",
  "email_missing",
  "trial_expired",
  "license_transferred_max_times",
  "active_license_required",
  "version_not_found",
  "missing_content",
]);

/** The message a code carries when nothing more specific is said. */
export const defaultMessage = (code: ApiErrorCode): string => DEFAULT_MESSAGES[code];

/** Every code this API can answer with (docs/protocol.md "Errors" lists them). */
export const API_ERROR_CODES = Object.keys(DEFAULT_MESSAGES) as ApiErrorCode[];

/** One bad row of a bulk import: its number (1-based), the field at fault (null: the whole row) and why. */
export interface RowError {
  row: number;
  field: string | null;
  message: string;
}

export class ApiError extends Error {
  readonly code: ApiErrorCode;
  readonly status: number;
  /** Bulk imports only (docs/migration.md): every bad row, answered as the body's `errors`. */
  readonly rowErrors: readonly RowError[] | undefined;
  /** Headers the answer carries besides Content-Type (Retry-After on the limit codes). */
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    code: ApiErrorCode,
    message: string = DEFAULT_MESSAGES[code],
    status = statusFor(code),
    rowErrors?: readonly RowError[],
    headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = "ApiError";
    this.code = code;
    this.status = status;
    this.rowErrors = rowErrors;
    this.headers = headers;
  }
}

/** A limit's answer: HTTP 429 with Retry-After, whole seconds, at least 1. */
export function limitError(code: LimitErrorCode, retryAfterMs: number, message?: string): ApiError {
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  return new ApiError(code, message ?? DEFAULT_MESSAGES[code], 429, undefined, { "Retry-After": String(seconds) });
}

/** LicenseSpring answers every documented client error with 400; we keep that for our own codes too, except limits (429). */
export function statusFor(code: ApiErrorCode): number {
  if (code === "internal_server_error") return 500;
  if (code === "not_found") return 404;
  if (code === "method_not_allowed") return 405;
  if (code === "unauthorized") return 401;
  if (code === "forbidden") return 403;
  if (code === "conflict") return 409;
  if (code === "too_many_requests" || code === "too_many_password_attempts") return 429;
  return 400;
}

/**
 * The single place that builds error bodies. Error bodies are not signed (the SDK does not verify
 * them). A code LicenseSpring words answers its sentence; a more specific message goes to the
 * `Error-Detail` header (WORDED_BY_LICENSESPRING).
 */
export function errorResponse(error: unknown): Response {
  const apiError = error instanceof ApiError ? error : internalError(error);
  const worded = WORDED_BY_LICENSESPRING.has(apiError.code);
  const message = worded ? DEFAULT_MESSAGES[apiError.code] : apiError.message;
  const detail: Record<string, string> = worded && apiError.message !== message ? { "Error-Detail": headerText(apiError.message) } : {};
  const body = {
    status: apiError.status,
    code: apiError.code,
    message,
    ...(apiError.rowErrors ? { errors: apiError.rowErrors } : {}),
  };
  return new Response(JSON.stringify(body), {
    status: apiError.status,
    headers: { ...apiError.headers, ...detail, "Content-Type": "application/json" },
  });
}

/** A header value from any text: printable ASCII kept, anything else as a \uXXXX escape (header values are bytes, not Unicode). */
function headerText(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

function internalError(error: unknown): ApiError {
  console.error("unhandled error", error);
  return new ApiError("internal_server_error");
}
