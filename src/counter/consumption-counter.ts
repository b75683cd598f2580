/**
 * ConsumptionCounter: the Durable Object that owns one counter's total, one object per license
 * feature ("feature:<license_feature_id>") or per license ("license:<license_id>"). This file is
 * its RPC surface; what only it uses lives beside it (rules, periods, request log, outbox).
 *
 * Exactness: a Durable Object runs one event at a time, but any `await` lets another request in.
 * So `consume` does everything that matters (periodic reset, rule check, new total, audit row)
 * inside one synchronous `transactionSync` with no `await` before or inside it. Two requests can
 * never both see "1 left".
 *
 * Durability of the audit log (the outbox pattern): the audit row is written to this object's own
 * SQLite in the same transaction as the total, so a consumption is never counted without its row.
 * Rows are then copied to D1 off the response path with `INSERT ... ON CONFLICT(event_id) DO
 * NOTHING` and deleted here only after D1 committed them. If D1 fails, or the object is evicted
 * mid-flush, the rows stay and an alarm retries with backoff, forever. A retried flush inserts
 * nothing twice because event_id is unique in D1. Refused requests write nothing at all.
 */
import { DurableObject } from "cloudflare:workers";
import { auditStatements } from "../db/consumption-audit";
import { settlePeriod } from "./consumption-period";
import { decideConsumption, type ConsumptionPeriod, type ConsumptionRules } from "./consumption-rules";
import { Outbox, type AuditEntry } from "./outbox";
import { RequestLog } from "./request-log";
import type { ConsumeOutcome, ConsumeRequest, CounterIdentity, CounterState } from "./types";

/** How many audit rows go to D1 in one batch. */
const FLUSH_BATCH = 100;
/** A flush waits this long first, so rows arriving together go to D1 together. */
const FLUSH_DEBOUNCE_MS = 5;
/** The alarm that guarantees a flush even if the object is evicted right after a consumption. */
const SAFETY_NET_MS = 10_000;
const MAX_RETRY_MS = 60_000;

