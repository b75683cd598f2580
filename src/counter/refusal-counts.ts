/**
 * Refused consumptions, counted per hour (table `refusal_counts`): a request the consumption rules
 * refuse writes no audit row, yet the vendor's usage reports count it. The count is kept in the
 * transaction that refused, so a refusal remembered under its request key and replayed is counted
 * once. The counts travel with the audit rows (audit-delivery.ts) as absolute values per hour, which
 * the consumer writes idempotently: a count delivered twice, or an older count arriving after a
 * newer one, changes nothing (src/db/usage-rollups.ts).
 *
 * Refusals by the license, device or feature checks (a disabled license, an unknown device) are not
 * counted here: they write nothing at all, so that unknown devices cannot make an object grow.
 */
import type { RefusalReport } from "../audit/audit-message";
import type { RuleRefusal } from "./types";

/** The start of the UTC hour holding `ms`, ISO-8601. */
export const hourOf = (ms: number) => new Date(ms - (((ms % 3_600_000) + 3_600_000) % 3_600_000)).toISOString();

export class RefusalCounts {
  readonly #sql: SqlStorage;
  /** Whether some count has not been sent; undefined until the table was read. */
  #unsent: boolean | undefined;
  /** Refusals were counted since the last `takeNewCounts`. */
  #newCounts = false;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
  }

  /** Counts one refusal of this counter at `nowMs`. Call inside the transaction that refused. */
  count(counter: { licenseId: number; licenseFeatureId: number | null }, code: RuleRefusal, nowMs: number): void {
    const column = code === "feature_not_enough_consumptions" ? "over_limit" : "negative";
    this.#sql.exec(
      `INSERT INTO refusal_counts (hour, license_id, license_feature_id, ${column}) VALUES (?, ?, ?, 1)
       ON CONFLICT (hour) DO UPDATE SET ${column} = ${column} + 1`,
      hourOf(nowMs),
      counter.licenseId,
      counter.licenseFeatureId,
    );
    this.#unsent = true;
    this.#newCounts = true;
  }

  /** Whether refusals were counted since the last call. */
  takeNewCounts(): boolean {
    const taken = this.#newCounts;
    this.#newCounts = false;
    return taken;
  }

  /** Whether some count has changed since it was last sent. */
  hasUnsent(): boolean {
    if (this.#unsent === undefined) this.#unsent = this.unsent().length > 0;
    return this.#unsent;
  }

  /** The hours whose counts changed since they were last sent, oldest first. */
  unsent(): RefusalReport[] {
    const reports = this.#sql
      .exec<RefusalReport & Record<string, SqlStorageValue>>(
        `SELECT license_id, license_feature_id, hour, over_limit, negative FROM refusal_counts
         WHERE over_limit <> sent_over_limit OR negative <> sent_negative ORDER BY hour`,
      )
      .toArray();
    this.#unsent = reports.length > 0;
    return reports;
  }

  /**
   * The audit queue has these counts. Hours over before `nowMs`'s hour whose counts are all sent are
   * forgotten: no refusal can be counted in them any more.
   */
  markSent(reports: readonly RefusalReport[], nowMs: number): void {
    for (const report of reports) {
      this.#sql.exec(
        "UPDATE refusal_counts SET sent_over_limit = ?, sent_negative = ? WHERE hour = ?",
        report.over_limit,
        report.negative,
        report.hour,
      );
    }
    this.#sql.exec(
      "DELETE FROM refusal_counts WHERE hour < ? AND over_limit = sent_over_limit AND negative = sent_negative",
      hourOf(nowMs),
    );
    this.#unsent = undefined;
  }

  /** Forgets what it knows in memory: a transaction that counted rolled back. */
  forget(): void {
    this.#unsent = undefined;
  }
}
