/**
 * A per-isolate cache with bounded staleness. An entry is served for at most `maxAgeMs`, counted
 * from when the read that produced it started (so a write that committed before the read began is
 * never hidden longer than that). Past `refreshAfterMs` it is still served, and the caller is told
 * to refresh it in the background; a steady stream of requests therefore never waits for a read.
 * Beyond `maxEntries` the oldest entries go.
 */
export interface CacheLimits {
  maxEntries: number;
  maxAgeMs: number;
  refreshAfterMs: number;
}

interface Entry<V> {
  value: V;
  readAt: number;
  refreshing: boolean;
}

export class BoundedCache<K, V> {
  private readonly entries = new Map<K, Entry<V>>();

  constructor(private readonly limits: CacheLimits) {}

  /**
   * The value if it is young enough to serve. `refresh` is true once per entry when it is due for
   * a background refresh (the caller does it, then `store`s the result).
   */
  lookup(key: K, nowMs = Date.now()): { value: V; refresh: boolean } | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    const age = nowMs - entry.readAt;
    if (age >= this.limits.maxAgeMs || age < 0) {
      this.entries.delete(key);
      return undefined;
    }
    const refresh = !entry.refreshing && age >= this.limits.refreshAfterMs;
    if (refresh) entry.refreshing = true;
    return { value: entry.value, refresh };
  }

  /** Stores what a read that started at `readAt` found. A read older than the entry it would replace is ignored. */
  store(key: K, value: V, readAt: number): void {
    const existing = this.entries.get(key);
    if (existing && existing.readAt > readAt) return;
    this.entries.delete(key);
    this.entries.set(key, { value, readAt, refreshing: false });
    if (this.entries.size > this.limits.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
  }

  /** After a failed background refresh: let the next lookup try again. */
  refreshFailed(key: K): void {
    const entry = this.entries.get(key);
    if (entry) entry.refreshing = false;
  }

  forget(key: K): void {
    this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }
}
