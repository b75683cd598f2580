/**
 * The counter object's snapshot and its coherence (docs/architecture.md "Coherence"): what the
 * object decides with (snapshot.ts) is loaded from D1 on first use and kept in memory, so a
 * consumption at steady state reads nothing from D1. It stays true because:
 * - every license-level write calls `invalidate` on the license's objects before it answers, and
 *   the generation counter makes sure a load that raced the write is thrown away, never applied;
 * - a product-level default change arrives as a newer `productVersion` carried by the Worker, and
 *   a snapshot older than that is not used;
 * - a snapshot older than SNAPSHOT_REFRESH_MS is reloaded in the background.
 */
import { loadCounterSnapshot } from "../db/counter-snapshot";
import type { CounterSnapshot, CounterTarget } from "./snapshot";

/**
 * A snapshot older than this is reloaded in the background (still used meanwhile): a safety net
 * for a change that reached D1 without an invalidation (an invalidation that failed after its
 * retries, an operator editing D1 by hand). Writes through the APIs invalidate at once.
 */
const SNAPSHOT_REFRESH_MS = 10 * 60 * 1000;

export class SnapshotCache {
  readonly #db: () => D1Database;
  readonly #waitUntil: (work: Promise<unknown>) => void;
  /** Undefined until loaded, and after an invalidation. */
  #snapshot: CounterSnapshot | undefined;
  /** When the read that produced `#snapshot` started, and whether a background reload is running. */
  #readAt = 0;
  #refreshing = false;
  /** Bumped by every invalidation: a load started under an older generation is discarded. */
  #generation = 0;
  #loading: Promise<CounterSnapshot | null> | null = null;

  /** `db` is read at every load: the binding is the object's own at that moment. */
  constructor(db: () => D1Database, waitUntil: (work: Promise<unknown>) => void) {
    this.#db = db;
    this.#waitUntil = waitUntil;
  }

  /**
   * The snapshot, loading it when missing or older than the product defaults the caller knows
   * (`productVersion`). Null: D1 has no such license (or feature) any more.
   */
  get(target: CounterTarget, productVersion: number | undefined): CounterSnapshot | Promise<CounterSnapshot | null> {
    const current = this.#snapshot;
    if (current && (productVersion === undefined || productVersion <= current.product.defaultsVersion)) {
      if (!this.#refreshing && Date.now() - this.#readAt > SNAPSHOT_REFRESH_MS) {
        this.#refreshing = true;
        this.#waitUntil(
          this.#reload(target, false)
            .catch((error: unknown) => console.warn(`snapshot refresh failed; the next request retries: ${String(error)}`))
            .finally(() => {
              this.#refreshing = false;
            }),
        );
      }
      return current;
    }
    return this.#reload(target, true, productVersion);
  }

  /**
   * Forgets the snapshot: the next request loads the license, devices and feature again. A load
   * already in flight belongs to the old generation and will be discarded when it lands.
   */
  invalidate(): void {
    this.#generation += 1;
    this.#snapshot = undefined;
    this.#loading = null;
  }

  /**
   * Loads the snapshot from D1, shared by every request waiting for it. The generation guard: if
   * an invalidation arrives while the load is in flight, its result may predate the write, so it
   * is thrown away and the load starts again. `dropCurrent`: the current snapshot may not be used
   * meanwhile (it is missing, or older than the product defaults a request carries); a background
   * refresh keeps it in use until the new one lands.
   */
  async #reload(target: CounterTarget, dropCurrent: boolean, minVersion = 0): Promise<CounterSnapshot | null> {
    for (let again = true; ;) {
      const generation = this.#generation;
      if (dropCurrent) this.#snapshot = undefined;
      const readAt = Date.now();
      const loading = (this.#loading ??= loadCounterSnapshot(this.#db(), target));
      let loaded: CounterSnapshot | null;
      try {
        loaded = await loading;
      } finally {
        if (this.#loading === loading) this.#loading = null;
      }
      if (generation !== this.#generation) continue;
      // A load this request joined may have read D1 before the product change the request knows
      // of: read once more (D1 has it by now); whatever that read says is the truth.
      if (loaded && loaded.product.defaultsVersion < minVersion && again) {
        again = false;
        continue;
      }
      if (loaded) {
        this.#snapshot = loaded;
        this.#readAt = readAt;
      }
      return loaded;
    }
  }
}
