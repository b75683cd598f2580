/**
 * The audit queue's consumer, and its dead-letter queue's (docs/architecture.md "The audit log").
 * The counter objects send their outbox rows here; this writes them to D1 in transactions of up to
 * 100 rows from any number of counters, so D1 sees a handful of write transactions however many
 * features are consumed. The writes are idempotent (event_id is unique; the totals mirror only
 * moves forward), so a message delivered twice, retried after a failure, or replayed from the
 * dead-letter queue changes nothing the first delivery wrote.
 *
 * The same transaction rolls the rows and the objects' refusal counts up into the usage rollups,
 * records the periods that ended, and turns the objects' events into webhook deliveries
 * (docs/usage-and-webhooks.md), all idempotent too; the new deliveries go to the webhook queue
 * once it committed.
 *
 * Each message is acknowledged or retried on its own, so one bad message never holds the rest of
 * its batch:
 * - a message that is not an audit message (audit-message.ts) is retried with backoff, and after
 *   the queue's max_retries moves to the dead-letter queue;
 * - a group of messages D1 refuses is written again message by message when D1 still answers, so
 *   only the message at fault is retried; when D1 does not answer, every message is retried.
 * On the dead-letter queue, well-formed messages are written the same way; what still cannot be
 * written (not an audit message, or rows D1 refuses while it answers) is recorded whole in D1's
 * audit_dead_letters, where the vendor sees it, and acknowledged.
 */
import { encodeBase64 } from "../base64";
import { auditStatements, recordDeadLetters, type DeadLetter } from "../db/consumption-audit";
import { distinctRows, rollupStatements } from "../db/usage-rollups";
import { webhookEventStatements } from "../db/webhooks";
import { PeriodEnded } from "../webhooks/event-types";
import { sendDeliveries } from "../webhooks/webhook-consumer";
import { AuditMessage } from "./audit-message";

/** The dead-letter queue, as wrangler.toml names it (test/node/audit-queues.test.ts checks they agree). */
export const AUDIT_DEAD_LETTER_QUEUE = "edge-license-audit-dlq";

const ROWS_PER_TRANSACTION = 100;
const MAX_RETRY_DELAY_S = 300;

/** What this isolate's consumer did (for logs and tests): D1 transactions and rows written, messages retried, dead letters recorded. */
export const auditWrites = { transactions: 0, rows: 0, retried: 0, deadLetters: 0 };

interface Parsed {
  message: Message<unknown>;
  /** The message's rows; its events and refusal counts (none in messages from before they travelled). */
  rows: AuditMessage["rows"];
  events: NonNullable<AuditMessage["events"]>;
  refusals: NonNullable<AuditMessage["refusals"]>;
}

export async function consumeAuditBatch(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const deadLetterQueue = batch.queue === AUDIT_DEAD_LETTER_QUEUE;
  const wellFormed: Parsed[] = [];
  const malformed: DeadLetterCandidate[] = [];
  for (const message of batch.messages) {
    const parsed = AuditMessage.safeParse(message.body);
    if (parsed.success) {
      const { rows, events = [], refusals = [] } = parsed.data;
      wellFormed.push({ message, rows, events, refusals });
    } else malformed.push({ message, reason: "malformed", detail: problems(parsed.error.issues) });
  }
  if (malformed.length > 0) {
    console.error(
      `audit messages that are not audit messages: ${malformed.map(({ message, detail }) => `${message.id}: ${detail}`).join(" | ")}`,
    );
    if (deadLetterQueue) await recordOrRetry(env, malformed);
    else retry(malformed.map(({ message }) => message));
  }

  const refused: Parsed[] = [];
  for (const group of transactionGroups(wellFormed)) {
    if (await written(env, group)) continue;
    // Nothing of the group was written. If D1 answers, a message of it is at fault: find it.
    if (group.length > 1 && (await answers(env.DB))) {
      for (const one of group) if (!(await written(env, [one]))) refused.push(one);
    } else refused.push(...group);
  }
  if (refused.length === 0) return;
  console.warn(`audit write of ${refused.length} messages failed; ${deadLetterQueue ? "recording them as dead letters" : "retrying"}`);
  if (deadLetterQueue && (await answers(env.DB))) {
    await recordOrRetry(
      env,
      refused.map(({ message }) => ({ message, reason: "write_failed", detail: "D1 refused this message's rows while it answered" })),
    );
  } else retry(refused.map(({ message }) => message));
}

/**
 * Writes the group in one D1 transaction: its rows, their rollups, the refusal counts, the periods
 * that ended and the webhook deliveries of its events; then acknowledges its messages and sends the
 * new deliveries to the webhook queue. False if D1 refused (nothing was written).
 */
