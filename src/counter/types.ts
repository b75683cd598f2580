/** What the Worker and the counter object say to each other (the object's RPC surface's types). */
import type { ProductAccess } from "../db/api-keys";
import type { FeatureFloating, LicenseLookup } from "../db/license-context";
import type { ApiErrorCode } from "../errors";
import type { ConsumptionEvent } from "../license-api/schemas";
import type { ConsumptionPeriod, ConsumptionRules } from "./consumption-rules";
import type { Lease, PoolView } from "./floating-pool";
import type { CounterTarget, SnapshotRead } from "./snapshot";

/**
 * Identifies one consumption request so that it is applied at most once: the client's
 * Idempotency-Key (scoped to its API key) or, without one, a key the Worker made up for its own
 * retries. `fingerprint` is a hash of the endpoint and the validated body (client keys only).
 */
export interface RequestKey {
  key: string;
  fingerprint: string;
  /** When this object may forget the key (ms since epoch). */
  expiresAt: number;
}

export interface ConsumeRequest {
  target: CounterTarget;
  /** Who the request says it is; the object checks it names this counter and decides access. */
  lookup: LicenseLookup;
  /** The newest product-defaults version the Worker knows: the object reloads if its own is older. */
  productVersion: number;
  /** Which products the request's API key may use (checked with the rest of the precedence). */
  access: ProductAccess;
  requestKey: RequestKey;
  /** A resend after a failed attempt that may have committed: look the key up even if internal. */
  retry: boolean;
  consumptions: number;
  event: ConsumptionEvent;
  apiKeyId: number;
  /** add_consumption's request-level overage settings, which may only narrow the license's. */
  overages?: { allowOverages?: boolean | undefined; maxOverages?: number | undefined };
  /** The license's snapshot, when the Worker read it on the way (its first request for this license): the object takes it if it has none as new. */
  seed?: SnapshotRead | undefined;
}

/** What an accepted consumption's answer is built from: stored with it, so a replay is byte for byte the same. */
export interface ConsumeReport {
  /** The license feature's id, or the license's for a license counter. */
  id: number;
  licenseId: number;
  companyId: number;
  /** The rules the answer reports (the license's own for add_consumption, not the request-narrowed ones). */
  rules: ConsumptionRules;
  total: number;
  periodStart: string | null;
  /** The feature's floating settings, when it is a floating feature (add_feature_consumption reports them). */
  floating?: FeatureFloating | null;
}

export type RuleRefusal = "feature_not_enough_consumptions" | "negative_consumptions_not_allowed";

/** The license, the device or the feature refused the request (nothing written, nothing remembered). */
export interface Denied {
  kind: "denied";
  code: ApiErrorCode;
  message: string;
}

export type ConsumeOutcome =
  | { kind: "accepted"; report: ConsumeReport; replayed: boolean }
  /** A consumption rule refused it (remembered under the request key like an acceptance). */
  | { kind: "refused"; code: RuleRefusal; message: string; replayed: boolean }
  | Denied
  | { kind: "key_reused" }
  /** The request's identity does not name this counter (the Worker's cached route is stale). */
  | { kind: "stale_route" };

export interface CounterState {
  total: number;
  /** The start (ISO-8601) of the period being tracked, when the counter resets periodically. */
  periodStart: string | null;
  /** The kind of that period; undefined on rows stored before the kind was recorded. */
  periodKind?: ConsumptionPeriod | null | undefined;
}

/** A counter as the usage reconciliation sees it (ConsumptionCounter.usageState). */
export interface CounterUsageState {
  total: number;
  periodStart: string | null;
  auditRowsWritten: number;
  pendingAuditRows: number;
  pendingEvents: number;
  unsentRefusalHours: number;
}

/**
 * What a request does to a floating pool (docs/architecture.md "Floating pools"):
 * - check_in: take a slot, or refresh the one held (check_license, check_license_feature);
 * - borrow: take or keep a slot until `borrowedUntil` (null: as long as allowed), text as sent;
 * - release: free the slot at once;
 * - status: only look (activation answers; an expired feature's check).
 */
export type FloatingAction =
  { kind: "check_in" } | { kind: "borrow"; borrowedUntil: string | null } | { kind: "release" } | { kind: "status" };

export interface FloatingRequest {
  target: CounterTarget;
  /** Who the request says it is; the object checks it names this counter and decides access, as for a consumption. */
  lookup: LicenseLookup;
  productVersion: number;
  access: ProductAccess;
  action: FloatingAction;
  /** As ConsumeRequest's. */
  seed?: SnapshotRead | undefined;
}

export type FloatingOutcome =
  /** The pool after the action, as the requesting device sees it; `released`: it held a slot that was freed. */
  | { kind: "pool"; pool: PoolView; released: boolean }
  /** The license (or feature) is not floating: nothing to take or free. */
  | { kind: "not_floating" }
  | Denied
  | { kind: "stale_route" };

/** check_license (at the license's object) or check_license_feature (at the feature's object). */
export interface CheckRequest {
  target: CounterTarget;
  /** Who the request says it is; the object checks it names this counter and decides access. */
  lookup: LicenseLookup;
  productVersion: number;
  access: ProductAccess;
  /** As ConsumeRequest's. */
  seed?: SnapshotRead | undefined;
}

export type CheckOutcome =
  /**
   * The check passed: the snapshot it was decided with (the Worker answers the license or feature
   * from it, and seeds the license's other objects with it), the pool after the device's check-in
   * (floating cloud only) and the live total (consumption licenses and features only).
   */
  { kind: "checked"; read: SnapshotRead; pool: PoolView | null; state: CounterState | null } | Denied | { kind: "stale_route" };

/** A pool as the vendor sees it (management API). */
export interface PoolLeases {
  floating: boolean;
  leases: Lease[];
}
