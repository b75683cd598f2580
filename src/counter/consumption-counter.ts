/**
 * ConsumptionCounter: the Durable Object that owns one counter's total, one object per license
 * feature ("feature:<license_feature_id>") or per license ("license:<license_id>"). This file is
 * its RPC surface; what only it uses lives beside it (snapshot, rules, periods, request log, outbox).
 *
 * It decides alone: what it decides with (the license's state, its devices, the feature's rules
 * and expiry, the product's defaults) is a snapshot in its memory, loaded from D1 on first use,
 * so a consumption at steady state reads nothing from D1. Coherence (docs/architecture.md):
 * - every license-level write calls `invalidate` on the license's objects before it answers; the
 *   generation counter makes sure a load that raced the write is thrown away, never applied;
 * - product-level default changes arrive as a newer `productVersion` carried by the Worker.
 *
 * Exactness: a Durable Object runs one event at a time, but any `await` lets another request in.
 * So `consume` does everything that matters (access check, periodic reset, rule check, new total,
 * audit row, remembered answer) inside one synchronous `transactionSync`, after the last `await`.
 * Two requests can never both see "1 left".
 *
 * Durability of the audit log (the outbox pattern): the audit row is written to this object's own
 * SQLite in the same transaction as the total, so a consumption is never counted without its row.
 * Rows are then sent to the audit queue off the response path (several per message) and deleted
 * here only after the send succeeded; the queue's consumer writes them to D1 idempotently
 * (src/audit/). If the send fails, or the object is evicted mid-send, the rows stay and an alarm
 * retries with backoff, forever. Refused requests write nothing at all.
 *
 * Floating pools (./floating-pool.ts): the object of a floating cloud license, or of a floating
 * feature, also holds that pool, decided in the same way (one transactionSync per request), so
 * N devices racing for M slots get exactly M. Leases end exactly at their time, checked at each
 * decision; the alarm only clears them away.
 *
 * The one alarm serves both: each asks for an alarm "no later than" a time (the audit safety net
 * and retries, the pool's earliest lease end) and the storage alarm is the earliest asked for.
 * When it runs, `alarm()` does both jobs and asks again from what storage holds (rows still in the
 * outbox → a retry; leases left → the next end), so an alarm that fires early or for a purpose
 * that has gone away costs one empty run and nothing else.
 */
import { DurableObject } from "cloudflare:workers";
import { loadCounterSnapshot } from "../db/counter-snapshot";
import { ApiError } from "../errors";
import { isExpired, resolveLicense, resolveLicenseFeature, resolveLicenseToRelease } from "../license-api/resolve-license";
import { settlePeriod } from "./consumption-period";
import { decideConsumption, narrowOverages, type ConsumptionPeriod } from "./consumption-rules";
import { borrowEnd, FloatingPool, type MayHold, type PoolSettings } from "./floating-pool";
import { ImportLog } from "./import-log";
import { Outbox, type AuditEntry, type AuditMessage } from "./outbox";
import { RequestLog } from "./request-log";
import { contextOf, namesThisCounter, type CounterSnapshot, type CounterTarget } from "./snapshot";
import type { ConsumeOutcome, ConsumeRequest, CounterState, FloatingOutcome, FloatingRequest, PoolLeases } from "./types";

/**
 * A snapshot older than this is reloaded in the background (still used meanwhile): a safety net
 * for a change that reached D1 without an invalidation (an invalidation that failed after its
 * retries, an operator editing D1 by hand). Writes through the APIs invalidate at once.
 */
const SNAPSHOT_REFRESH_MS = 10 * 60 * 1000;
/** Rows per queue message, and the most rows one send takes (several messages in one sendBatch). */
const ROWS_PER_MESSAGE = 100;
const ROWS_PER_SEND = 500;
/** A send waits this long first, so rows arriving together travel together. */
const SEND_DEBOUNCE_MS = 5;
/**
 * The alarm that guarantees a send even if the object is evicted right after a consumption. Sends
 * normally complete within milliseconds, so this alarm only matters after an eviction mid-send;
 * it is set once per minute at most (bench/README.md: a 10 s net cost a fifth of the CPU of a
 * consumption spread over many features, in alarm runs that found nothing to do).
 */
