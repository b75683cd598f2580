/**
 * What check_license asks of a license's object and check_license_feature of a feature's object,
 * decided in one transactionSync: the license (and feature) checks in the documented precedence,
 * then, for a floating cloud license (or feature), one of its slots taken or refreshed for the
 * device (floating-decision.ts), then the live total for a consumption license (or feature). The
 * object answers with the snapshot it decided with, so the Worker builds the license object from
 * it and passes it on to the license's other objects: no D1 read on the way.
 */
import { resolveLicense, resolveLicenseFeature } from "../license-api/resolve-license";
import { refusalOf } from "./access";
import type { CounterTotal } from "./counter-total";
import { decideFloating } from "./floating-decision";
import type { FloatingPool, PoolView } from "./floating-pool";
import { contextOf, type CounterSnapshot } from "./snapshot";
import type { CheckOutcome, CheckRequest } from "./types";

/** The check; `read` is left for the caller to attach (the snapshot's rows). */
export function decideCheck(
  pool: FloatingPool,
  total: CounterTotal,
  snapshot: CounterSnapshot,
  request: CheckRequest,
  nowMs: number,
):
  | Exclude<CheckOutcome, { kind: "checked" }>
  | { kind: "checked"; pool: PoolView | null; state: ReturnType<CounterTotal["current"]> | null } {
  const context = contextOf(snapshot, request.lookup);
  const checked = refusalOf(() =>
    snapshot.feature
      ? resolveLicenseFeature(context, request.lookup, request.access, nowMs, "read")
      : resolveLicense(context, request.lookup, request.access, nowMs),
  );
  if (!checked.ok) return checked.denied;
  const floating = snapshot.feature ? snapshot.feature.floating.isFloatingCloud : snapshot.license.floating.isFloatingCloud;
  let view: PoolView | null = null;
  if (floating) {
    const decided = decideFloating(pool, snapshot, { ...request, action: { kind: "check_in" } }, nowMs);
    if (decided.kind === "denied") return decided;
    if (decided.kind === "pool") view = decided.pool;
  }
  const counts = snapshot.feature ? snapshot.feature.featureType === "consumption" : snapshot.license.licenseType === "consumption";
  return { kind: "checked", pool: view, state: counts ? total.current(snapshot, nowMs, null) : null };
}
