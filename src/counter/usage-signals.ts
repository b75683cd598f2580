/**
 * What the counter object tells the vendor beyond its audit rows (docs/usage-and-webhooks.md):
 * thresholds crossed, periods ended, floating pools filled (events, event-outbox.ts) and refused
 * consumptions (counted per hour, refusal-counts.ts). Every method runs inside the transaction that
 * decided what it records, so each signal is decided once, by the counter's one writer, and
 * commits with the change it describes or not at all.
 */
import { periodEnd } from "./consumption-period";
import type { ConsumptionPeriod, ConsumptionRules } from "./consumption-rules";
import type { EventOutbox } from "./event-outbox";
import type { RefusalCounts } from "./refusal-counts";
import type { CounterSnapshot } from "./snapshot";
import { crossings } from "./thresholds";
import type { RuleRefusal } from "./types";

export class UsageSignals {
  readonly #events: EventOutbox;
  readonly #refusals: RefusalCounts;

  constructor(events: EventOutbox, refusals: RefusalCounts) {
    this.#events = events;
    this.#refusals = refusals;
  }

  /** A consumption moved the total from `before` to `after`: one event per threshold it crossed. */
  consumed(
    snapshot: CounterSnapshot,
    rules: ConsumptionRules,
    before: number,
    after: number,
    periodStart: string | null,
    nowMs: number,
  ): void {
    for (const crossing of crossings(rules, before, after)) {
      const type =
        crossing.kind === "threshold"
          ? "consumption.threshold_reached"
          : crossing.kind === "overage_used"
            ? "consumption.overage_used"
            : "consumption.limit_reached";
      this.#events.append(
        type,
        {
          ...counterOf(snapshot),
          ...(crossing.kind === "threshold" ? { threshold_percent: crossing.percent } : {}),
          total_consumptions: after,
          ...limitsOf(rules),
          period_start: periodStart,
        },
        nowMs,
      );
    }
  }

  /** A periodic reset cleared `total` at the end of the period that began at `periodStart`. */
  periodEnded(
    snapshot: CounterSnapshot,
    rules: ConsumptionRules,
    period: ConsumptionPeriod,
    periodStart: string,
    total: number,
    nowMs: number,
  ): void {
    const cap = rules.maxConsumption;
    this.#events.append(
      "consumption.period_reset",
      {
        ...counterOf(snapshot),
        period,
        period_start: periodStart,
        period_end: new Date(periodEnd(period, Date.parse(periodStart))).toISOString(),
        total_consumptions: total,
        ...limitsOf(rules),
        overage: rules.allowUnlimitedConsumptions ? 0 : Math.max(0, total - cap),
      },
      nowMs,
    );
  }

  /** The consumption rules refused a request. */
  refused(snapshot: CounterSnapshot, code: RuleRefusal, nowMs: number): void {
    this.#refusals.count({ licenseId: snapshot.license.id, licenseFeatureId: snapshot.feature?.id ?? null }, code, nowMs);
  }

  /** A device took the last free slot of this counter's floating pool. */
  poolFilled(snapshot: CounterSnapshot, size: number, hardwareId: string, nowMs: number): void {
    this.#events.append("floating.pool_exhausted", { ...counterOf(snapshot), floating_users: size, hardware_id: hardwareId }, nowMs);
  }
}

function counterOf(snapshot: CounterSnapshot) {
  return {
    license_id: snapshot.license.id,
    license_key: snapshot.license.licenseKey,
    license_feature_id: snapshot.feature?.id ?? null,
    feature_code: snapshot.feature?.code ?? null,
    product: snapshot.product.shortCode,
  };
}

function limitsOf(rules: ConsumptionRules) {
  return {
    max_consumption: rules.maxConsumption,
    allow_unlimited_consumptions: rules.allowUnlimitedConsumptions,
    allow_overages: rules.allowOverages,
    max_overages: rules.maxOverages,
  };
}
