/**
 * The counter object's memory of requests it has answered (table `requests` in its SQLite): the
 * answer to each request key, kept until the key expires, so a retried request is answered again
 * instead of charged again (src/license-api/idempotency.ts says who makes the keys).
 * Only the counter object uses it, inside its transactions.
 */
import type { ConsumeOutcome, RequestKey } from "./types";

/** Expired keys are forgotten a few at a time, every this many remembered requests. */
const PURGE_EVERY = 32;

export class RequestLog {
  readonly #sql: SqlStorage;
  #rememberedSincePurge = 0;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
  }

  /**
   * The answer already given to this request, if any: the stored outcome (marked replayed), or
   * key_reused when the key came with another request. A fresh internal key cannot have been
   * seen, so only a retry, or a client's key, is looked up.
   */
  earlierAnswer(requestKey: RequestKey, retry: boolean, nowMs: number): ConsumeOutcome | null {
    if (!retry && requestKey.key.startsWith("internal:")) return null;
    const row = this.#sql
      .exec<{ fingerprint: string; outcome: string }>(
        "SELECT fingerprint, outcome FROM requests WHERE request_key = ? AND expires_at >= ?",
        requestKey.key,
        nowMs,
      )
      .toArray()[0];
    if (!row) return null;
    if (row.fingerprint !== requestKey.fingerprint) return { kind: "key_reused" };
    return { ...(JSON.parse(row.outcome) as ConsumeOutcome), replayed: true } as ConsumeOutcome;
  }

  /**
   * Remembers the answer to `requestKey`. Bounded work: at most one key is added per call and up
   * to PURGE_EVERY expired ones removed every PURGE_EVERY calls, so the table never grows without bound.
   */
  remember(requestKey: RequestKey, outcome: ConsumeOutcome, nowMs: number): void {
    if (++this.#rememberedSincePurge >= PURGE_EVERY) {
      this.#rememberedSincePurge = 0;
      this.#sql.exec("DELETE FROM requests WHERE rowid IN (SELECT rowid FROM requests WHERE expires_at < ? LIMIT ?)", nowMs, PURGE_EVERY);
    }
    // OR REPLACE: an expired key not purged yet is simply reused.
    this.#sql.exec(
      "INSERT OR REPLACE INTO requests (request_key, fingerprint, outcome, expires_at) VALUES (?, ?, ?, ?)",
      requestKey.key,
      requestKey.fingerprint,
      JSON.stringify(outcome),
      requestKey.expiresAt,
    );
  }
}