export class ConsumptionCounter extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  private readonly requests: RequestLog;
  private readonly outbox: Outbox;
  private flushing: Promise<void> | null = null;
  private failedFlushes = 0;
  /**
   * In-memory copies of what only this object writes, so the hot path reads no storage for them:
   * the counter row (undefined until loaded), whether the outbox has rows a flush has not taken
   * yet, and when the alarm is set (undefined until loaded).
   */
  private counterRow: CounterState | null | undefined;
  private outboxDirty = false;
  private alarmAt: number | null | undefined;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(`
      CREATE TABLE IF NOT EXISTS counter (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        license_id INTEGER NOT NULL,
        license_feature_id INTEGER,
        total INTEGER NOT NULL,
        period_start TEXT
      );`);
    // period_kind came later: objects created before it get the column (NULL: "not recorded").
    if (
      !this.sql
        .exec<{ name: string }>("PRAGMA table_info(counter)")
        .toArray()
        .some((column) => column.name === "period_kind")
    ) {
      this.sql.exec("ALTER TABLE counter ADD COLUMN period_kind TEXT");
    }
    this.requests = new RequestLog(this.sql);
    this.outbox = new Outbox(this.sql);
    void ctx.blockConcurrencyWhile(async () => {
      this.alarmAt = await ctx.storage.getAlarm();
    });
  }

  /**
   * Applies one consumption, at most once per request key. Everything between reading and
   * writing the total is synchronous: the key lookup, the periodic reset, the rule check, the new
   * total, the audit row and the remembered answer commit together or not at all.
   */
  async consume(request: ConsumeRequest): Promise<ConsumeOutcome> {
    const outcome = this.transaction((): ConsumeOutcome => {
      const nowMs = Date.now();
      const prior = this.requests.find(request.requestKey.key, nowMs);
      if (prior) {
        if (prior.fingerprint === request.requestKey.fingerprint) return { ...prior.outcome, replayed: true };
        return {
          ok: false,
          code: "idempotency_key_reused",
          message: "This Idempotency-Key was already used with a different request",
          total: this.readCounter()?.total ?? request.initialTotal,
          rules: request.reportedRules ?? request.rules,
          replayed: false,
        };
      }
      const decided = this.decide(request, nowMs);
      this.requests.remember(request.requestKey, decided, nowMs);
      return decided;
    });
    if (outcome.ok && !outcome.replayed) this.scheduleFlush();
    return outcome;
  }

  /** The rule check and, when accepted, the new total and its audit row. Inside consume's transaction. */
  private decide(request: ConsumeRequest, nowMs: number): ConsumeOutcome {
    const state = this.currentState(request.counter, request.rules, request.initialTotal, nowMs, request.apiKeyId);
    const decision = decideConsumption(request.rules, state.total, request.consumptions);
    const rules = request.reportedRules ?? request.rules;
    if (!decision.ok) return { ok: false, code: decision.code, message: decision.message, total: state.total, rules, replayed: false };
    this.writeCounter({ ...state, total: decision.totalAfter });
    this.appendAudit(request.counter, {
      hardwareId: request.hardwareId,
      consumptions: request.consumptions,
      totalAfter: decision.totalAfter,
      event: request.event,
      apiKeyId: request.apiKeyId,
      nowMs,
    });
    return { ok: true, total: decision.totalAfter, periodStart: state.periodStart, rules, replayed: false };
  }

  /** The live total (after any periodic reset that is due), for license and feature checks. */
  async state(counter: CounterIdentity, rules: ConsumptionRules, initialTotal: number): Promise<CounterState> {
    const state = this.transaction(() => this.currentState(counter, rules, initialTotal, Date.now(), null));
    this.scheduleFlush();
    return state;
  }

  /**
   * Sets the total to 0 now (a vendor's manual reset), audited as "manual_reset". Serialised with
   * consumptions like everything else here, so a reset racing a consumption is one or the other.
   */
  async resetTotal(counter: CounterIdentity, rules: ConsumptionRules, initialTotal: number): Promise<CounterState> {
    const state = this.transaction((): CounterState => {
      const nowMs = Date.now();
      const before = this.currentState(counter, rules, initialTotal, nowMs, null);
      if (before.total === 0) return before;
      this.writeCounter({ ...before, total: 0 });
      this.appendAudit(counter, {
        hardwareId: null,
        consumptions: -before.total,
        totalAfter: 0,
        event: "manual_reset",
        apiKeyId: null,
        nowMs,
      });
      return { ...before, total: 0 };
    });
    this.scheduleFlush();
    return state;
  }

  /** Audit rows not yet in D1 (for operators and tests). */
  async pendingAuditRows(): Promise<number> {
    return this.outbox.size();
  }

  /** Flushes the outbox now; rejects if D1 refuses (the alarm keeps retrying either way). */
  async flushAudit(): Promise<void> {
    await this.flush();
  }

  override async alarm(): Promise<void> {
    this.alarmAt = null; // a running alarm is no longer scheduled
    try {
      await this.flush();
      this.failedFlushes = 0;
    } catch (error) {
      console.warn(`audit flush failed; retrying: ${String(error)}`);
    }
    if (this.outbox.size() > 0) {
      this.alarmAt = Date.now() + this.retryDelay();
      await this.ctx.storage.setAlarm(this.alarmAt);
    }
  }

  /**
   * The counter's state at `nowMs`: the row, created on first use, with any periodic reset that
   * is due applied (and audited). Must be called inside transactionSync.
   */
  private currentState(
    counter: CounterIdentity,
    rules: ConsumptionRules,
    initialTotal: number,
    nowMs: number,
    apiKeyId: number | null,
  ): CounterState {
    const stored = this.readCounter();
    if (!stored) {
      const { state } = settlePeriod({ total: initialTotal, periodStart: null, periodKind: null }, rules, nowMs);
      this.sql.exec(
        "INSERT INTO counter (id, license_id, license_feature_id, total, period_start, period_kind) VALUES (1, ?, ?, ?, ?, ?)",
        counter.licenseId,
        counter.licenseFeatureId,
        state.total,
        state.periodStart,
        state.periodKind ?? null,
      );
      this.counterRow = state;
      return state;
    }
    const { state, cleared, changed } = settlePeriod(stored, rules, nowMs);
    if (!changed) return state;
    this.writeCounter(state);
    if (cleared !== 0)
      this.appendAudit(counter, { hardwareId: null, consumptions: -cleared, totalAfter: 0, event: "period_reset", apiKeyId, nowMs });
    return state;
  }

  /** The counter row, from memory once loaded (this object is its only writer). */
  private readCounter(): CounterState | null {
    if (this.counterRow === undefined) {
      const row = this.sql
        .exec<{ total: number; period_start: string | null }>("SELECT total, period_start FROM counter WHERE id = 1")
        .toArray()[0];
      this.counterRow = row ? { total: row.total, periodStart: row.period_start } : null;
    }
    return this.counterRow;
  }

  private writeCounter(state: CounterState): void {
    this.sql.exec(
      "UPDATE counter SET total = ?, period_start = ?, period_kind = ? WHERE id = 1",
      state.total,
      state.periodStart,
      state.periodKind ?? null,
    );
    this.counterRow = state;
  }

  /**
   * transactionSync, keeping the in-memory copies honest: if the transaction throws (and so rolls
   * back), they are dropped and reloaded from storage on next use.
   */
  private transaction<T>(work: () => T): T {
    try {
      return this.ctx.storage.transactionSync(work);
    } catch (error) {
      this.counterRow = undefined;
      throw error;
    }
  }

  private appendAudit(counter: CounterIdentity, entry: AuditEntry): void {
    this.outbox.append(counter, entry);
    this.outboxDirty = true;
  }

  /** Starts a flush off the response path, and makes sure an alarm will retry if it can't finish. */
  private scheduleFlush(): void {
    if (!this.outboxDirty) return;
    this.outboxDirty = false;
    // The safety net: set once (the alarm time is kept in memory), so a flush that never
    // completes (eviction, D1 down) is retried. Failures below are logged, never thrown: the rows
    // are safe in the outbox either way, and an object being torn down must not surface as an
    // unhandled rejection.
    if (this.alarmAt === null) this.setAlarm(Date.now() + SAFETY_NET_MS);
    if (this.flushing) return; // the running flush drains until the outbox is empty
    this.ctx.waitUntil(
      this.flush().catch((error: unknown) => {
        console.warn(`audit flush failed; the alarm will retry: ${String(error)}`);
        this.setAlarm(Date.now() + this.retryDelay());
      }),
    );
  }

  private setAlarm(at: number): void {
    this.alarmAt = at;
    this.ctx.storage.setAlarm(at).catch((error: unknown) => {
      this.alarmAt = undefined;
      console.warn(`could not set the audit alarm: ${String(error)}`);
    });
  }

  /** Copies the outbox to D1 until it is empty. One flush at a time; callers share it. */
  private flush(): Promise<void> {
    if (!this.flushing) {
      this.flushing = this.drainOutbox().finally(() => {
        this.flushing = null;
      });
    }
    return this.flushing;
  }

  private async drainOutbox(): Promise<void> {
    await scheduler.wait(FLUSH_DEBOUNCE_MS);
    for (;;) {
      const rows = this.outbox.oldest(FLUSH_BATCH);
      const last = rows.at(-1);
      if (!last) return;
      await this.env.DB.batch(auditStatements(this.env.DB, rows));
      this.outbox.removeThrough(last.seq);
      this.failedFlushes = 0;
    }
  }

  private retryDelay(): number {
    this.failedFlushes += 1;
    return Math.min(MAX_RETRY_MS, 1000 * 2 ** Math.min(this.failedFlushes - 1, 6));
  }
}
