/**
 * What the Worker's isolates in one Cloudflare location share: entries in the Cache API (a named
 * cache, `edge-state`), each the JSON of what a D1 read found and when that read started. A fresh
 * isolate, or one whose memory is too old, finds here what another isolate of its location read,
 * without a round trip to D1 (docs/architecture.md "What each layer remembers").
 *
 * - Entries never outlive their bound: the reader checks the age from the D1 read, whatever the
 *   cache kept, so a key read 50 s ago by one isolate is used by another for 10 s at most.
 * - Only what D1 confirmed is put here (never "no such key", "no such license"): an unknown
 *   identity always goes to D1 and reaches no counter object.
 * - The Cache API is per location and only on a custom domain: on `*.workers.dev` it stores
 *   nothing, and every fresh isolate reads D1 (correct, one round trip slower). A failing cache
 *   is a miss, never an error.
 */

/** Where the entries live: a name no request can address (the Cache API only takes http(s) URLs). */
const ORIGIN = "https://edge-state.invalid";

export type EntryKind = "api-key" | "route" | "product-version";

export interface CachedEntry<T> {
  value: T;
  /** When the D1 read that found `value` started (ms since 1970). */
  readAt: number;
}

let opened: Promise<Cache> | null = null;
/** The named cache, opened once per isolate; null where the runtime has no Cache API. */
function edgeStateCache(): Promise<Cache> | null {
  if (typeof caches === "undefined") return null;
  opened ??= caches.open("edge-state");
  return opened;
}

const urlOf = (kind: EntryKind, key: string) => `${ORIGIN}/${kind}/${encodeURIComponent(key)}`;

/** The entry if there is one younger than `maxAgeMs` at `nowMs` (undefined: a miss, whatever the reason). */
export async function fromLocation<T>(kind: EntryKind, key: string, maxAgeMs: number, nowMs: number): Promise<CachedEntry<T> | undefined> {
  try {
    const cache = edgeStateCache();
    const response = cache && (await (await cache).match(urlOf(kind, key)));
    if (!response) return undefined;
    const entry = (await response.json()) as CachedEntry<T>;
    const age = nowMs - entry.readAt;
    return age >= 0 && age < maxAgeMs ? entry : undefined;
  } catch (error) {
    console.warn(`location cache read failed (a miss): ${String(error)}`);
    return undefined;
  }
}

/** Shares what a D1 read found with this location's isolates, for at most `maxAgeMs` from the read. */
export async function toLocation<T>(kind: EntryKind, key: string, entry: CachedEntry<T>, maxAgeMs: number): Promise<void> {
  const seconds = Math.floor((entry.readAt + maxAgeMs - Date.now()) / 1000);
  if (seconds <= 0) return;
  try {
    const cache = edgeStateCache();
    if (!cache) return;
    await (
      await cache
    ).put(
      urlOf(kind, key),
      new Response(JSON.stringify(entry), { headers: { "Content-Type": "application/json", "Cache-Control": `max-age=${seconds}` } }),
    );
  } catch (error) {
    console.warn(`location cache write failed: ${String(error)}`);
  }
}

/** Removes an entry from this location (other locations keep theirs until their bound). */
export async function forgetInLocation(kind: EntryKind, key: string): Promise<void> {
  try {
    const cache = edgeStateCache();
    if (cache) await (await cache).delete(urlOf(kind, key));
  } catch (error) {
    console.warn(`location cache delete failed: ${String(error)}`);
  }
}
