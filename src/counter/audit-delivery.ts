/**
 * Where audit rows leave the counter object: the outbox is sent to the audit queue off the
 * response path, a few rows per message (audit-batches.ts packs them within the queue's limits),
 * and rows are deleted from the outbox only after the queue accepted them; the queue's consumer
 * writes them to D1 idempotently (src/audit/). If a send fails, or the object is evicted mid-send,
 * the rows stay and the alarm retries with backoff, for as long as it takes.
 *
 * The object's events and hourly refusal counts (usage-signals.ts) leave the same way, in the
 * same sends, ahead of the rows. New rows and events start a send at once; refusals alone only
 * ask for the alarm within SAFETY_NET_MS, so a client hammering a spent allowance costs at most
 * one queue send a minute for its refusals.
 *
 * A row that no message could carry, even alone, would fail every send it is in: it is moved out
 * of the outbox (kept whole in `set_aside_audit_rows`) before any send, recorded in D1's
 * `audit_dead_letters` where the vendor sees it, and never sent, so nothing waits behind it.
 */
import { recordDeadLetters, type DeadLetter } from "../db/consumption-audit";
import type { AlarmSchedule } from "./alarm-schedule";
import { packAuditSend, SEND_BUDGET } from "./audit-batches";
import type { EventOutbox } from "./event-outbox";
import type { Outbox, SetAsideRow } from "./outbox";
import type { RefusalCounts } from "./refusal-counts";

/** The most rows one send looks at; audit-batches.ts decides how many of them it takes. */
const ROWS_PER_SEND = 500;
/** The most events one send looks at. */
const EVENTS_PER_SEND = 100;

/** Where what leaves the object waits. */
export interface Outboxes {
  rows: Outbox;
  events: EventOutbox;
  refusals: RefusalCounts;
}
/** A send waits this long first, so rows arriving together travel together. */
const SEND_DEBOUNCE_MS = 5;
/**
 * The alarm that guarantees a send even if the object is evicted right after a consumption. Sends
 * normally complete within milliseconds, so this alarm only matters after an eviction mid-send. At
 * most once a minute: under load spread over many counters, a shorter net would set and run an
 * alarm every few consumptions, for rows the send after the response delivers anyway
 * (bench/README.md "Where the service's CPU goes" has the measurement).
 */
export const SAFETY_NET_MS = 60_000;
const MAX_RETRY_MS = 60_000;
/** Set-aside rows recorded in D1 per attempt. */
const REPORTS_PER_WRITE = 20;
/** Strings of a set-aside row are recorded in D1 cut to this many characters (the row itself is kept whole). */
const REPORTED_TEXT_CHARS = 1024;

export class AuditDelivery {
  readonly #ctx: DurableObjectState;
  readonly #env: () => Env;
  readonly #outbox: Outbox;
  readonly #events: EventOutbox;
  readonly #refusals: RefusalCounts;
  readonly #alarm: AlarmSchedule;
  #sending: Promise<void> | null = null;
  /** Consecutive failed attempts, for the retry's backoff. */
  #failures = 0;

  /** `env` is read at every send: the bindings are the object's own at that moment. */
  constructor(ctx: DurableObjectState, env: () => Env, outboxes: Outboxes, alarm: AlarmSchedule) {
    this.#ctx = ctx;
    this.#env = env;
    this.#outbox = outboxes.rows;
    this.#events = outboxes.events;
    this.#refusals = outboxes.refusals;
    this.#alarm = alarm;
  }

