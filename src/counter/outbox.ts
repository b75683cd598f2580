/**
 * The counter object's outbox (table `outbox` in its SQLite): audit rows written in the same
 * transaction as the total they record, so a consumption is never counted without its row. Rows
 * leave only after the audit queue accepted them; the object decides when to send them.
 */
import type { SequencedAuditRow } from "../db/consumption-audit";

export interface AuditEntry {
  hardwareId: string | null;
  consumptions: number;
  totalAfter: number;
  event: string;
  apiKeyId: number | null;
  nowMs: number;
}

/** An audit row with its sequence number in this object's outbox (increasing with every row). */
export type OutboxRow = SequencedAuditRow;

/** One audit queue message: rows of one counter, oldest first. */
export interface AuditMessage {
  rows: OutboxRow[];
}

export class Outbox {
  /**
   * The table's rows, oldest first, while this copy is known to hold exactly what the table holds
   * (null: unknown, read the table). Known once a read returned the whole table; kept in step by
   * `append` and `removeThrough`; dropped by `forget` when a transaction rolls back. It spares
   * the send a SELECT per message, which under load spread over many counters is one per row.
   */
  private copy: OutboxRow[] | null = null;

  constructor(private readonly sql: SqlStorage) {
    sql.exec(`
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
      );`);
  }

  /** Appends one row; call inside the transaction that changes the total. */
  append(counter: { licenseId: number; licenseFeatureId: number | null; featureCode: string | null }, entry: AuditEntry): void {
    const row: Omit<OutboxRow, "seq"> = {
      event_id: crypto.randomUUID(),
      license_id: counter.licenseId,
      license_feature_id: counter.licenseFeatureId,
      feature_code: counter.featureCode,
      hardware_id: entry.hardwareId,
      consumptions: entry.consumptions,
      total_after: entry.totalAfter,
      event: entry.event,
      api_key_id: entry.apiKeyId,
      created_at: new Date(entry.nowMs).toISOString(),
    };
    const { seq } = this.sql
      .exec<{ seq: number }>(
        `INSERT INTO outbox (event_id, license_id, license_feature_id, feature_code, hardware_id, consumptions, total_after, event, api_key_id, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING seq`,
        row.event_id,
        row.license_id,
        row.license_feature_id,
        row.feature_code,
        row.hardware_id,
        row.consumptions,
        row.total_after,
        row.event,
        row.api_key_id,
        row.created_at,
      )
      .one();
    this.copy?.push({ seq, ...row });
  }

  /** The oldest `limit` rows, oldest first. */
  oldest(limit: number): OutboxRow[] {
    if (this.copy) return this.copy.slice(0, limit);
    const rows = this.sql.exec<OutboxRow & Record<string, SqlStorageValue>>("SELECT * FROM outbox ORDER BY seq LIMIT ?", limit).toArray();
    if (rows.length < limit) this.copy = rows.slice(); // the whole table
    return rows;
  }

  /** Drops every row up to and including `seq`: the audit log has them. */
  removeThrough(seq: number): void {
    this.sql.exec("DELETE FROM outbox WHERE seq <= ?", seq);
    if (this.copy) {
      const kept = this.copy.findIndex((row) => row.seq > seq);
      this.copy = kept === -1 ? [] : this.copy.slice(kept);
    }
  }

  /** Forgets the in-memory copy: a transaction that appended to it rolled back. */
  forget(): void {
    this.copy = null;
  }

  /** How many rows this outbox has ever taken (its last sequence number). */
  appended(): number {
    return this.sql.exec<{ seq: number }>("SELECT seq FROM sqlite_sequence WHERE name = 'outbox'").toArray()[0]?.seq ?? 0;
  }

  size(): number {
    if (this.copy) return this.copy.length;
    return this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM outbox").one().n;
  }
}
