/**
 * The counter object's snapshot in its own storage (table `snapshot`, one row), so that an object
 * that was evicted, restarted or hibernated decides with no D1 read. It holds the rows D1 answered
 * (src/db/counter-snapshot.ts) with their fingerprint, the license's write version they carry and
 * when they were read, and two coherence marks (snapshot-cache.ts): `stale`, set by an
 * invalidation before it is acknowledged, and `stale_below`, the highest write version an
 * invalidation named, below which no snapshot read elsewhere is taken.
 */
import type { SnapshotRead } from "./snapshot";

/**
 * Rows larger than this (JSON characters) stay in memory only: a Durable Object's SQLite stores at
 * most 2 MB in one value. Such a license (thousands of devices) is read from D1 again after an eviction.
 */
const MAX_STORED_CHARS = 500_000;

export interface StoredSnapshot {
  /** The rows, when they are stored, usable (not stale) and of the fingerprint `shape` asked for. */
  read: SnapshotRead | null;
  writeVersion: number;
}

type SnapshotRow = {
  shape: string | null;
  rows: string | null;
  write_version: number;
  read_at: number;
  stale: number;
  stale_below: number;
};

export class SnapshotStore {
  readonly #sql: SqlStorage;
  /** The row, from memory once read (this object is its only writer); null: none; undefined: not read yet. */
  #row: SnapshotRow | null | undefined;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
  }

  /** What storage holds, its rows only when usable for `shape` (the fingerprint this code reads with). */
  load(shape: string): StoredSnapshot {
    const row = this.#read();
    const usable = row !== null && row.rows !== null && row.stale === 0 && row.shape === shape;
    return {
      read: usable ? { shape, rows: JSON.parse(row.rows!) as unknown[][], readAt: row.read_at } : null,
      writeVersion: row?.write_version ?? 0,
    };
  }

  /** Snapshots read elsewhere with a lower write version than this are refused. */
  staleBelow(): number {
    return this.#read()?.stale_below ?? 0;
  }

  /** Stores a usable snapshot (stale marks cleared, `stale_below` kept). */
  save(read: SnapshotRead, writeVersion: number): void {
    const rows = JSON.stringify(read.rows);
    const kept = rows.length <= MAX_STORED_CHARS ? rows : null;
    const staleBelow = this.#read()?.stale_below ?? 0;
    this.#sql.exec(
      `INSERT INTO snapshot (id, shape, rows, write_version, read_at, stale, stale_below) VALUES (1, ?, ?, ?, ?, 0, ?)
       ON CONFLICT (id) DO UPDATE SET shape = excluded.shape, rows = excluded.rows, write_version = excluded.write_version,
         read_at = excluded.read_at, stale = 0`,
      read.shape,
      kept,
      writeVersion,
      read.readAt,
      staleBelow,
    );
    this.#row = { shape: read.shape, rows: kept, write_version: writeVersion, read_at: read.readAt, stale: 0, stale_below: staleBelow };
  }

  /**
   * Marks what is stored stale, and raises `stale_below` to `writeVersion` (the version of the write
   * that invalidated it; null when the caller has none). Written before the invalidation is
   * acknowledged: the output gate holds the answer until it is durable.
   */
  markStale(writeVersion: number | null): void {
    const row = this.#read();
    const staleBelow = Math.max(row?.stale_below ?? 0, writeVersion ?? 0);
    if (row && row.stale === 1 && row.stale_below === staleBelow) return;
    this.#sql.exec(
      `INSERT INTO snapshot (id, shape, rows, write_version, read_at, stale, stale_below) VALUES (1, NULL, NULL, 0, 0, 1, ?)
       ON CONFLICT (id) DO UPDATE SET stale = 1, stale_below = excluded.stale_below`,
      staleBelow,
    );
    this.#row = row
      ? { ...row, stale: 1, stale_below: staleBelow }
      : { shape: null, rows: null, write_version: 0, read_at: 0, stale: 1, stale_below: staleBelow };
  }

  #read(): SnapshotRow | null {
    if (this.#row === undefined) {
      this.#row =
        this.#sql
          .exec<SnapshotRow>("SELECT shape, rows, write_version, read_at, stale, stale_below FROM snapshot WHERE id = 1")
          .toArray()[0] ?? null;
    }
    return this.#row;
  }
}