async function written(env: Env, group: readonly Parsed[]): Promise<boolean> {
  const rows = distinctRows(group.flatMap((parsed) => parsed.rows));
  const events = group.flatMap((parsed) => parsed.events);
  const refusals = group.flatMap((parsed) => parsed.refusals);
  const periods = events.flatMap((event) => {
    if (event.type !== "consumption.period_reset") return [];
    const period = PeriodEnded.safeParse(event.data);
    return period.success ? [period.data] : [];
  });
  const webhookStatements = webhookEventStatements(
    env.DB,
    events.map(({ seq: _seq, ...event }) => event),
    new Date().toISOString(),
  );
  const statements = [...rollupStatements(env.DB, rows, refusals, periods), ...auditStatements(env.DB, rows), ...webhookStatements];
  let deliveries: number[] = [];
  try {
    if (statements.length > 0) {
      const results = await env.DB.batch<{ id: number }>(statements);
      if (webhookStatements.length > 0) deliveries = (results.at(-1)?.results ?? []).map((row) => row.id);
    }
  } catch (error) {
    console.warn(`audit write of ${rows.length} rows failed: ${String(error)}`);
    return false;
  }
  auditWrites.transactions += 1;
  auditWrites.rows += rows.length;
  for (const { message } of group) message.ack();
  await sendDeliveries(env, deliveries);
  return true;
}

/** Whether D1 answers at all: a group it refused then holds a message at fault. */
async function answers(db: D1Database): Promise<boolean> {
  try {
    await db.prepare("SELECT 1").first();
    return true;
  } catch {
    return false;
  }
}

/** Each message comes back after a growing delay; after the consumer's max_retries it moves to the dead-letter queue. */
function retry(messages: readonly Message<unknown>[]): void {
  for (const message of messages) message.retry({ delaySeconds: Math.min(MAX_RETRY_DELAY_S, 2 ** Math.min(message.attempts - 1, 9)) });
  auditWrites.retried += messages.length;
}

interface DeadLetterCandidate {
  message: Message<unknown>;
  reason: "malformed" | "write_failed";
  detail: string;
}

/** Records the messages in audit_dead_letters and acknowledges them; if D1 refuses that too, they are retried. */
async function recordOrRetry(env: Env, candidates: readonly DeadLetterCandidate[]): Promise<void> {
  const receivedAt = new Date().toISOString();
  const letters = candidates.map(({ message, reason, detail }): DeadLetter => {
    const body = bodyText(message.body);
    return { deadLetterId: message.id, reason, detail, body, bodyBytes: new TextEncoder().encode(body).byteLength, receivedAt };
  });
  try {
    await recordDeadLetters(env.DB, letters);
  } catch (error) {
    console.warn(`recording ${letters.length} dead letters failed; retrying: ${String(error)}`);
    retry(candidates.map(({ message }) => message));
    return;
  }
  auditWrites.deadLetters += letters.length;
  for (const { message } of candidates) message.ack();
}

/** A message body as text: its JSON (bytes as base64 strings), or what it says of itself when it has no JSON. */
function bodyText(body: unknown): string {
  try {
    return (
      JSON.stringify(body, (_key, value: unknown) =>
        value instanceof ArrayBuffer
          ? encodeBase64(new Uint8Array(value))
          : ArrayBuffer.isView(value)
            ? encodeBase64(new Uint8Array(value.buffer, value.byteOffset, value.byteLength))
            : value,
      ) ?? String(body)
    );
  } catch {
    return String(body);
  }
}

/** The first few problems zod found, each with the path it found it at. */
function problems(issues: ReadonlyArray<{ path: PropertyKey[]; message: string }>): string {
  const listed = issues.slice(0, 5).map((issue) => `${issue.path.map(String).join(".") || "body"}: ${issue.message}`);
  return issues.length > 5 ? `${listed.join("; ")}; and ${issues.length - 5} more` : listed.join("; ");
}

/** Whole messages, packed in order into groups of at most ROWS_PER_TRANSACTION rows, events and refusal counts. */
function transactionGroups(messages: readonly Parsed[]): Parsed[][] {
  const groups: Parsed[][] = [];
  let group: Parsed[] = [];
  let rows = 0;
  for (const parsed of messages) {
    const size = parsed.rows.length + parsed.events.length + parsed.refusals.length;
    if (group.length > 0 && rows + size > ROWS_PER_TRANSACTION) {
      groups.push(group);
      group = [];
      rows = 0;
    }
    group.push(parsed);
    rows += size;
  }
  if (group.length > 0) groups.push(group);
  return groups;
}
