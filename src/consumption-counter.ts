/**
 * ConsumptionCounter: the Durable Object that owns one counter's total, one object per license
 * feature ("feature:<license_feature_id>") or per license ("license:<license_id>").
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
import { decideConsumption, type ConsumptionRules } from "./consumption-rules";
import { periodStart } from "./consumption-period";
import type { ConsumptionEvent } from "./schemas";

export interface CounterIdentity {
  licenseId: number;
  /** null for a license-level counter */
  licenseFeatureId: number | null;
  featureCode: string | null;
}

/**
 * Identifies one consumption request so that it is applied at most once: the client's
 * Idempotency-Key (scoped to its API key) or, without one, a key the Worker made up for its own
 * retries. `fingerprint` is a hash of the endpoint and the validated body.
 */
export interface RequestKey {
  key: string;
  fingerprint: string;
  /** When this object may forget the key (ms since epoch). */
  expiresAt: number;
}

export interface ConsumeRequest {
  requestKey: RequestKey;
  counter: CounterIdentity;
  /** The rules this request is decided with. */
  rules: ConsumptionRules;
  /** The rules the answer reports, when they differ (add_consumption's request-narrowed overages). */
  reportedRules?: ConsumptionRules;
  consumptions: number;
  event: ConsumptionEvent;
  hardwareId: string;
  apiKeyId: number;
  /** The D1 mirror of the total, used only the first time this object ever runs. */
  initialTotal: number;
}

export type ConsumeOutcome = (
  | { ok: true; total: number; periodStart: string | null }
  | { ok: false; code: "feature_not_enough_consumptions" | "negative_consumptions_not_allowed" | "idempotency_key_reused"; message: string; total: number }
) & {
  /** The rules the answer reports, remembered so a replay can rebuild the original body byte for byte. */
  rules: ConsumptionRules;
  /** True when this is the stored answer to an earlier request with the same key. */
  replayed: boolean;
};

export interface CounterState {
  total: number;
  periodStart: string | null;
}

/** How many audit rows go to D1 in one batch, and in one INSERT (10 columns each: D1 binds at most 100 values). */
const FLUSH_BATCH = 100;
const ROWS_PER_INSERT = 10;
/** A flush waits this long first, so rows arriving together go to D1 together. */
const FLUSH_DEBOUNCE_MS = 5;
/** Expired request keys are forgotten a few at a time, every this many consumptions. */
const PURGE_EVERY = 32;
/** The alarm that guarantees a flush even if the object is evicted right after a consumption. */
const SAFETY_NET_MS = 10_000;
const MAX_RETRY_MS = 60_000;

interface OutboxRow extends Record<string, SqlStorageValue> {
  seq: number;
  event_id: string;
  license_id: number;
  license_feature_id: number | null;
  feature_code: string | null;
  hardware_id: string | null;
  consumptions: number;
  total_after: number;
  event: string;
  api_key_id: number | null;
  created_at: string;
}

