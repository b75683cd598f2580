/**
 * The audit queue's consumer (and the dead-letter queue's): the counter objects send their outbox
 * rows here, and this writes them to D1 in transactions of up to 100 rows from any number of
 * counters, so D1 sees a handful of write transactions however many features are consumed. The
 * writes are idempotent (event_id is unique; the totals mirror only moves forward), so a message
 * delivered twice, retried after a failure, or replayed from the dead-letter queue changes
 * nothing the first delivery wrote.
 */
import type { AuditMessage } from "../counter/outbox";
import { auditStatements } from "../db/consumption-audit";

const ROWS_PER_TRANSACTION = 100;
const MAX_RETRY_DELAY_S = 300;

/** What this isolate has written (for logs and the batching test). */
export const auditWrites = { transactions: 0, rows: 0 };

export async function consumeAuditBatch(batch: MessageBatch<AuditMessage>, env: Env): Promise<void> {
  for (const group of transactionGroups(batch.messages)) {
    const rows = group.flatMap((message) => message.body.rows);
    try {
      await env.DB.batch(auditStatements(env.DB, rows));
      auditWrites.transactions += 1;
      auditWrites.rows += rows.length;
      for (const message of group) message.ack();
    } catch (error) {
      // D1 unavailable (or a bad message): nothing of this group was written. Each message comes
      // back after a growing delay; after the consumer's max_retries it moves to the dead-letter queue.
      console.warn(`audit write of ${rows.length} rows failed; retrying: ${String(error)}`);
      for (const message of group) message.retry({ delaySeconds: Math.min(MAX_RETRY_DELAY_S, 2 ** Math.min(message.attempts - 1, 9)) });
    }
  }
}

/** Whole messages, packed in order into groups of at most ROWS_PER_TRANSACTION rows. */
function transactionGroups(messages: readonly Message<AuditMessage>[]): Message<AuditMessage>[][] {
  const groups: Message<AuditMessage>[][] = [];
  let group: Message<AuditMessage>[] = [];
  let rows = 0;
  for (const message of messages) {
    const count = Array.isArray(message.body?.rows) ? message.body.rows.length : 0;
    if (group.length > 0 && rows + count > ROWS_PER_TRANSACTION) {
      groups.push(group);
      group = [];
      rows = 0;
    }
    group.push(message);
    rows += count;
  }
  if (group.length > 0) groups.push(group);
  return groups;
}
