/**
 * A floating pool (table `leases` in the counter object's SQLite): which devices hold one of a
 * floating cloud license's slots (in the object `license:<id>`) or one of a floating feature's
 * (in `feature:<id>`), and until when. floating-decision.ts decides every change, inside the
 * object's transactionSync, so N devices racing for M slots get exactly M (docs/architecture.md
 * "Floating pools").
 *
 * A lease holds its slot while `max(expires_at, borrowed_until) > now`, decided at the moment of
 * each request: expiry is exact whatever the alarm does. The alarm only deletes leases that no
 * longer hold (at the earliest expiry), so the table stays as small as the pool. A lease of a
 * device that is no longer active (deactivated, blacklisted) holds nothing and is dropped when
 * next seen: deactivating a device frees its slots.
 */

/** One device's hold on a slot; times in ms since 1970. */
export interface Lease {
  hardwareId: string;
  /** The end of the slot unless the device checks in again (last check + floating timeout). */
  expiresAt: number;
  /** A borrow keeps the slot until then, checked in or not. */
  borrowedUntil: number | null;
}

export interface PoolSettings {
  /** Devices that may hold a slot at the same time. */
  size: number;
  timeoutMinutes: number;
}

/** The pool as one device sees it. */
export interface PoolView {
  /** Devices holding a slot now. */
  inUseDevices: number;
  /** This device's lease, when it holds a slot. */
  lease: Lease | null;
  /** This request took the pool's last free slot (a new device, and now every slot is held). */
  filled?: boolean;
}

/** When a lease stops holding its slot. */
export const heldUntil = (lease: Lease) => Math.max(lease.expiresAt, lease.borrowedUntil ?? 0);

/** Whether a device may hold a slot (it is active on the license, and not blacklisted). */
export type MayHold = (hardwareId: string) => boolean;

export class FloatingPool {
  readonly #sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
  }

  /**
   * Takes a slot for the device, or refreshes the one it holds (its lease then ends a timeout
   * from now, or at its borrow's end if later). Null: every slot is taken. A device that already
   * holds a slot keeps it even when the vendor has since made the pool smaller; new devices wait
   * until the pool is below its size. Call inside transactionSync.
   */
  checkIn(hardwareId: string, settings: PoolSettings, nowMs: number, mayHold: MayHold): PoolView | null {
    return this.#take(hardwareId, settings, nowMs, mayHold, (held) => held?.borrowedUntil ?? null);
  }

  /** As checkIn, and the slot is kept until `borrowedUntil` (a new borrow replaces the old end). */
  borrow(hardwareId: string, borrowedUntil: number, settings: PoolSettings, nowMs: number, mayHold: MayHold): PoolView | null {
    return this.#take(hardwareId, settings, nowMs, mayHold, () => borrowedUntil);
  }

  /** Frees the device's slot at once (ending any borrow). False: it held none. */
  release(hardwareId: string, nowMs: number, mayHold: MayHold): boolean {
    const held = this.#held(nowMs, mayHold).some((lease) => lease.hardwareId === hardwareId);
    this.#sql.exec("DELETE FROM leases WHERE hardware_id = ?", hardwareId);
    return held;
  }

  /** The pool as `hardwareId` sees it, changing nothing but leases that no longer hold. */
  view(hardwareId: string | null, nowMs: number, mayHold: MayHold): PoolView {
    const leases = this.#held(nowMs, mayHold);
    return { inUseDevices: leases.length, lease: leases.find((lease) => lease.hardwareId === hardwareId) ?? null };
  }

  /** Every lease holding a slot now, soonest to end first (for the vendor's view). */
  leases(nowMs: number, mayHold: MayHold): Lease[] {
    return this.#held(nowMs, mayHold).sort((a, b) => heldUntil(a) - heldUntil(b));
  }

  /** Deletes the leases that no longer hold a slot at `nowMs` (the alarm's work). */
  purgeExpired(nowMs: number): void {
    this.#sql.exec("DELETE FROM leases WHERE MAX(expires_at, COALESCE(borrowed_until, 0)) <= ?", nowMs);
  }

  /** When the next lease ends (when the alarm should purge), or null when the pool is empty. */
  nextExpiry(): number | null {
    return this.#sql.exec<{ at: number | null }>("SELECT MIN(MAX(expires_at, COALESCE(borrowed_until, 0))) AS at FROM leases").one().at;
  }

  #take(
    hardwareId: string,
    settings: PoolSettings,
    nowMs: number,
    mayHold: MayHold,
    borrowedUntil: (held: Lease | undefined) => number | null,
  ): PoolView | null {
    const leases = this.#held(nowMs, mayHold);
    const mine = leases.find((lease) => lease.hardwareId === hardwareId);
    if (!mine && leases.length >= settings.size) return null;
    const lease: Lease = { hardwareId, expiresAt: nowMs + settings.timeoutMinutes * 60_000, borrowedUntil: borrowedUntil(mine) };
    this.#sql.exec(
      `INSERT INTO leases (hardware_id, expires_at, borrowed_until) VALUES (?, ?, ?)
       ON CONFLICT (hardware_id) DO UPDATE SET expires_at = excluded.expires_at, borrowed_until = excluded.borrowed_until`,
      lease.hardwareId,
      lease.expiresAt,
      lease.borrowedUntil,
    );
    const inUseDevices = mine ? leases.length : leases.length + 1;
    return { inUseDevices, lease, ...(!mine && inUseDevices >= settings.size ? { filled: true } : {}) };
  }

  /** The leases holding a slot at `nowMs`; deletes those that do not (ended, or their device may no longer hold one). */
  #held(nowMs: number, mayHold: MayHold): Lease[] {
    const rows = this.#sql
      .exec<{ hardware_id: string; expires_at: number; borrowed_until: number | null }>(
        "SELECT hardware_id, expires_at, borrowed_until FROM leases",
      )
      .toArray();
    const holding: Lease[] = [];
    for (const row of rows) {
      const lease = { hardwareId: row.hardware_id, expiresAt: row.expires_at, borrowedUntil: row.borrowed_until };
      if (heldUntil(lease) > nowMs && mayHold(lease.hardwareId)) holding.push(lease);
      else this.#sql.exec("DELETE FROM leases WHERE hardware_id = ?", lease.hardwareId);
    }
    return holding;
  }
}