export class ConsumptionCounter extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  private flushing: Promise<void> | null = null;
  private failedFlushes = 0;
  /**
   * In-memory copies of what only this object writes, so the hot path reads no storage for them:
   * the counter row (undefined until loaded), whether the outbox has rows a flush has not taken
   * yet, and when the alarm is set (undefined until loaded).
   */
  private counterRow: { total: number; period_start: string | null } | null | undefined;
  private outboxDirty = false;
  private alarmAt: number | null | undefined;
  private consumesSincePurge = 0;

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
      );
      CREATE TABLE IF NOT EXISTS outbox (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        event_id TEXT NOT NULL UNIQUE,
        license_id INTEGER NOT NULL,
        license_feature_id INTEGER,
        feature_code TEXT,
        hardware_id TEXT,
        consumptions INTEGER NOT NULL,
        total_after INTEGER NOT NULL,
        event TEXT NOT NULL,
        api_key_id INTEGER,
        created_at TEXT NOT NULL
      );
      CREATE TABLE IF NOT EXISTS requests (
        request_key TEXT PRIMARY KEY,
        fingerprint TEXT NOT NULL,
        outcome TEXT NOT NULL,
        expires_at INTEGER NOT NULL
      );
      CREATE INDEX IF NOT EXISTS requests_by_expiry ON requests (expires_at);`);
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
      // Forget expired keys a few at a time: bounded work, and the table never grows without bound
      // (at most one key is added per call, up to PURGE_EVERY removed every PURGE_EVERY calls).
      if (++this.consumesSincePurge >= PURGE_EVERY) {
        this.consumesSincePurge = 0;
        this.sql.exec("DELETE FROM requests WHERE rowid IN (SELECT rowid FROM requests WHERE expires_at < ? LIMIT ?)", nowMs, PURGE_EVERY);
      }
      const prior = this.sql
        .exec<{ fingerprint: string; outcome: string }>("SELECT fingerprint, outcome FROM requests WHERE request_key = ? AND expires_at >= ?", request.requestKey.key, nowMs)
        .toArray()[0];
      if (prior) {
        if (prior.fingerprint === request.requestKey.fingerprint) return { ...(JSON.parse(prior.outcome) as ConsumeOutcome), replayed: true };
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
      this.sql.exec(
        // OR REPLACE: an expired key not purged yet is simply reused.
        "INSERT OR REPLACE INTO requests (request_key, fingerprint, outcome, expires_at) VALUES (?, ?, ?, ?)",
        request.requestKey.key,
        request.requestKey.fingerprint,
        JSON.stringify(decided),
        request.requestKey.expiresAt,
      );
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
    this.writeCounter(decision.totalAfter, state.periodStart);
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
      this.writeCounter(0, before.periodStart);
      this.appendAudit(counter, { hardwareId: null, consumptions: -before.total, totalAfter: 0, event: "manual_reset", apiKeyId: null, nowMs });
      return { total: 0, periodStart: before.periodStart };
    });
    this.scheduleFlush();
    return state;
  }

  /** Audit rows not yet in D1 (for operators and tests). */
  async pendingAuditRows(): Promise<number> {
    return this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM outbox").one().n;
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
    if (this.pendingCount() > 0) {
      this.alarmAt = Date.now() + this.retryDelay();
      await this.ctx.storage.setAlarm(this.alarmAt);
    }
  }

  /**
   * Reads the counter row, creating it on first use and applying a periodic reset when a period
   * boundary has passed since the last write. Must be called inside transactionSync.
   */
  private currentState(counter: CounterIdentity, rules: ConsumptionRules, initialTotal: number, nowMs: number, apiKeyId: number | null): CounterState {
    const row = this.readCounter();
    const currentPeriod = rules.resetConsumption && rules.consumptionPeriod ? new Date(periodStart(rules.consumptionPeriod, nowMs)).toISOString() : null;
    if (!row) {
      this.sql.exec(
        "INSERT INTO counter (id, license_id, license_feature_id, total, period_start) VALUES (1, ?, ?, ?, ?)",
        counter.licenseId,
        counter.licenseFeatureId,
        initialTotal,
        currentPeriod,
      );
      this.counterRow = { total: initialTotal, period_start: currentPeriod };
      return { total: initialTotal, periodStart: currentPeriod };
    }
    if (currentPeriod !== row.period_start) {
      // Either a boundary passed (reset to 0, audited) or the vendor switched resets on or off
      // (start tracking from now, keep the total).
      const boundaryPassed = currentPeriod !== null && row.period_start !== null && currentPeriod > row.period_start;
      const total = boundaryPassed ? 0 : row.total;
      this.writeCounter(total, currentPeriod);
      if (boundaryPassed && row.total !== 0) {
        this.appendAudit(counter, { hardwareId: null, consumptions: -row.total, totalAfter: 0, event: "period_reset", apiKeyId, nowMs });
      }
      return { total, periodStart: currentPeriod };
    }
    return { total: row.total, periodStart: row.period_start };
  }

  /** The counter row, from memory once loaded (this object is its only writer). */
  private readCounter(): { total: number; period_start: string | null } | null {
    if (this.counterRow === undefined) {
      this.counterRow = this.sql.exec<{ total: number; period_start: string | null }>("SELECT total, period_start FROM counter WHERE id = 1").toArray()[0] ?? null;
    }
    return this.counterRow;
  }

  private writeCounter(total: number, periodStartIso: string | null): void {
    this.sql.exec("UPDATE counter SET total = ?, period_start = ? WHERE id = 1", total, periodStartIso);
    this.counterRow = { total, period_start: periodStartIso };
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

  private appendAudit(
    counter: CounterIdentity,
    entry: { hardwareId: string | null; consumptions: number; totalAfter: number; event: string; apiKeyId: number | null; nowMs: number },
  ): void {
    this.sql.exec(
      `INSERT INTO outbox (event_id, license_id, license_feature_id, feature_code, hardware_id, consumptions, total_after, event, api_key_id, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      crypto.randomUUID(),
      counter.licenseId,
      counter.licenseFeatureId,
      counter.featureCode,
      entry.hardwareId,
      entry.consumptions,
      entry.totalAfter,
      entry.event,
      entry.apiKeyId,
      new Date(entry.nowMs).toISOString(),
    );
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
      const rows = this.sql.exec<OutboxRow>("SELECT * FROM outbox ORDER BY seq LIMIT ?", FLUSH_BATCH).toArray();
      const last = rows.at(-1);
      if (!last) return;
      const statements: D1PreparedStatement[] = [];
      for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
        const chunk = rows.slice(i, i + ROWS_PER_INSERT);
        statements.push(
          this.env.DB.prepare(
            `INSERT INTO consumption_audit (event_id, license_id, license_feature_id, feature_code, hardware_id, consumptions, total_after, event, api_key_id, created_at)
             VALUES ${chunk.map(() => "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)").join(", ")} ON CONFLICT (event_id) DO NOTHING`,
          ).bind(
            ...chunk.flatMap((row) => [row.event_id, row.license_id, row.license_feature_id, row.feature_code, row.hardware_id, row.consumptions, row.total_after, row.event, row.api_key_id, row.created_at]),
          ),
        );
      }
      // Mirror the newest total into D1 for reporting; the object stays the source of truth.
      statements.push(
        last.license_feature_id === null
          ? this.env.DB.prepare("UPDATE licenses SET total_consumptions = ? WHERE id = ?").bind(last.total_after, last.license_id)
          : this.env.DB.prepare("UPDATE license_features SET total_consumptions = ? WHERE id = ?").bind(last.total_after, last.license_feature_id),
      );
      await this.env.DB.batch(statements);
      this.sql.exec("DELETE FROM outbox WHERE seq <= ?", last.seq);
      this.failedFlushes = 0;
    }
  }

  private pendingCount(): number {
    return this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM outbox").one().n;
  }

  private retryDelay(): number {
    this.failedFlushes += 1;
    return Math.min(MAX_RETRY_MS, 1000 * 2 ** Math.min(this.failedFlushes - 1, 6));
  }
}
