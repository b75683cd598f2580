/**
 * Management API authentication: `Authorization: Api-Key <management key>`, where the key is the
 * Worker secret MANAGEMENT_KEY. It is separate from the License API's per-client API keys on
 * purpose: whoever holds it can issue licenses and revoke credentials.
 *
 * Failures, each a JSON error body:
 * - 401 `unauthorized`: no Authorization header, or not of the form `Api-Key <key>` (the caller
 *   has not presented a management key at all; the response says how to).
 * - 403 `forbidden`: a key was presented and it is not the management key; or the Worker has no
 *   usable MANAGEMENT_KEY (shorter than MIN_MANAGEMENT_KEY_LENGTH), so the API is closed to all.
 *
 * The comparison is constant-time: both values are hashed with SHA-256 (so lengths never leak
 * through an early exit) and the digests compared with `crypto.subtle.timingSafeEqual`.
 */
import { ApiError } from "../errors";

/** A management key shorter than this is treated as unset: the API stays closed. */
export const MIN_MANAGEMENT_KEY_LENGTH = 16;

const SCHEME = /^\s*Api-Key\s+(\S+)\s*$/i;
const encoder = new TextEncoder();

/** Throws unauthorized/forbidden unless `authorization` carries the management key. */
export async function verifyManagementKey(authorization: string | null, managementKey: string | undefined): Promise<void> {
  if (authorization === null || authorization.trim() === "") throw new ApiError("unauthorized");
  const presented = SCHEME.exec(authorization)?.[1];
  if (presented === undefined) {
    throw new ApiError(
      "unauthorized",
      'The Authorization header must be "Api-Key <management key>" (License API HMAC credentials are not accepted here)',
    );
  }
  if (!managementKey || managementKey.length < MIN_MANAGEMENT_KEY_LENGTH) {
    throw new ApiError("forbidden", "The management API is disabled: the Worker secret MANAGEMENT_KEY is not set");
  }
  if (!(await constantTimeEqual(presented, managementKey))) throw new ApiError("forbidden");
}

async function constantTimeEqual(a: string, b: string): Promise<boolean> {
  const [digestA, digestB] = await Promise.all([
    crypto.subtle.digest("SHA-256", encoder.encode(a)),
    crypto.subtle.digest("SHA-256", encoder.encode(b)),
  ]);
  return crypto.subtle.timingSafeEqual(digestA, digestB);
}
