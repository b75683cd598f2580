/**
 * ConsumptionCounter: the Durable Object that owns one counter's total, one object per license
 * feature ("feature:<license_feature_id>") or per license ("license:<license_id>"). This class is
 * its RPC surface and nothing else; each job is a module of its own (docs/architecture.md "The
 * counter object"):
 * - counter-total.ts: where a consumption is counted (the total, periodic resets, the rules);
 * - floating-decision.ts: where a floating slot is decided (the pool: floating-pool.ts);
 * - snapshot-cache.ts: what the object decides with, kept in its storage and coherent with D1;
 * - audit-delivery.ts: where audit rows leave the object (the outbox: outbox.ts), and
 *   alarm-schedule.ts, the one alarm its jobs share;
 * - schema-migrations.ts: how its SQLite schema evolves.
 *
 * Exactness: a Durable Object runs one event at a time, but any `await` lets another request in.
 * So each call does everything that matters inside one synchronous `transactionSync`, after its
 * last `await`: the access checks, the request key, the periodic reset, the rule check, the new
 * total, its audit row and the remembered answer commit together or not at all. Two requests can
 * never both see "1 left". Refused requests write nothing at all.
 */
import { DurableObject } from "cloudflare:workers";
import { consumptionDenied } from "./access";
import { AlarmSchedule } from "./alarm-schedule";
import { AuditDelivery } from "./audit-delivery";
import { decideCheck } from "./check-decision";
import { CounterTotal } from "./counter-total";
import { EventOutbox } from "./event-outbox";
import { decideFloating, mayHoldIn } from "./floating-decision";
import { FloatingPool } from "./floating-pool";
import { ImportLog } from "./import-log";
import { Outbox } from "./outbox";
import { RefusalCounts } from "./refusal-counts";
import { RequestLog } from "./request-log";
import { migrateCounterSchema } from "./schema-migrations";
import { namesThisCounter, type CounterSnapshot, type CounterTarget, type SnapshotRead } from "./snapshot";
import { SnapshotCache } from "./snapshot-cache";
import type {
  CheckOutcome,
  CheckRequest,
  ConsumeOutcome,
  ConsumeRequest,
  CounterState,
  CounterUsageState,
  FloatingOutcome,
  FloatingRequest,
  PoolLeases,
} from "./types";
import { UsageSignals } from "./usage-signals";