  /**
   * After a call that may have added rows: starts a send off the response path, and makes sure an
   * alarm will retry if it cannot finish. Failures are logged, never thrown: the rows are safe in
   * the outbox either way, and an object being torn down must not surface an unhandled rejection.
   */
  schedule(): void {
    const refused = this.#refusals.takeNewCounts();
    // Both taken, whichever is true: each flag says "since the last schedule".
    const rowsOrEvents = [this.#outbox.takeNewRows(), this.#events.takeNewEvents()].includes(true);
    if (!rowsOrEvents) {
      if (refused) this.#alarm.wantBy(Date.now() + SAFETY_NET_MS);
      return;
    }
    // The safety net (the alarm time is kept in memory, so this writes storage only when no alarm is that close).
    this.#alarm.wantBy(Date.now() + SAFETY_NET_MS);
    if (this.#sending) return; // the running send drains until the outbox is empty
    this.#ctx.waitUntil(
      this.send().catch((error: unknown) => {
        console.warn(`audit send failed; the alarm will retry: ${String(error)}`);
        this.#alarm.wantBy(Date.now() + this.#retryDelay());
      }),
    );
  }

  /** Sends the outbox until it is empty; rejects if the queue refuses. One send at a time; callers share it. */
  send(): Promise<void> {
    if (!this.#sending) {
      this.#sending = this.#drain().finally(() => {
        this.#sending = null;
      });
    }
    return this.#sending;
  }

  /** The alarm's part: retry what is still in the outbox, record set-aside rows D1 does not have yet, and ask again if anything is left. */
  async onAlarm(): Promise<void> {
    // Usually the safety net of a send that has long succeeded: nothing to send, no wait.
    if (this.#sending || this.#pending()) {
      try {
        await this.send();
      } catch (error) {
        console.warn(`audit send failed; retrying: ${String(error)}`);
      }
    }
    const reported = await this.#reportSetAside();
    if (this.#pending() || !reported) this.#alarm.wantBy(Date.now() + this.#retryDelay());
  }

  /** Whether anything waits to leave: rows, events, refusal counts. */
  #pending(): boolean {
    return this.#outbox.size() > 0 || this.#events.size() > 0 || this.#refusals.hasUnsent();
  }

  async #drain(): Promise<void> {
    await scheduler.wait(SEND_DEBOUNCE_MS);
    for (;;) {
      const signals = {
        events: this.#events.oldest(EVENTS_PER_SEND),
        refusals: this.#refusals.hasUnsent() ? this.#refusals.unsent() : [],
      };
      const { messages, through, tooLarge, eventsThrough, refusals } = packAuditSend(
        this.#outbox.oldest(ROWS_PER_SEND),
        SEND_BUDGET,
        signals,
      );
      if (tooLarge.length > 0) this.#setAside(tooLarge);
      if (messages.length === 0) {
        if (eventsThrough !== null) this.#events.removeThrough(eventsThrough); // dropped as too large
        if (tooLarge.length > 0 || eventsThrough !== null) continue; // what is behind them
        return;
      }
      await this.#env().AUDIT_QUEUE.sendBatch(messages.map((body) => ({ body, contentType: "json" })));
      // Only now does what was sent leave: a send that failed, or an eviction before this line,
      // keeps it here for the next attempt; the consumer ignores a row or an event it already has,
      // and a refusal count is an absolute value.
      if (through !== null) this.#outbox.removeThrough(through);
      if (eventsThrough !== null) this.#events.removeThrough(eventsThrough);
      if (refusals.length > 0) this.#refusals.markSent(refusals, Date.now());
      this.#failures = 0;
    }
  }

  #setAside(rows: SetAsideRow[]): void {
    this.#ctx.storage.transactionSync(() => this.#outbox.setAside(rows));
    for (const row of rows) {
      console.error(
        `audit row ${row.event_id} (${row.bytes} bytes) is larger than a queue message carries (${SEND_BUDGET.messageBytes}): set aside, recorded in audit_dead_letters`,
      );
    }
    this.#ctx.waitUntil(
      this.#reportSetAside().then((reported) => {
        if (!reported) this.#alarm.wantBy(Date.now() + this.#retryDelay());
      }),
    );
  }

  /** Records set-aside rows in D1's dead letters; false if D1 refused (the alarm retries). */
  async #reportSetAside(): Promise<boolean> {
    try {
      for (;;) {
        const rows = this.#outbox.unreportedSetAside(REPORTS_PER_WRITE);
        if (rows.length === 0) return true;
        await recordDeadLetters(this.#env().DB, rows.map(deadLetterOf));
        this.#outbox.markReported(rows.map((row) => row.seq));
      }
    } catch (error) {
      console.warn(`recording set-aside audit rows failed; the alarm will retry: ${String(error)}`);
      return false;
    }
  }

  #retryDelay(): number {
    this.#failures += 1;
    return Math.min(MAX_RETRY_MS, 1000 * 2 ** Math.min(this.#failures - 1, 6));
  }
}

function deadLetterOf({ bytes, ...row }: SetAsideRow): DeadLetter {
  const cut = Object.fromEntries(
    Object.entries(row).map(([name, value]) => [
      name,
      typeof value === "string" && value.length > REPORTED_TEXT_CHARS ? `${value.slice(0, REPORTED_TEXT_CHARS)}…` : value,
    ]),
  );
  const counter = row.license_feature_id === null ? `license:${row.license_id}` : `feature:${row.license_feature_id}`;
  return {
    deadLetterId: row.event_id,
    reason: "row_too_large",
    detail: `audit row ${row.seq} of counter ${counter} is ${bytes} bytes, more than one queue message carries (${SEND_BUDGET.messageBytes}); strings longer than ${REPORTED_TEXT_CHARS} characters are cut here, and the counter object keeps the whole row in set_aside_audit_rows`,
    body: JSON.stringify(cut),
    bodyBytes: bytes,
    receivedAt: new Date().toISOString(),
  };
}
