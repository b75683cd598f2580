/**
 * Management API keys: `Authorization: Api-Key <key>`, where the key is either the Worker secret
 * MANAGEMENT_KEY (the bootstrap admin) or a named management key (docs/management-api.md
 * "Management keys and roles"). Both are separate from the License API's per-client API keys on
 * purpose: whoever holds one can issue licenses or revoke credentials.
 *
 * - The header is read here (`presentedManagementKey`): no header, or not of the form
 *   `Api-Key <key>`, is 401 `unauthorized` (the caller has not presented a management key at all).
 * - The bootstrap key is compared in constant time: both values are hashed with SHA-256 (so
 *   lengths never leak through an early exit) and the digests compared with
 *   `crypto.subtle.timingSafeEqual`. A MANAGEMENT_KEY shorter than MIN_MANAGEMENT_KEY_LENGTH counts
 *   as unset: it opens nothing.
 * - Named keys are `mk_` and 43 base64url characters (256 random bits). Only their SHA-256 is
 *   stored, and a presented key is looked up by its hash. A plain hash is enough, where passwords
 *   need a slow one: a password has few bits, so a stolen hash can be reversed by trying likely
 *   passwords; a key of 256 random bits cannot be found from its hash by any number of tries, and a
 *   slow hash would only cost CPU time on every request. Looking a hash up in an index leaks
 *   nothing useful by its timing either: a caller who does not know a key does not control the
 *   digest of what they send.
 */
import { ApiError } from "../errors";

/** A management key shorter than this is treated as unset: it opens nothing. */
export const MIN_MANAGEMENT_KEY_LENGTH = 16;

/** How a named management key looks: the prefix tells it apart from other secrets in logs and config. */
export const NAMED_KEY_PATTERN = /^mk_[A-Za-z0-9_-]{43}$/;

const SCHEME = /^\s*Api-Key\s+(\S+)\s*$/i;
const encoder = new TextEncoder();

/** The key in `Authorization: Api-Key <key>`; 401 unauthorized without one. */
export function presentedManagementKey(authorization: string | null): string {
  if (authorization === null || authorization.trim() === "") throw new ApiError("unauthorized");
  const presented = SCHEME.exec(authorization)?.[1];
  if (presented === undefined) {
    throw new ApiError(
      "unauthorized",
      'The Authorization header must be "Api-Key <management key>" (License API HMAC credentials are not accepted here)',
    );
  }
  return presented;
}

/** Whether the Worker has a usable bootstrap key (MANAGEMENT_KEY of at least MIN_MANAGEMENT_KEY_LENGTH characters). */
export const bootstrapKeyConfigured = (configured: string | undefined): configured is string =>
  configured !== undefined && configured.length >= MIN_MANAGEMENT_KEY_LENGTH;

/** Whether `presented` is the bootstrap key, compared in constant time; false when none is configured. */
export async function isBootstrapKey(presented: string, configured: string | undefined): Promise<boolean> {
  if (!bootstrapKeyConfigured(configured)) return false;
  const [digestA, digestB] = await Promise.all([sha256(presented), sha256(configured)]);
  return crypto.subtle.timingSafeEqual(digestA, digestB);
}

/** What is stored of a named key: its SHA-256, lowercase hex. */
export async function managementKeyHash(key: string): Promise<string> {
  return Array.from(new Uint8Array(await sha256(key)), (byte) => byte.toString(16).padStart(2, "0")).join("");
}

function sha256(text: string): Promise<ArrayBuffer> {
  return crypto.subtle.digest("SHA-256", encoder.encode(text));
}