export class ConsumptionCounter extends DurableObject<Env> {
  readonly #snapshots: SnapshotCache;
  readonly #outbox: Outbox;
  readonly #events: EventOutbox;
  readonly #refusals: RefusalCounts;
  readonly #signals: UsageSignals;
  readonly #total: CounterTotal;
  readonly #requests: RequestLog;
  readonly #imports: ImportLog;
  readonly #pool: FloatingPool;
  readonly #alarm: AlarmSchedule;
  readonly #delivery: AuditDelivery;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    const { sql } = ctx.storage;
    // The bindings are read at each use: they are this object's own at that moment.
    this.#snapshots = new SnapshotCache(
      sql,
      () => this.env.DB,
      (work) => ctx.waitUntil(work),
    );
    this.#outbox = new Outbox(sql);
    this.#events = new EventOutbox(sql);
    this.#refusals = new RefusalCounts(sql);
    this.#signals = new UsageSignals(this.#events, this.#refusals);
    this.#total = new CounterTotal(sql, this.#outbox, this.#signals);
    this.#requests = new RequestLog(sql);
    this.#imports = new ImportLog(sql);
    this.#pool = new FloatingPool(sql);
    this.#alarm = new AlarmSchedule(ctx.storage);
    this.#delivery = new AuditDelivery(
      ctx,
      () => this.env,
      { rows: this.#outbox, events: this.#events, refusals: this.#refusals },
      this.#alarm,
    );
    void ctx.blockConcurrencyWhile(async () => {
      migrateCounterSchema(ctx.storage);
      await this.#alarm.load();
    });
  }

  /** Applies one consumption, at most once per request key. */
  async consume(request: ConsumeRequest): Promise<ConsumeOutcome> {
    const snapshot = await this.#snapshots.get(request.target, request.productVersion, request.seed);
    if (!snapshot || !namesThisCounter(snapshot, request.lookup)) return { kind: "stale_route" };
    const outcome = this.#transaction((): ConsumeOutcome => {
      const nowMs = Date.now();
      const denied = consumptionDenied(snapshot, request, nowMs);
      if (denied) return denied;
      const earlier = this.#requests.earlierAnswer(request.requestKey, request.retry, nowMs);
      if (earlier) return earlier;
      const decided = this.#total.consume(snapshot, request, nowMs);
      this.#requests.remember(request.requestKey, decided, nowMs);
      return decided;
    });
    // Accepted consumptions add a row, and so may a refused one: a periodic reset that was due; a
    // refusal is counted.
    this.#delivery.schedule();
    return outcome;
  }

  /**
   * The live total (after any periodic reset that is due), for license and feature checks. `seed`:
   * the license's snapshot as the caller read it, taken if this object has none as new.
   */
  async state(target: CounterTarget, productVersion?: number, seed?: SnapshotRead): Promise<CounterState> {
    const snapshot = await this.#snapshot(target, productVersion, seed);
    const state = this.#transaction(() => this.#total.current(snapshot, Date.now(), null));
    this.#delivery.schedule();
    return { total: state.total, periodStart: state.periodStart };
  }

  /**
   * Sets the total to 0 now (a vendor's manual reset), audited as "manual_reset". Serialised with
   * consumptions like everything else here, so a reset racing a consumption is one or the other.
   */
  async resetTotal(target: CounterTarget): Promise<CounterState> {
    const snapshot = await this.#snapshot(target, undefined);
    const state = this.#transaction(() => this.#total.reset(snapshot, Date.now()));
    this.#delivery.schedule();
    return { total: state.total, periodStart: state.periodStart };
  }

  /**
   * Sets the total to `total` (a migration's imported total, docs/migration.md), audited as
   * "import" with the difference, unless the last import set this same total already. Answers the
   * live state afterwards.
   */
  async importTotal(target: CounterTarget, total: number): Promise<CounterState> {
    const snapshot = await this.#snapshot(target, undefined);
    const state = this.#transaction(() => this.#total.importTotal(snapshot, this.#imports, total, Date.now()));
    this.#delivery.schedule();
    return { total: state.total, periodStart: state.periodStart };
  }

  /**
   * A license-level write committed: the snapshot is marked stale in storage before this returns,
   * and no snapshot read before the write (with a write version below `change.writeVersion`) is
   * taken from then on. `change.seed`, the license as read after the write, becomes the snapshot at
   * once; without it the next request reads D1. Called by every license-level write before it answers.
   */
  async invalidate(change?: { target: CounterTarget; writeVersion: number; seed?: SnapshotRead }): Promise<void> {
    this.#snapshots.invalidate(change?.target ?? null, change?.writeVersion ?? null, change?.seed);
  }

  /** Audit rows not yet handed to the audit queue (for operators and tests). */
  async pendingAuditRows(): Promise<number> {
    return this.#outbox.size();
  }

  /**
   * What the reconciliation compares with D1 (src/usage/reconciliation.ts): the stored total as it
   * stands (no periodic reset applied: this only reads), how many audit rows the counter ever wrote,
   * and what has not left the object yet (rows, events, refusal counts). Null: the counter was
   * never used.
   */
  async usageState(): Promise<CounterUsageState | null> {
    const counter = this.#total.stored();
    if (!counter) return null;
    return {
      total: counter.total,
      periodStart: counter.periodStart,
      auditRowsWritten: this.#outbox.appended(),
      pendingAuditRows: this.#outbox.size(),
      pendingEvents: this.#events.size(),
      unsentRefusalHours: this.#refusals.unsent().length,
    };
  }

  /** How many audit rows this counter has ever written (the audit log has them all once it has this many). */
  async auditRowsWritten(): Promise<number> {
    return this.#outbox.appended();
  }

  /** Sends the outbox to the audit queue now; rejects if the queue refuses (the alarm keeps retrying either way). */
  async flushAudit(): Promise<void> {
    await this.#delivery.send();
  }

  /** One floating pool request (check in, borrow, release, look), decided in one transactionSync. */
  async floating(request: FloatingRequest): Promise<FloatingOutcome> {
    const snapshot = await this.#snapshots.get(request.target, request.productVersion, request.seed);
    if (!snapshot || !namesThisCounter(snapshot, request.lookup)) return { kind: "stale_route" };
    const outcome = this.#transaction(() => {
      const nowMs = Date.now();
      const decided = decideFloating(this.#pool, snapshot, request, nowMs);
      if (decided.kind === "pool" && decided.pool.filled) {
        this.#signals.poolFilled(snapshot, decided.pool.inUseDevices, request.lookup.hardwareId, nowMs);
      }
      return decided;
    });
    this.#alarm.wantBy(this.#pool.nextExpiry());
    this.#delivery.schedule();
    return outcome;
  }

  /**
   * check_license at the license's object, check_license_feature at a feature's object
   * (check-decision.ts): the checks, the device's floating check-in and the live total in one
   * transactionSync, answered with the snapshot they were decided with.
   */
  async check(request: CheckRequest): Promise<CheckOutcome> {
    const snapshot = await this.#snapshots.get(request.target, request.productVersion, request.seed);
    const read = this.#snapshots.read();
    if (!snapshot || !read || !namesThisCounter(snapshot, request.lookup)) return { kind: "stale_route" };
    const decided = this.#transaction(() => {
      const nowMs = Date.now();
      const checked = decideCheck(this.#pool, this.#total, snapshot, request, nowMs);
      if (checked.kind === "checked" && checked.pool?.filled) {
        this.#signals.poolFilled(snapshot, checked.pool.inUseDevices, request.lookup.hardwareId, nowMs);
      }
      return checked;
    });
    this.#alarm.wantBy(this.#pool.nextExpiry());
    this.#delivery.schedule();
    if (decided.kind !== "checked") return decided;
    const state = decided.state && { total: decided.state.total, periodStart: decided.state.periodStart };
    return { kind: "checked", read, pool: decided.pool, state };
  }

  /** The leases holding a slot in this object's pool now (the vendor's view). */
  async poolLeases(target: CounterTarget, productVersion?: number): Promise<PoolLeases> {
    const snapshot = await this.#snapshot(target, productVersion);
    const floating = snapshot.feature ? snapshot.feature.floating.isFloatingCloud : snapshot.license.floating.isFloatingCloud;
    const leases = this.#transaction(() => this.#pool.leases(Date.now(), mayHoldIn(snapshot)));
    return { floating, leases };
  }

  /** Every job's alarm work, then the next alarm from what storage holds (alarm-schedule.ts). */
  override async alarm(): Promise<void> {
    this.#alarm.fired();
    // The pool first: synchronous, and done whatever the audit delivery does.
    this.#pool.purgeExpired(Date.now());
    await this.#delivery.onAlarm();
    this.#alarm.wantBy(this.#pool.nextExpiry());
  }

  /** The snapshot for a call that needs one: a counter that names nothing in D1 is the caller's mistake. */
  async #snapshot(target: CounterTarget, productVersion: number | undefined, seed?: SnapshotRead): Promise<CounterSnapshot> {
    const snapshot = await this.#snapshots.get(target, productVersion, seed);
    if (!snapshot) throw new Error(`counter ${JSON.stringify(target)} names no license feature in D1`);
    return snapshot;
  }

  /**
   * transactionSync, keeping the in-memory copies honest: if the transaction throws (and so rolls
   * back), they are dropped and read again from storage on next use.
   */
  #transaction<T>(work: () => T): T {
    try {
      return this.ctx.storage.transactionSync(work);
    } catch (error) {
      this.#total.forget();
      this.#outbox.forget();
      this.#events.forget();
      this.#refusals.forget();
      throw error;
    }
  }
}
