/**
 * What travels on the audit queue (and its dead-letter queue): rows of one counter, oldest first,
 * and that counter's events and hourly refusal counts (docs/usage-and-webhooks.md). The counter
 * objects write it (src/counter/audit-delivery.ts); the consumer checks every message against this
 * schema before it writes anything, so a message that is not one is set apart alone. Messages
 * from before events and refusals travelled hold rows only: both lists are optional.
 */
import { z } from "zod";
import { SequencedAuditRow } from "../db/consumption-audit";
import { TravellingCounterEvent } from "../webhooks/event-types";

const id = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
const count = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

/** One hour's refusals of one counter (src/counter/refusal-counts.ts): absolute counts, so a resend changes nothing. */
export const RefusalReport = z.object({
  license_id: id,
  license_feature_id: id.nullable(),
  hour: z.iso.datetime().refine((hour) => hour.endsWith(":00:00.000Z"), "an hour's start, e.g. 2026-11-04T13:00:00.000Z"),
  over_limit: count,
  negative: count,
});
export type RefusalReport = z.infer<typeof RefusalReport>;

export const AuditMessage = z.object({
  rows: z.array(SequencedAuditRow),
  events: z.array(TravellingCounterEvent).optional(),
  refusals: z.array(RefusalReport).optional(),
});
export type AuditMessage = z.infer<typeof AuditMessage>;

const encoder = new TextEncoder();

/** The size of `value` as the queue carries a JSON message: its JSON text, in UTF-8 bytes. */
export function jsonBytes(value: unknown): number {
  return encoder.encode(JSON.stringify(value)).byteLength;
}
