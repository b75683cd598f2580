/**
 * The counter object's snapshot and its coherence (docs/architecture.md "What each layer remembers"): what the
 * object decides with (snapshot.ts) is kept in memory and in the object's own storage
 * (snapshot-store.ts), so a consumption reads nothing from D1, even after the object was evicted.
 * It is read from D1 only when the object has none that is usable, unless a caller that already
 * read it passes it along (a seed). It stays true because:
 * - every license-level write raises the license's write version and calls `invalidate` with it on
 *   the license's objects before it answers; the object marks its stored snapshot stale durably
 *   before acknowledging, and from then on takes no seed with an older write version, so a
 *   snapshot read before the write can never win over one read after it;
 * - the generation counter throws away a load of the object's own that raced an invalidation;
 * - a product-level default change arrives as a newer `productVersion` carried by the Worker, and
 *   a snapshot older than that is not used;
 * - a snapshot read more than SNAPSHOT_REFRESH_MS ago (by the stored read time, so an eviction
 *   does not reset it) is read again in the background.
 */
import { SNAPSHOT_SHAPE, readCounterSnapshot, toCounterSnapshot, versionsOf } from "../db/counter-snapshot";
import type { CounterSnapshot, CounterTarget, SnapshotRead } from "./snapshot";
import { SnapshotStore } from "./snapshot-store";

/**
 * A snapshot read longer ago than this is read again in the background (still used meanwhile): a
 * safety net for a change that reached D1 without an invalidation (an invalidation that failed
 * after its retries, an operator editing D1 by hand). Writes through the APIs invalidate at once.
 */
const SNAPSHOT_REFRESH_MS = 10 * 60 * 1000;

interface Current {
  snapshot: CounterSnapshot;
  read: SnapshotRead;
  writeVersion: number;
}

export class SnapshotCache {
  readonly #store: SnapshotStore;
  readonly #db: () => D1Database;
  readonly #waitUntil: (work: Promise<unknown>) => void;
  /** The snapshot in use; undefined until taken from storage, a seed or D1, and after an invalidation. */
  #current: Current | undefined;
  /** Whether storage was looked at since this instance started (it holds nothing newer after that). */
  #storageRead = false;
  #refreshing = false;
  /** Bumped by every invalidation: a load started under an older generation is discarded. */
  #generation = 0;
  #loading: Promise<SnapshotRead> | null = null;

  /** `db` is read at every load: the binding is the object's own at that moment. */
  constructor(sql: SqlStorage, db: () => D1Database, waitUntil: (work: Promise<unknown>) => void) {
    this.#store = new SnapshotStore(sql);
    this.#db = db;
    this.#waitUntil = waitUntil;
  }

