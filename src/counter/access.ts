/**
 * Whether a request may do what it asks of this counter: the License API's documented precedence
 * (src/license-api/resolve-license.ts, the code the Worker runs on a D1 lookup) applied to the
 * snapshot. That code throws ApiError, as the Worker's handlers expect; `refusalOf` is the one
 * place in the object that turns it into a result, so refusals cross the object's modules as
 * values (`Denied`), never as exceptions.
 */
import { ApiError } from "../errors";
import { resolveLicense, resolveLicenseFeature } from "../license-api/resolve-license";
import { contextOf, type CounterSnapshot } from "./snapshot";
import type { ConsumeRequest, Denied } from "./types";

/** Runs a precedence check; its refusal as a result. Anything but an ApiError is a bug and is thrown on. */
export function refusalOf<T>(check: () => T): { ok: true; value: T } | { ok: false; denied: Denied } {
  try {
    return { ok: true, value: check() };
  } catch (error) {
    if (error instanceof ApiError) return { ok: false, denied: { kind: "denied", code: error.code, message: error.message } };
    throw error;
  }
}

/** A consumption's checks: the license, device and feature, plus add_consumption's license type. Null: allowed. */
export function consumptionDenied(snapshot: CounterSnapshot, request: ConsumeRequest, nowMs: number): Denied | null {
  const context = contextOf(snapshot, request.lookup);
  const checked = refusalOf(() => {
    if (snapshot.feature) resolveLicenseFeature(context, request.lookup, request.access, nowMs);
    else {
      resolveLicense(context, request.lookup, request.access, nowMs);
      if (snapshot.license.licenseType !== "consumption") throw new ApiError("license_not_consumption");
    }
  });
  return checked.ok ? null : checked.denied;
}
