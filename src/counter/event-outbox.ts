/**
 * Where the counter object's events wait (table `event_outbox`): a threshold crossed, a period
 * ended, a floating pool filled. Each is written in the transaction that caused it, so it is
 * decided once by the counter's one writer and never lost; it leaves with the audit rows, through
 * the audit queue, whose consumer turns it into webhook deliveries (src/webhooks/) and, for a
 * period's end, into the period's total (docs/usage-and-webhooks.md).
 */
import type { CounterEventType, TravellingCounterEvent } from "../webhooks/event-types";

/** An event as it travels, with its sequence number in this object's event outbox. */
export type CounterEvent = TravellingCounterEvent;

export class EventOutbox {
  readonly #sql: SqlStorage;
  /** The table's rows, oldest first, once read whole (null: unknown); kept in step by every change here. */
  #copy: CounterEvent[] | null = null;
  #newEvents = false;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
  }

  /** Appends one event; call inside the transaction that caused it. */
  append(type: CounterEventType, data: Record<string, unknown>, nowMs: number): void {
    const event = { event_id: crypto.randomUUID(), type, occurred_at: new Date(nowMs).toISOString(), data };
    const { seq } = this.#sql
      .exec<{ seq: number }>(
        "INSERT INTO event_outbox (event_id, type, occurred_at, data) VALUES (?, ?, ?, ?) RETURNING seq",
        event.event_id,
        event.type,
        event.occurred_at,
        JSON.stringify(data),
      )
      .one();
    this.#copy?.push({ seq, ...event });
    this.#newEvents = true;
  }

  /** Whether events were appended since the last call. */
  takeNewEvents(): boolean {
    const taken = this.#newEvents;
    this.#newEvents = false;
    return taken;
  }

  /** The oldest `limit` events, oldest first. */
  oldest(limit: number): CounterEvent[] {
    if (this.#copy) return this.#copy.slice(0, limit);
    const rows = this.#sql
      .exec<{ seq: number; event_id: string; type: CounterEventType; occurred_at: string; data: string }>(
        "SELECT seq, event_id, type, occurred_at, data FROM event_outbox ORDER BY seq LIMIT ?",
        limit,
      )
      .toArray()
      .map((row) => ({ ...row, data: JSON.parse(row.data) as Record<string, unknown> }));
    if (rows.length < limit) this.#copy = rows.slice();
    return rows;
  }

  /** Drops every event up to and including `seq`: the audit queue has them. */
  removeThrough(seq: number): void {
    this.#sql.exec("DELETE FROM event_outbox WHERE seq <= ?", seq);
    if (this.#copy) this.#copy = this.#copy.filter((event) => event.seq > seq);
  }

  size(): number {
    if (this.#copy) return this.#copy.length;
    return this.#sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM event_outbox").one().n;
  }

  /** Forgets the in-memory copy: a transaction that appended to it rolled back. */
  forget(): void {
    this.#copy = null;
  }
}