  /**
   * The snapshot, from memory or storage, or from `seed` (a read the caller made) when that may be
   * taken, or else read from D1; read again when older than the product defaults the caller knows
   * (`productVersion`). Null: D1 has no such license (or feature) any more.
   */
  get(target: CounterTarget, productVersion: number | undefined, seed?: SnapshotRead): CounterSnapshot | Promise<CounterSnapshot | null> {
    if (seed) this.offer(target, seed);
    const current = this.#inUse(target);
    if (current && (productVersion === undefined || productVersion <= current.snapshot.product.defaultsVersion)) {
      if (!this.#refreshing && Date.now() - current.read.readAt > SNAPSHOT_REFRESH_MS) {
        this.#refreshing = true;
        this.#waitUntil(
          this.#reload(target, false)
            .catch((error: unknown) => console.warn(`snapshot refresh failed; the next request retries: ${String(error)}`))
            .finally(() => {
              this.#refreshing = false;
            }),
        );
      }
      return current.snapshot;
    }
    return this.#reload(target, true, productVersion);
  }

  /** The read the snapshot in use was made from (for callers that seed the license's other objects). */
  read(): SnapshotRead | null {
    return this.#current?.read ?? null;
  }

  /**
   * Takes a snapshot a caller read (a seed) if it may: read by this code's statements, with at
   * least the write version of the last invalidation, and newer than the one in use (a higher write
   * version, or the same with newer product defaults). Anything else is ignored.
   */
  offer(target: CounterTarget, seed: SnapshotRead): void {
    if (seed.shape !== SNAPSHOT_SHAPE) return;
    const versions = versionsOf(seed);
    if (!versions || versions.writeVersion < this.#store.staleBelow()) return;
    const current = this.#inUse(target);
    if (current) {
      const newer =
        versions.writeVersion > current.writeVersion ||
        (versions.writeVersion === current.writeVersion && versions.productVersion > current.snapshot.product.defaultsVersion);
      if (!newer) return;
    }
    const snapshot = toCounterSnapshot(seed, target);
    if (!snapshot) return;
    // A seed is read elsewhere: its read time counts for the safety refresh, never later than now.
    this.#use({ snapshot, read: { ...seed, readAt: Math.min(seed.readAt, Date.now()) }, writeVersion: versions.writeVersion });
  }

  /**
   * A license-level write committed (its write version is `writeVersion`; null when the caller has
   * none): forgets the snapshot, marks the stored one stale, and refuses seeds read before the
   * write. A load already in flight belongs to the old generation and is discarded when it lands.
   * `seed`, a read made after the write, is then taken at once.
   */
  invalidate(target: CounterTarget | null, writeVersion: number | null, seed?: SnapshotRead): void {
    this.#generation += 1;
    this.#current = undefined;
    this.#storageRead = true;
    this.#loading = null;
    this.#store.markStale(writeVersion);
    if (seed && target) this.offer(target, seed);
  }

  /** The snapshot in use, taking the stored one after a restart. */
  #inUse(target: CounterTarget): Current | undefined {
    if (this.#current || this.#storageRead) return this.#current;
    this.#storageRead = true;
    const stored = this.#store.load(SNAPSHOT_SHAPE);
    const snapshot = stored.read && toCounterSnapshot(stored.read, target);
    if (snapshot) this.#current = { snapshot, read: stored.read!, writeVersion: stored.writeVersion };
    return this.#current;
  }

  #use(current: Current): void {
    this.#current = current;
    this.#store.save(current.read, current.writeVersion);
  }

  /**
   * Reads the snapshot from D1, shared by every request waiting for it. The generation guard: if
   * an invalidation arrives while the read is in flight, what it read may predate the write, so it
   * is thrown away and the read starts again (unless the invalidation brought a snapshot read after
   * the write, which is then used). `dropCurrent`: the current snapshot may not be used
   * meanwhile (it is missing, or older than the product defaults a request carries); a background
   * refresh keeps it in use until the new one lands.
   */
  async #reload(target: CounterTarget, dropCurrent: boolean, minVersion = 0): Promise<CounterSnapshot | null> {
    if (dropCurrent) this.#current = undefined;
    for (let again = true; ;) {
      const generation = this.#generation;
      const loading = (this.#loading ??= readCounterSnapshot(this.#db(), target.licenseId));
      let read: SnapshotRead;
      try {
        read = await loading;
      } finally {
        if (this.#loading === loading) this.#loading = null;
      }
      if (generation !== this.#generation) {
        // The write that invalidated may have passed its own read along: decide with that.
        const seeded = this.#current;
        if (seeded && seeded.snapshot.product.defaultsVersion >= minVersion) return seeded.snapshot;
        continue;
      }
      const snapshot = toCounterSnapshot(read, target);
      // A read this request joined may have reached D1 before the product change the request knows
      // of: read once more (D1 has it by now); whatever that read says is the truth.
      if (snapshot && snapshot.product.defaultsVersion < minVersion && again) {
        again = false;
        continue;
      }
      if (!snapshot) return null;
      // A seed taken meanwhile may be newer than this read: the newer stays.
      const { writeVersion } = versionsOf(read)!;
      if (this.#current && this.#current.writeVersion > writeVersion) return this.#current.snapshot;
      this.#use({ snapshot, read, writeVersion });
      return snapshot;
    }
  }
}
