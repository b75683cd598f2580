/**
 * What travels on the audit queue (and its dead-letter queue): rows of one counter, oldest first.
 * The counter objects write it (src/counter/audit-delivery.ts); the consumer checks every message
 * against this schema before it writes anything, so a message that is not one is set apart alone.
 */
import { z } from "zod";
import { SequencedAuditRow } from "../db/consumption-audit";

export const AuditMessage = z.object({ rows: z.array(SequencedAuditRow) });
export type AuditMessage = z.infer<typeof AuditMessage>;

const encoder = new TextEncoder();

/** The size of `value` as the queue carries a JSON message: its JSON text, in UTF-8 bytes. */
export function jsonBytes(value: unknown): number {
  return encoder.encode(JSON.stringify(value)).byteLength;
}
