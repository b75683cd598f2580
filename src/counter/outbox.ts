/**
 * Where audit rows wait in the counter object (table `outbox`): written in the same transaction as
 * the total they record, so a consumption is never counted without its row. They leave only after
 * the audit queue accepted them (audit-delivery.ts decides when). A row too large for any queue
 * message moves to table `set_aside_audit_rows` instead, kept whole, so it never blocks the rows
 * behind it.
 */
import type { SequencedAuditRow } from "../db/consumption-audit";
import type { AuditEvent } from "../models/audit-entry";

export interface OutboxEntry {
  hardwareId: string | null;
  consumptions: number;
  totalAfter: number;
  event: AuditEvent;
  apiKeyId: number | null;
  nowMs: number;
  /** The units of this change past max_consumption (thresholds.ts overageOf); null for resets and imports. */
  overage?: number | null;
}

/** Which counter a row belongs to. */
export interface AuditCounter {
  licenseId: number;
  licenseFeatureId: number | null;
  featureCode: string | null;
}

/** An audit row with its sequence number in this object's outbox (increasing with every row). */
export type OutboxRow = SequencedAuditRow;

/** A set-aside row with its full encoded size. */
export type SetAsideRow = OutboxRow & { bytes: number };

const COLUMNS =
  "event_id, license_id, license_feature_id, feature_code, hardware_id, consumptions, total_after, event, api_key_id, created_at, overage";

export class Outbox {
  readonly #sql: SqlStorage;
  /**
   * The table's rows, oldest first, while this copy is known to hold exactly what the table holds
   * (null: unknown, read the table). Known once a read returned the whole table; kept in step by
   * `append`, `removeThrough` and `setAside`; dropped by `forget` when a transaction rolls back. It
   * spares the send a SELECT per message, which under load spread over many counters is one per row.
   */
  #copy: OutboxRow[] | null = null;
  /** Rows were appended since the last `takeNewRows`. */
  #newRows = false;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
  }

  /** Appends one row; call inside the transaction that changes the total. */
  append(counter: AuditCounter, entry: OutboxEntry): void {
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
      overage: entry.overage ?? null,
    };
    const { seq } = this.#sql
      .exec<{ seq: number }>(
        `INSERT INTO outbox (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING seq`,
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
        row.overage,
      )
      .one();
    this.#copy?.push({ seq, ...row });
    this.#newRows = true;
  }

  /** Whether rows were appended since the last call (the delivery then starts a send). */
  takeNewRows(): boolean {
    const taken = this.#newRows;
    this.#newRows = false;
    return taken;
  }

  /** The oldest `limit` rows, oldest first. */
  oldest(limit: number): OutboxRow[] {
    if (this.#copy) return this.#copy.slice(0, limit);
    const rows = this.#sql.exec<OutboxRow & Record<string, SqlStorageValue>>("SELECT * FROM outbox ORDER BY seq LIMIT ?", limit).toArray();
    if (rows.length < limit) this.#copy = rows.slice(); // the whole table
    return rows;
  }

  /** Drops every row up to and including `seq`: the audit queue has them. */
  removeThrough(seq: number): void {
    this.#sql.exec("DELETE FROM outbox WHERE seq <= ?", seq);
    if (this.#copy) {
      const kept = this.#copy.findIndex((row) => row.seq > seq);
      this.#copy = kept === -1 ? [] : this.#copy.slice(kept);
    }
  }

  /** Moves rows out of the outbox into `set_aside_audit_rows`, whole. Call inside transactionSync. */
  setAside(rows: readonly SetAsideRow[]): void {
    for (const row of rows) {
      this.#sql.exec(
        `INSERT INTO set_aside_audit_rows (seq, ${COLUMNS}, bytes) SELECT seq, ${COLUMNS}, ? FROM outbox WHERE seq = ?`,
        row.bytes,
        row.seq,
      );
      this.#sql.exec("DELETE FROM outbox WHERE seq = ?", row.seq);
    }
    if (this.#copy) {
      const moved = new Set(rows.map((row) => row.seq));
      this.#copy = this.#copy.filter((row) => !moved.has(row.seq));
    }
  }

  /** Set-aside rows not yet recorded in D1's dead letters, oldest first. */
  unreportedSetAside(limit: number): SetAsideRow[] {
    return this.#sql
      .exec<SetAsideRow & Record<string, SqlStorageValue>>(
        `SELECT seq, ${COLUMNS}, bytes FROM set_aside_audit_rows WHERE reported = 0 ORDER BY seq LIMIT ?`,
        limit,
      )
      .toArray();
  }

  markReported(seqs: readonly number[]): void {
    for (const seq of seqs) this.#sql.exec("UPDATE set_aside_audit_rows SET reported = 1 WHERE seq = ?", seq);
  }

  /** Forgets the in-memory copy: a transaction that appended to it rolled back. */
  forget(): void {
    this.#copy = null;
  }

  /** How many rows this outbox has ever taken (its last sequence number). */
  appended(): number {
    return this.#sql.exec<{ seq: number }>("SELECT seq FROM sqlite_sequence WHERE name = 'outbox'").toArray()[0]?.seq ?? 0;
  }

  size(): number {
    if (this.#copy) return this.#copy.length;
    return this.#sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM outbox").one().n;
  }
}
