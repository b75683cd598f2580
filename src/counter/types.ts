/** What the Worker and the counter object say to each other (the object's RPC surface's types). */
import type { ConsumptionEvent } from "../license-api/schemas";
import type { ConsumptionPeriod, ConsumptionRules } from "./consumption-rules";

export interface CounterIdentity {
  licenseId: number;
  /** null for a license-level counter */
  licenseFeatureId: number | null;
  featureCode: string | null;
}

/**
 * Identifies one consumption request so that it is applied at most once: the client's
 * Idempotency-Key (scoped to its API key) or, without one, a key the Worker made up for its own
 * retries. `fingerprint` is a hash of the endpoint and the validated body.
 */
export interface RequestKey {
  key: string;
  fingerprint: string;
  /** When this object may forget the key (ms since epoch). */
  expiresAt: number;
}

export interface ConsumeRequest {
  requestKey: RequestKey;
  counter: CounterIdentity;
  /** The rules this request is decided with. */
  rules: ConsumptionRules;
  /** The rules the answer reports, when they differ (add_consumption's request-narrowed overages). */
  reportedRules?: ConsumptionRules;
  consumptions: number;
  event: ConsumptionEvent;
  hardwareId: string;
  apiKeyId: number;
  /** The D1 mirror of the total, used only the first time this object ever runs. */
  initialTotal: number;
}

export type ConsumeRefusal = "feature_not_enough_consumptions" | "negative_consumptions_not_allowed" | "idempotency_key_reused";

export type ConsumeOutcome = (
  { ok: true; total: number; periodStart: string | null } | { ok: false; code: ConsumeRefusal; message: string; total: number }
) & {
  /** The rules the answer reports, remembered so a replay can rebuild the original body byte for byte. */
  rules: ConsumptionRules;
  /** True when this is the stored answer to an earlier request with the same key. */
  replayed: boolean;
};

export interface CounterState {
  total: number;
  /** The start (ISO-8601) of the period being tracked, when the counter resets periodically. */
  periodStart: string | null;
  /** The kind of that period; undefined on rows stored before the kind was recorded. */
  periodKind?: ConsumptionPeriod | null | undefined;
}
