/**
 * How outbox rows are packed into one send to the audit queue: messages of rows, one sendBatch,
 * each bounded by bytes as well as by count (docs/architecture.md "Queue sizing"). Pure, so the
 * bounds can be checked without a queue.
 */
import { jsonBytes, type AuditMessage } from "../audit/audit-message";
import type { OutboxRow, SetAsideRow } from "./outbox";

/** Cloudflare Queues' limits: bytes of one message's body, bytes of one sendBatch, messages of one sendBatch. */
export const QUEUE_LIMITS = { messageBytes: 128_000, batchBytes: 256_000, batchMessages: 100 } as const;

export interface SendBudget {
  messageBytes: number;
  batchBytes: number;
  batchMessages: number;
  messageRows: number;
}

/**
 * What one send may use. The byte budgets leave more than a fifth of each limit free, for what
 * the platform counts beside the JSON body (ids, timestamps, content type); 100 rows a message is
 * what the consumer writes in one D1 transaction.
 */
export const SEND_BUDGET: Readonly<SendBudget> = { messageBytes: 100_000, batchBytes: 200_000, batchMessages: 100, messageRows: 100 };

export interface AuditSend {
  /** The messages of one sendBatch, oldest rows first. */
  messages: AuditMessage[];
  /** The sequence number of the last row they carry (null: none); the outbox drops rows through it once the queue took them. */
  through: number | null;
  /** Rows that no message could carry, even alone, with their size: they must leave the outbox another way. */
  tooLarge: SetAsideRow[];
}

const EMPTY_MESSAGE_BYTES = jsonBytes({ rows: [] } satisfies AuditMessage);

/**
 * Packs the oldest rows, in order, into as few messages as the budget allows, and stops at the
 * first row that would take the send over it (that row waits for the next send). A message's
 * size is counted exactly as the queue encodes it: `{"rows":[` the rows' JSON joined by commas `]}`.
 */
export function packAuditSend(rows: readonly OutboxRow[], budget: SendBudget = SEND_BUDGET): AuditSend {
  const messages: AuditMessage[] = [];
  const tooLarge: SetAsideRow[] = [];
  let through: number | null = null;
  let closedBytes = 0; // the messages already closed
  let open: OutboxRow[] = [];
  let openBytes = EMPTY_MESSAGE_BYTES;
  for (const row of rows) {
    const bytes = jsonBytes(row);
    if (EMPTY_MESSAGE_BYTES + bytes > budget.messageBytes) {
      tooLarge.push({ ...row, bytes });
      continue;
    }
    if (open.length > 0 && (open.length === budget.messageRows || openBytes + 1 + bytes > budget.messageBytes)) {
      if (messages.length + 2 > budget.batchMessages) break; // no room for another message in this send
      messages.push({ rows: open });
      closedBytes += openBytes;
      open = [];
      openBytes = EMPTY_MESSAGE_BYTES;
    }
    const added = open.length === 0 ? bytes : bytes + 1;
    if (closedBytes + openBytes + added > budget.batchBytes) break;
    open.push(row);
    openBytes += added;
    through = row.seq;
  }
  if (open.length > 0) messages.push({ rows: open });
  return { messages, through, tooLarge };
}
