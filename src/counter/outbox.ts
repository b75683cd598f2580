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
  }

  /** The oldest `limit` rows, oldest first. */
  oldest(limit: number): OutboxRow[] {
    return this.sql.exec<OutboxRow & Record<string, SqlStorageValue>>("SELECT * FROM outbox ORDER BY seq LIMIT ?", limit).toArray();
  }

  /** Drops every row up to and including `seq`: the audit log has them. */
  removeThrough(seq: number): void {
    this.sql.exec("DELETE FROM outbox WHERE seq <= ?", seq);
  }

  /** How many rows this outbox has ever taken (its last sequence number). */
  appended(): number {
    return this.sql.exec<{ seq: number }>("SELECT seq FROM sqlite_sequence WHERE name = 'outbox'").toArray()[0]?.seq ?? 0;
  }

  size(): number {
    return this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM outbox").one().n;
  }
}
