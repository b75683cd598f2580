/**
 * The counter object's record of totals imported into it (table `imports` in its SQLite), so that
 * an import is applied once: importing the total that the last import set again (a retried or
 * re-run import) changes nothing, even if the counter has counted consumptions since. Only the
 * counter object uses it, inside its transactions (docs/migration.md "4.4 Totals").
 */
export class ImportLog {
  readonly #sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
  }

  /** The total the most recent import set, or null when nothing was ever imported here. */
  lastImported(): number | null {
    return this.#sql.exec<{ total: number }>("SELECT total FROM imports ORDER BY seq DESC LIMIT 1").toArray()[0]?.total ?? null;
  }

  record(total: number, totalBefore: number, nowMs: number): void {
    this.#sql.exec(
      "INSERT INTO imports (total, total_before, imported_at) VALUES (?, ?, ?)",
      total,
      totalBefore,
      new Date(nowMs).toISOString(),
    );
  }
}
