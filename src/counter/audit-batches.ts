/**
 * How outbox rows are packed into one send to the audit queue: messages of rows, one sendBatch,
 * each bounded by bytes as well as by count (docs/architecture.md "Queue sizing"). The object's
 * events and refusal counts (usage-signals.ts) travel in the same send, ahead of the rows: they are
 * few, and webhooks wait for them. Pure, so the bounds can be checked without a queue.
 */
import { jsonBytes, type AuditMessage, type RefusalReport } from "../audit/audit-message";
import type { CounterEvent } from "./event-outbox";
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
  /** The sequence number of the last event the messages carry, or that is dropped as too large (null: none). */
  eventsThrough: number | null;
  /** The refusal counts the messages carry. */
  refusals: RefusalReport[];
}

/** What travels ahead of the rows. */
export interface Signals {
  events: readonly CounterEvent[];
  refusals: readonly RefusalReport[];
}

const NO_SIGNALS: Signals = { events: [], refusals: [] };

const EMPTY_MESSAGE_BYTES = jsonBytes({ rows: [] } satisfies AuditMessage);

/**
 * Packs the oldest rows, in order, into as few messages as the budget allows, and stops at the
 * first row that would take the send over it (that row waits for the next send). A message's
 * size is counted exactly as the queue encodes it: `{"rows":[` the rows' JSON joined by commas `]}`.
 */
export function packAuditSend(rows: readonly OutboxRow[], budget: SendBudget = SEND_BUDGET, signals: Signals = NO_SIGNALS): AuditSend {
  const packed = packSignals(signals, budget, rows.length > 0);
  const left = {
    ...budget,
    batchBytes: budget.batchBytes - packed.bytes,
    batchMessages: budget.batchMessages - packed.messages.length,
  };
  const rowsSend = packRows(rows, left);
  return { ...rowsSend, messages: [...packed.messages, ...rowsSend.messages], ...packed.result };
}

function packRows(rows: readonly OutboxRow[], budget: SendBudget): Pick<AuditSend, "messages" | "through" | "tooLarge"> {
  const messages: AuditMessage[] = [];
  if (budget.batchMessages <= 0) return { messages, through: null, tooLarge: [] };
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

// A message's JSON is `{"rows":[],"events":[…],"refusals":[…]}`, each list present only when it
// holds something: these are the bytes of each part around its items.
const EVENTS_PART_BYTES = jsonBytes({ rows: [], events: [] }) - EMPTY_MESSAGE_BYTES;
const REFUSALS_PART_BYTES = jsonBytes({ rows: [], refusals: [] }) - EMPTY_MESSAGE_BYTES;

/**
 * Events first, then refusal counts, in order, into messages of their own within the budget (a
 * message holds at most messageRows of them), leaving a message for the rows if rows wait; stops
 * at the first that would take the send over.
 * An event that no message could carry alone is dropped with an error logged: the input limits
 * keep every event under a kilobyte, so this cannot happen, but it must not block the rest.
 */
function packSignals(
  signals: Signals,
  budget: SendBudget,
  rowsWaiting: boolean,
): { messages: AuditMessage[]; bytes: number; result: Pick<AuditSend, "eventsThrough" | "refusals"> } {
  const messages: AuditMessage[] = [];
  const refusals: RefusalReport[] = [];
  let eventsThrough: number | null = null;
  let closedBytes = 0;
  let events: CounterEvent[] = [];
  let counts: RefusalReport[] = [];
  let openBytes = EMPTY_MESSAGE_BYTES;
  const close = () => {
    messages.push({ rows: [], ...(events.length > 0 ? { events } : {}), ...(counts.length > 0 ? { refusals: counts } : {}) });
    closedBytes += openBytes;
    events = [];
    counts = [];
    openBytes = EMPTY_MESSAGE_BYTES;
  };
  const items: Array<{ event: CounterEvent; bytes: number } | { refusal: RefusalReport; bytes: number }> = [
    ...signals.events.map((event) => ({ event, bytes: jsonBytes(event) })),
    ...signals.refusals.map((refusal) => ({ refusal, bytes: jsonBytes(refusal) })),
  ];
  for (const item of items) {
    const isEvent = "event" in item;
    const part = isEvent ? EVENTS_PART_BYTES : REFUSALS_PART_BYTES;
    if (isEvent && EMPTY_MESSAGE_BYTES + part + item.bytes > budget.messageBytes) {
      console.error(`event ${item.event.event_id} (${item.bytes} bytes) is larger than a queue message carries: dropped`);
      eventsThrough = item.event.seq;
      continue;
    }
    const added = () => ((isEvent ? events : counts).length === 0 ? part + item.bytes : item.bytes + 1);
    const held = events.length + counts.length;
    if (held > 0 && (held === budget.messageRows || openBytes + added() > budget.messageBytes)) close();
    // A new message must leave one for the rows, if rows wait.
    if (events.length + counts.length === 0 && messages.length + 1 + (rowsWaiting ? 1 : 0) > budget.batchMessages) break;
    const size = added();
    if (closedBytes + openBytes + size > budget.batchBytes) break;
    openBytes += size;
    if ("event" in item) {
      events.push(item.event);
      eventsThrough = item.event.seq;
    } else {
      counts.push(item.refusal);
      refusals.push(item.refusal);
    }
  }
  if (events.length + counts.length > 0) close();
  return { messages, bytes: closedBytes, result: { eventsThrough, refusals } };
}
