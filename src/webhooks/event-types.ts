/**
 * The events a webhook endpoint may subscribe to (docs/usage-and-webhooks.md "Events"), and the
 * shape an event has on the audit queue. The counter objects emit the consumption and floating
 * events inside the transaction that caused them; the Worker emits the license and device events
 * in the D1 transaction of the write that caused them.
 */
import { z } from "zod";

/** Emitted by the counter objects. */
export const COUNTER_EVENT_TYPES = [
  "consumption.threshold_reached",
  "consumption.overage_used",
  "consumption.limit_reached",
  "consumption.period_reset",
  "floating.pool_exhausted",
] as const;
export type CounterEventType = (typeof COUNTER_EVENT_TYPES)[number];

/** Emitted by the Worker's writes (the management API, activation) and its scheduled scan (expiry). */
export const LICENSE_EVENT_TYPES = ["license.disabled", "license.expired", "device.activated", "device.blacklisted"] as const;

export const WEBHOOK_EVENT_TYPES = [...COUNTER_EVENT_TYPES, ...LICENSE_EVENT_TYPES] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

const id = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);

/** An event of a counter object as it travels on the audit queue, with its sequence number in the object. */
export const TravellingCounterEvent = z.object({
  seq: id,
  event_id: z.string().min(1).max(100),
  type: z.enum(COUNTER_EVENT_TYPES),
  occurred_at: z.iso.datetime(),
  data: z.record(z.string(), z.unknown()),
});
export type TravellingCounterEvent = z.infer<typeof TravellingCounterEvent>;

/** What a consumption.period_reset event says of the period that ended (the consumer records it, src/db/usage-rollups.ts). */
export const PeriodEnded = z.object({
  license_id: id,
  license_feature_id: id.nullable(),
  period: z.enum(["daily", "weekly", "monthly", "annually"]),
  period_start: z.iso.datetime(),
  period_end: z.iso.datetime(),
  total_consumptions: z.number().int(),
  max_consumption: z.number().int(),
  overage: z.number().int(),
});
export type PeriodEnded = z.infer<typeof PeriodEnded>;
