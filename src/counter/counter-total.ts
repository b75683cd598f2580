/**
 * Where a consumption is counted: the counter's total and the period it tracks (table `counter`,
 * one row), changed only together with the audit row that records the change (outbox.ts). The
 * rules (consumption-rules.ts) and calendar periods (consumption-period.ts) are pure; this applies
 * them. Every method runs inside the object's transactionSync: the periodic reset that is due, the
 * rule check, the new total and its audit row commit together or not at all.
 */
import { settlePeriod } from "./consumption-period";
import { decideConsumption, narrowOverages, type ConsumptionPeriod } from "./consumption-rules";
import type { ImportLog } from "./import-log";
import type { OutboxEntry, Outbox } from "./outbox";
import type { UsageSignals } from "./usage-signals";
import type { CounterSnapshot } from "./snapshot";
import { overageOf } from "./thresholds";
import type { ConsumeOutcome, ConsumeRequest, CounterState } from "./types";

export class CounterTotal {
  readonly #sql: SqlStorage;
  readonly #outbox: Outbox;
  readonly #signals: UsageSignals;
  /** The counter row, from memory once read (this object is its only writer); undefined: not read yet. */
  #row: CounterState | null | undefined;

  constructor(sql: SqlStorage, outbox: Outbox, signals: UsageSignals) {
    this.#sql = sql;
    this.#outbox = outbox;
    this.#signals = signals;
  }

  /**
   * The counter's state at `nowMs`: the row, created on first use (from the D1 mirror's total),
   * with any periodic reset that is due applied (and audited, naming `apiKeyId`'s request).
   */
  current(snapshot: CounterSnapshot, nowMs: number, apiKeyId: number | null): CounterState {
    const rules = snapshot.feature ? snapshot.feature.rules : snapshot.license.rules;
    const stored = this.#read();
    if (!stored) {
      const initialTotal = snapshot.feature ? snapshot.feature.mirroredTotal : snapshot.license.mirroredTotal;
      const { state } = settlePeriod({ total: initialTotal, periodStart: null, periodKind: null }, rules, nowMs);
      this.#sql.exec(
        "INSERT INTO counter (id, license_id, license_feature_id, total, period_start, period_kind) VALUES (1, ?, ?, ?, ?, ?)",
        snapshot.license.id,
        snapshot.feature?.id ?? null,
        state.total,
        state.periodStart,
        state.periodKind ?? null,
      );
      this.#row = state;
      return state;
    }
    const { state, cleared, changed } = settlePeriod(stored, rules, nowMs);
    if (!changed) return state;
    this.#write(state);
    if (cleared !== 0) {
      this.#audit(snapshot, { hardwareId: null, consumptions: -cleared, totalAfter: 0, event: "period_reset", apiKeyId, nowMs });
      // A reset only happens within one period kind, so the stored period is of that kind (consumption-period.ts).
      if (stored.periodStart !== null && state.periodKind) {
        this.#signals.periodEnded(snapshot, rules, state.periodKind, stored.periodStart, cleared, nowMs);
      }
    }
    return state;
  }

  /** The rule check and, when accepted, the new total and its audit row. */
  consume(snapshot: CounterSnapshot, request: ConsumeRequest, nowMs: number): Extract<ConsumeOutcome, { kind: "accepted" | "refused" }> {
    const reported = snapshot.feature ? snapshot.feature.rules : snapshot.license.rules;
    const rules = request.overages ? narrowOverages(reported, request.overages.allowOverages, request.overages.maxOverages) : reported;
    const state = this.current(snapshot, nowMs, request.apiKeyId);
    const decision = decideConsumption(rules, state.total, request.consumptions);
    if (!decision.ok) {
      this.#signals.refused(snapshot, decision.code, nowMs);
      return { kind: "refused", code: decision.code, message: decision.message, replayed: false };
    }
    this.#write({ ...state, total: decision.totalAfter });
    this.#audit(snapshot, {
      hardwareId: request.lookup.hardwareId,
      consumptions: request.consumptions,
      totalAfter: decision.totalAfter,
      event: request.event,
      apiKeyId: request.apiKeyId,
      nowMs,
      overage: overageOf(reported, state.total, decision.totalAfter),
    });
    this.#signals.consumed(snapshot, reported, state.total, decision.totalAfter, state.periodStart, nowMs);
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

  /** Sets the total to 0 (a vendor's manual reset), audited as "manual_reset"; nothing when it is 0 already. */
  reset(snapshot: CounterSnapshot, nowMs: number): CounterState {
    return this.#setTo(snapshot, this.current(snapshot, nowMs, null), 0, "manual_reset", nowMs);
  }

  /**
   * Sets the total to `total` (a migration's imported total), audited as "import" with the
   * difference, unless the last import set this same total already: a retried or re-run import
   * changes nothing and writes no second row.
   */
  importTotal(snapshot: CounterSnapshot, imports: ImportLog, total: number, nowMs: number): CounterState {
    const before = this.current(snapshot, nowMs, null);
    if (imports.lastImported() === total) return before;
    imports.record(total, before.total, nowMs);
    return this.#setTo(snapshot, before, total, "import", nowMs);
  }

  /** The counter row as stored, without applying a reset that is due (null: never used). */
  stored(): CounterState | null {
    return this.#read();
  }

  /** Forgets the in-memory row: a transaction that changed it rolled back. */
  forget(): void {
    this.#row = undefined;
  }

  #setTo(snapshot: CounterSnapshot, before: CounterState, total: number, event: "manual_reset" | "import", nowMs: number): CounterState {
    if (before.total === total) return before;
    this.#write({ ...before, total });
    this.#audit(snapshot, { hardwareId: null, consumptions: total - before.total, totalAfter: total, event, apiKeyId: null, nowMs });
    return { ...before, total };
  }

  #read(): CounterState | null {
    if (this.#row === undefined) {
      const row = this.#sql
        .exec<{
          total: number;
          period_start: string | null;
          period_kind: ConsumptionPeriod | null;
        }>("SELECT total, period_start, period_kind FROM counter WHERE id = 1")
        .toArray()[0];
      // period_kind NULL with a period_start: a row from before the kind was recorded (undefined).
      this.#row = row
        ? { total: row.total, periodStart: row.period_start, periodKind: row.period_kind ?? (row.period_start === null ? null : undefined) }
        : null;
    }
    return this.#row;
  }

  #write(state: CounterState): void {
    this.#sql.exec(
      "UPDATE counter SET total = ?, period_start = ?, period_kind = ? WHERE id = 1",
      state.total,
      state.periodStart,
      state.periodKind ?? null,
    );
    this.#row = state;
  }

  #audit(snapshot: CounterSnapshot, entry: OutboxEntry): void {
    this.#outbox.append(
      { licenseId: snapshot.license.id, licenseFeatureId: snapshot.feature?.id ?? null, featureCode: snapshot.feature?.code ?? null },
      entry,
    );
  }
}