export const SAFETY_NET_MS = 60_000;
const MAX_RETRY_MS = 60_000;

export class ConsumptionCounter extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  private readonly requests: RequestLog;
  private readonly outbox: Outbox;
  private readonly pool: FloatingPool;
  /** Created on the first import (most counters never see one). */
  private imports: ImportLog | undefined;
  /** What this object decides with; undefined until loaded, and after an invalidation. */
  private snapshot: CounterSnapshot | undefined;
  /** When the read that produced `snapshot` started, and whether a background reload is running. */
  private snapshotReadAt = 0;
  private refreshing = false;
  /** Bumped by every invalidation: a load started under an older generation is discarded. */
  private generation = 0;
  private loading: Promise<CounterSnapshot | null> | null = null;
  private sending: Promise<void> | null = null;
  private failedSends = 0;
  /**
   * In-memory copies of what only this object writes, so the hot path reads no storage for them:
   * the counter row (undefined until loaded), whether the outbox has rows a send has not taken
   * yet, and when the alarm is set (null: not set; undefined: unknown, after a failed write).
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
    this.pool = new FloatingPool(this.sql);
    void ctx.blockConcurrencyWhile(async () => {
      this.alarmAt = await ctx.storage.getAlarm();
    });
  }

  /**
   * Applies one consumption, at most once per request key. After the snapshot is at hand nothing
   * awaits: the identity and access checks, the key lookup, the periodic reset, the rule check,
   * the new total, the audit row and the remembered answer commit together or not at all.
   */
  async consume(request: ConsumeRequest): Promise<ConsumeOutcome> {
    const snapshot = await this.snapshotFor(request.target, request.productVersion);
    if (!snapshot || !namesThisCounter(snapshot, request.lookup)) return { kind: "stale_route" };
    const outcome = this.transaction((): ConsumeOutcome => {
      const nowMs = Date.now();
      const denied = this.accessDenied(snapshot, request, nowMs);
      if (denied) return denied;
      const { requestKey } = request;
      // A fresh internal key cannot have been seen: only a retry, or a client's key, is looked up.
      const prior = request.retry || !requestKey.key.startsWith("internal:") ? this.requests.find(requestKey.key, nowMs) : null;
      if (prior) {
        if (prior.fingerprint !== requestKey.fingerprint) return { kind: "key_reused" };
        return { ...prior.outcome, replayed: true } as ConsumeOutcome;
      }
      const decided = this.decide(snapshot, request, nowMs);
      this.requests.remember(requestKey, decided, nowMs);
      return decided;
    });
    // Accepted consumptions add a row, and so may a refused one: a periodic reset that was due.
    this.scheduleSend();
    return outcome;
  }

  /** The live total (after any periodic reset that is due), for license and feature checks. */
  async state(target: CounterTarget, productVersion?: number): Promise<CounterState> {
    const snapshot = await this.requireSnapshot(target, productVersion);
    const state = this.transaction(() => this.currentState(snapshot, Date.now(), null));
    this.scheduleSend();
    return { total: state.total, periodStart: state.periodStart };
  }

  /**
   * Sets the total to 0 now (a vendor's manual reset), audited as "manual_reset". Serialised with
   * consumptions like everything else here, so a reset racing a consumption is one or the other.
   */
  async resetTotal(target: CounterTarget): Promise<CounterState> {
    const snapshot = await this.requireSnapshot(target, undefined);
    const state = this.transaction((): CounterState => {
      const nowMs = Date.now();
      const before = this.currentState(snapshot, nowMs, null);
      if (before.total === 0) return before;
      this.writeCounter({ ...before, total: 0 });
      this.appendAudit(snapshot, {
        hardwareId: null,
        consumptions: -before.total,
        totalAfter: 0,
        event: "manual_reset",
        apiKeyId: null,
        nowMs,
      });
      return { ...before, total: 0 };
    });
    this.scheduleSend();
    return { total: state.total, periodStart: state.periodStart };
  }

  /**
   * Sets the total to `total` (a migration's imported total, docs/migration.md), audited as
   * "import" with the difference, unless the last import set this same total already: a retried
   * or re-run import changes nothing and writes no second row. Serialised with consumptions like
   * everything else here. Answers the live state afterwards.
   */
  async importTotal(target: CounterTarget, total: number): Promise<CounterState> {
    const snapshot = await this.requireSnapshot(target, undefined);
    this.imports ??= new ImportLog(this.sql);
    const imports = this.imports;
    const state = this.transaction((): CounterState => {
      const nowMs = Date.now();
      const before = this.currentState(snapshot, nowMs, null);
      if (imports.lastImported() === total) return before;
      imports.record(total, before.total, nowMs);
      if (before.total === total) return before;
      this.writeCounter({ ...before, total });
      this.appendAudit(snapshot, {
        hardwareId: null,
        consumptions: total - before.total,
        totalAfter: total,
        event: "import",
        apiKeyId: null,
        nowMs,
      });
      return { ...before, total };
    });
    this.scheduleSend();
    return { total: state.total, periodStart: state.periodStart };
  }

  /**
   * Forgets the snapshot: the next request loads the license, devices and feature again from D1.
   * Called by every license-level write after it committed and before it answers. A load already
   * in flight belongs to the old generation and will be discarded when it lands.
   */
  async invalidate(): Promise<void> {
    this.generation += 1;
    this.snapshot = undefined;
    this.loading = null;
  }

  /** Audit rows not yet handed to the audit queue (for operators and tests). */
  async pendingAuditRows(): Promise<number> {
    return this.outbox.size();
  }

  /** How many audit rows this counter has ever written (the audit log has them all once it has this many). */
  async auditRowsWritten(): Promise<number> {
    return this.outbox.appended();
  }

  /** Sends the outbox to the audit queue now; rejects if the queue refuses (the alarm keeps retrying either way). */
  async flushAudit(): Promise<void> {
    await this.send();
  }

  /**
   * One floating pool request (check in, borrow, release, look), decided like a consumption: the
   * identity and access checks, the floating checks and the pool change in one transactionSync.
   */
  async floating(request: FloatingRequest): Promise<FloatingOutcome> {
    const snapshot = await this.snapshotFor(request.target, request.productVersion);
    if (!snapshot || !namesThisCounter(snapshot, request.lookup)) return { kind: "stale_route" };
    const outcome = this.transaction(() => {
      try {
        return this.decideFloating(snapshot, request, Date.now());
      } catch (error) {
        if (error instanceof ApiError) return { kind: "denied", code: error.code, message: error.message } as const;
        throw error;
      }
    });
    this.wantAlarmBy(this.pool.nextExpiry());
    return outcome;
  }

  /** The leases holding a slot in this object's pool now (the vendor's view). */
  async poolLeases(target: CounterTarget, productVersion?: number): Promise<PoolLeases> {
    const snapshot = await this.requireSnapshot(target, productVersion);
    const floating = snapshot.feature ? snapshot.feature.floating.isFloatingCloud : snapshot.license.floating.isFloatingCloud;
    const leases = this.transaction(() => this.pool.leases(Date.now(), mayHoldIn(snapshot)));
    return { floating, leases };
  }

  /** Both of the alarm's jobs, then the next alarm from what storage holds (see the class comment). */
  override async alarm(): Promise<void> {
    this.alarmAt = null; // a running alarm is no longer scheduled
    // The pool first: synchronous, and done whatever the audit send below does.
    this.pool.purgeExpired(Date.now());
    // Usually the safety net of a send that has long succeeded: nothing to send, no wait.
    if (this.sending || this.outbox.size() > 0) {
      try {
        await this.send();
        this.failedSends = 0;
      } catch (error) {
        console.warn(`audit send failed; retrying: ${String(error)}`);
      }
      if (this.outbox.size() > 0) this.wantAlarmBy(Date.now() + this.retryDelay());
    }
    this.wantAlarmBy(this.pool.nextExpiry());
  }

  /** The snapshot, loading it when missing or older than the product defaults the caller knows. */
  private snapshotFor(target: CounterTarget, productVersion: number | undefined): CounterSnapshot | Promise<CounterSnapshot | null> {
    const current = this.snapshot;
    if (current && (productVersion === undefined || productVersion <= current.product.defaultsVersion)) {
      if (!this.refreshing && Date.now() - this.snapshotReadAt > SNAPSHOT_REFRESH_MS) {
        this.refreshing = true;
        this.ctx.waitUntil(
          this.reload(target, false)
            .catch((error: unknown) => console.warn(`snapshot refresh failed; the next request retries: ${String(error)}`))
            .finally(() => {
              this.refreshing = false;
            }),
        );
      }
      return current;
    }
    return this.reload(target, true, productVersion);
  }

  private async requireSnapshot(target: CounterTarget, productVersion: number | undefined): Promise<CounterSnapshot> {
    const snapshot = await this.snapshotFor(target, productVersion);
    if (!snapshot) throw new Error(`counter ${JSON.stringify(target)} names no license feature in D1`);
    return snapshot;
  }

  /**
   * Loads the snapshot from D1, shared by every request waiting for it. The generation guard: if
   * an invalidation arrives while the load is in flight, its result may predate the write, so it
   * is thrown away and the load starts again. `dropCurrent`: the current snapshot may not be used
   * meanwhile (it is missing, or older than the product defaults a request carries); a background
   * refresh keeps it in use until the new one lands.
   */
  private async reload(target: CounterTarget, dropCurrent: boolean, minVersion = 0): Promise<CounterSnapshot | null> {
    for (let again = true; ;) {
      const generation = this.generation;
      if (dropCurrent) this.snapshot = undefined;
      const readAt = Date.now();
      const loading = (this.loading ??= loadCounterSnapshot(this.env.DB, target));
      let loaded: CounterSnapshot | null;
      try {
        loaded = await loading;
      } finally {
        if (this.loading === loading) this.loading = null;
      }
      if (generation !== this.generation) continue;
      // A load this request joined may have read D1 before the product change the request knows
      // of: read once more (D1 has it by now); whatever that read says is the truth.
      if (loaded && loaded.product.defaultsVersion < minVersion && again) {
        again = false;
        continue;
      }
      if (loaded) {
        this.snapshot = loaded;
        this.snapshotReadAt = readAt;
      }
      return loaded;
    }
  }

  /**
   * The license, device and feature checks, in the License API's documented precedence (the same
   * code the Worker runs on a D1 lookup), plus add_consumption's license type. Null: allowed.
   */
  private accessDenied(snapshot: CounterSnapshot, request: ConsumeRequest, nowMs: number): ConsumeOutcome | null {
    try {
      const context = contextOf(snapshot, request.lookup);
      if (snapshot.feature) resolveLicenseFeature(context, request.lookup, request.access, nowMs);
      else {
        resolveLicense(context, request.lookup, request.access, nowMs);
        if (snapshot.license.licenseType !== "consumption") throw new ApiError("license_not_consumption");
      }
      return null;
    } catch (error) {
      if (error instanceof ApiError) return { kind: "denied", code: error.code, message: error.message };
      throw error;
    }
  }

  /**
   * A pool request's decision, in the documented precedence: the license (and feature) checks as
   * for a check, then whether it is floating, then borrowing's rules, then the pool. Throws
   * ApiError for a refusal. Inside floating's transaction.
   */
  private decideFloating(snapshot: CounterSnapshot, request: FloatingRequest, nowMs: number): FloatingOutcome {
    const context = contextOf(snapshot, request.lookup);
    const { action } = request;
    const { hardwareId } = request.lookup;
    const license = snapshot.license;
    let settings: PoolSettings;
    let look = action.kind === "status";
    const release = action.kind === "release"; // frees a slot whatever the license's state
    if (snapshot.feature) {
      const { feature } = resolveLicenseFeature(context, request.lookup, request.access, nowMs, release ? "release" : "read");
      if (!feature.floating.isFloatingCloud) {
        if (action.kind === "check_in" || action.kind === "status") return { kind: "not_floating" };
        throw new ApiError("feature_not_floating", `License feature "${feature.code}" is not a floating cloud feature`);
      }
      if (isExpired(feature.expiryDate, nowMs)) {
        // An expired feature takes no slot: checking it only looks, borrowing it is refused.
        if (action.kind === "borrow") throw new ApiError("feature_expired", `Feature "${feature.code}" expired at ${feature.expiryDate}`);
        if (action.kind === "check_in") look = true;
      }
      settings = { size: feature.floating.users, timeoutMinutes: feature.floating.timeoutMinutes };
    } else {
      if (release) resolveLicenseToRelease(context, request.lookup, request.access);
      else resolveLicense(context, request.lookup, request.access, nowMs);
      if (!license.floating.isFloatingCloud) {
        if (action.kind === "borrow") {
          throw new ApiError("license_borrow_not_allowed", "The license is not a floating cloud license: it has no slot to borrow");
        }
        return { kind: "not_floating" };
      }
      settings = { size: license.floating.users, timeoutMinutes: license.floating.timeoutMinutes };
    }
    const mayHold = mayHoldIn(snapshot);
    if (look) return { kind: "pool", pool: this.pool.view(hardwareId, nowMs, mayHold), released: false };
    switch (action.kind) {
      case "check_in": {
        const pool = this.pool.checkIn(hardwareId, settings, nowMs, mayHold);
        if (!pool) throw new ApiError("floating_not_available", `No available slots for floating license (${settings.size} in use)`);
        return { kind: "pool", pool, released: false };
      }
      case "borrow": {
        if (!license.floating.canBorrow) throw new ApiError("license_borrow_not_allowed");
        const until = borrowEnd(action.borrowedUntil, nowMs, license.floating.maxBorrowHours);
        const pool = this.pool.borrow(hardwareId, until, settings, nowMs, mayHold);
        if (!pool) throw new ApiError("floating_not_available", `No available slots for floating license (${settings.size} in use)`);
        return { kind: "pool", pool, released: false };
      }
      case "release": {
        const released = this.pool.release(hardwareId, nowMs, mayHold);
        if (!released && snapshot.feature) throw new ApiError("floating_feature_device_not_in_use");
        return { kind: "pool", pool: this.pool.view(hardwareId, nowMs, mayHold), released };
      }
      case "status":
        return { kind: "pool", pool: this.pool.view(hardwareId, nowMs, mayHold), released: false };
    }
  }

  /** The rule check and, when accepted, the new total and its audit row. Inside consume's transaction. */
  private decide(snapshot: CounterSnapshot, request: ConsumeRequest, nowMs: number): ConsumeOutcome {
    const reported = snapshot.feature ? snapshot.feature.rules : snapshot.license.rules;
    const rules = request.overages ? narrowOverages(reported, request.overages.allowOverages, request.overages.maxOverages) : reported;
    const state = this.currentState(snapshot, nowMs, request.apiKeyId);
    const decision = decideConsumption(rules, state.total, request.consumptions);
    if (!decision.ok) return { kind: "refused", code: decision.code, message: decision.message, replayed: false };
    this.writeCounter({ ...state, total: decision.totalAfter });
    this.appendAudit(snapshot, {
      hardwareId: request.lookup.hardwareId,
      consumptions: request.consumptions,
      totalAfter: decision.totalAfter,
      event: request.event,
      apiKeyId: request.apiKeyId,
      nowMs,
    });
    return {
      kind: "accepted",
      report: {
        id: snapshot.feature?.id ?? snapshot.license.id,
        licenseId: snapshot.license.id,
        companyId: snapshot.product.companyId,
        rules: reported,
        total: decision.totalAfter,
        periodStart: state.periodStart,
        floating: snapshot.feature?.floating.isFloatingCloud ? snapshot.feature.floating : null,
      },
      replayed: false,
    };
  }

  /**
   * The counter's state at `nowMs`: the row, created on first use (from the D1 mirror's total),
   * with any periodic reset that is due applied (and audited). Must be called inside transactionSync.
   */
  private currentState(snapshot: CounterSnapshot, nowMs: number, apiKeyId: number | null): CounterState {
    const rules = snapshot.feature ? snapshot.feature.rules : snapshot.license.rules;
    const stored = this.readCounter();
    if (!stored) {
      const initialTotal = snapshot.feature ? snapshot.feature.mirroredTotal : snapshot.license.mirroredTotal;
      const { state } = settlePeriod({ total: initialTotal, periodStart: null, periodKind: null }, rules, nowMs);
      this.sql.exec(
        "INSERT INTO counter (id, license_id, license_feature_id, total, period_start, period_kind) VALUES (1, ?, ?, ?, ?, ?)",
        snapshot.license.id,
        snapshot.feature?.id ?? null,
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
    if (cleared !== 0) {
      this.appendAudit(snapshot, { hardwareId: null, consumptions: -cleared, totalAfter: 0, event: "period_reset", apiKeyId, nowMs });
    }
    return state;
  }

  /** The counter row, from memory once loaded (this object is its only writer). */
  private readCounter(): CounterState | null {
    if (this.counterRow === undefined) {
      const row = this.sql
        .exec<{
          total: number;
          period_start: string | null;
          period_kind: ConsumptionPeriod | null;
        }>("SELECT total, period_start, period_kind FROM counter WHERE id = 1")
        .toArray()[0];
      // period_kind NULL with a period_start: a row from before the kind was recorded (undefined).
      this.counterRow = row
        ? { total: row.total, periodStart: row.period_start, periodKind: row.period_kind ?? (row.period_start === null ? null : undefined) }
        : null;
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
      this.outbox.forget();
      throw error;
    }
  }

  private appendAudit(snapshot: CounterSnapshot, entry: AuditEntry): void {
    this.outbox.append(
      { licenseId: snapshot.license.id, licenseFeatureId: snapshot.feature?.id ?? null, featureCode: snapshot.feature?.code ?? null },
      entry,
    );
    this.outboxDirty = true;
  }

  /** Starts a send off the response path, and makes sure an alarm will retry if it can't finish. */
  private scheduleSend(): void {
    if (!this.outboxDirty) return;
    this.outboxDirty = false;
    // The safety net: an alarm within SAFETY_NET_MS (the alarm time is kept in memory, so this
    // writes storage only when no alarm is that close), so a send that never completes (eviction,
    // queue down) is retried. Failures below are logged, never thrown: the rows are safe in the
    // outbox either way, and an object being torn down must not surface as an unhandled rejection.
    this.wantAlarmBy(Date.now() + SAFETY_NET_MS);
    if (this.sending) return; // the running send drains until the outbox is empty
    this.ctx.waitUntil(
      this.send().catch((error: unknown) => {
        console.warn(`audit send failed; the alarm will retry: ${String(error)}`);
        this.wantAlarmBy(Date.now() + this.retryDelay());
      }),
    );
  }

  /**
   * Makes sure the alarm runs no later than `at` (null: nothing asked). The storage alarm moves
   * only earlier here; alarm() sets the next one from what is left to do.
   */
  private wantAlarmBy(at: number | null): void {
    if (at === null) return;
    if (typeof this.alarmAt === "number" && this.alarmAt <= at) return;
    this.alarmAt = at;
    this.ctx.storage.setAlarm(at).catch((error: unknown) => {
      this.alarmAt = undefined;
      console.warn(`could not set the alarm: ${String(error)}`);
    });
  }

  /** Sends the outbox to the audit queue until it is empty. One send at a time; callers share it. */
  private send(): Promise<void> {
    if (!this.sending) {
      this.sending = this.drainOutbox().finally(() => {
        this.sending = null;
      });
    }
    return this.sending;
  }

  private async drainOutbox(): Promise<void> {
    await scheduler.wait(SEND_DEBOUNCE_MS);
    for (;;) {
      const rows = this.outbox.oldest(ROWS_PER_SEND);
      const last = rows.at(-1);
      if (!last) return;
      const messages: MessageSendRequest<AuditMessage>[] = [];
      for (let i = 0; i < rows.length; i += ROWS_PER_MESSAGE) {
        messages.push({ body: { rows: rows.slice(i, i + ROWS_PER_MESSAGE) }, contentType: "json" });
      }
      await this.env.AUDIT_QUEUE.sendBatch(messages);
      // Only now do the rows leave: a send that failed, or an eviction before this line, keeps them
      // here for the next attempt; the consumer's insert ignores a row it already has.
      this.outbox.removeThrough(last.seq);
      this.failedSends = 0;
    }
  }

  private retryDelay(): number {
    this.failedSends += 1;
    return Math.min(MAX_RETRY_MS, 1000 * 2 ** Math.min(this.failedSends - 1, 6));
  }
}

/** Which devices may hold a floating slot: those active on the license and not blacklisted. */
function mayHoldIn(snapshot: CounterSnapshot): MayHold {
  return (hardwareId) => {
    const device = snapshot.devices.get(hardwareId);
    return device !== undefined && device.active && !device.blacklisted;
  };
}
