/**
 * What the Worker knows before it calls a counter object, and where it learns it without a
 * central read (docs/architecture.md "What each layer remembers"):
 *
 * - API keys, for at most 60 s (EDGE_MAX_AGE_MS) after the D1 read that found them: revoking a
 *   key, making it read-only or changing its permissions takes effect everywhere within 60 s, and at
 *   once in the isolate that made the change (the management API forgets its copy, in the isolate
 *   and in its location).
 * - Product defaults versions, for at most 60 s: carried to the counter object, which reads its
 *   snapshot again when the version is newer than its own, so a product-level default change
 *   takes effect everywhere within 60 s.
 * - Counter routes: which counter object a request's identity names (product, key or user, feature
 *   → license and license feature ids). Ids never change; a route that went stale (a user's newer
 *   license) is refused by the object, which knows its license's keys and users, and read again.
 *
 * Each is looked for in the isolate's memory, then in its location's cache (location-cache.ts: what
 * the other isolates of this location read), then in D1, all that is missing in ONE batch. Past
 * half its age an entry is still used and read again in the background, so a steady stream of
 * requests never waits. A route is used only with an API key of the same company, and only what D1
 * confirmed is remembered: an unknown identity always reads D1 and wakes no counter object.
 */
import { BoundedCache } from "../bounded-cache";
import type { CounterTarget, SnapshotRead } from "../counter/snapshot";
import { apiKeyStatement, toApiKey, type ApiKey } from "../db/api-keys";
import { SNAPSHOT_STATEMENTS, snapshotReadOf, snapshotStatementsFor } from "../db/counter-snapshot";
import { licenseContextStatement, toLicenseContext, type LicenseContext, type LicenseLookup } from "../db/license-context";
import { licenseUserStatementFor, toLicenseUser, type LicenseUser, type LicenseUserRow } from "../db/license-users";
import { readWithRetry } from "../db/read-retry";
import { afterAnswer } from "./after-answer";
import { forgetInLocation, fromLocation, toLocation, type CachedEntry } from "./location-cache";

/** The longest an API key or a product version read from D1 is used, in any isolate of any location. */
export const EDGE_MAX_AGE_MS = 60_000;
/** How long a location keeps a route: routes do not expire, this only lets unused ones go. */
const ROUTE_MAX_AGE_MS = 24 * 60 * 60_000;
const limits = { maxAgeMs: EDGE_MAX_AGE_MS, refreshAfterMs: EDGE_MAX_AGE_MS / 2 };

const apiKeys = new BoundedCache<string, ApiKey>({ maxEntries: 10_000, ...limits });
/** By product short code, the name requests carry: known before the route is. */
const productVersions = new BoundedCache<string, number>({ maxEntries: 10_000, ...limits });
const routes = new Map<string, CounterRoute>();
const MAX_ROUTES = 50_000;

/** Which counter a request names: a license feature's ("feature") or the license's own ("license"). */
export type CounterKind = "feature" | "license";

export interface CounterRoute {
  target: CounterTarget;
  productId: number;
  companyId: number;
}

/** What a License API request starts from. */
export interface EdgeReads {
  /** The API key named by the request; null when there is no such key. */
  apiKey: ApiKey | null;
  /** The license context from D1, when it was read (always for "context" routes; on a route miss for counter routes). */
  context: LicenseContext | null;
  /** The counter route (counter routes), from memory, the location or the context; null when the context names no counter. */
  route: CounterRoute | null;
  /** The newest product defaults version known (counter routes with a route). */
  productVersion: number;
  /**
   * The license's snapshot, when D1 was read for the route (the counter object takes it instead of
   * reading D1 itself), or for a "context" read that asked for the license in full (`withLicense`).
   */
  seed: SnapshotRead | undefined;
  /** With `withLicense`, for a request naming a username: that license user, password hash included (null: none). */
  licenseUser: LicenseUser | null | undefined;
}

/**
 * Reads what the request needs from memory, then this location's cache, then D1 (one batch,
 * retried once). `lookup` is null when the request did not parse: then only the API key is read,
 * so that authentication errors still come first. `withLicense` (a "context" read): the same
 * batch reads the license in full and the license user the request names, so that the endpoint
 * reads D1 no more before it writes (activate_license).
 */
export async function readEdge(
  db: D1Database,
  ctx: ExecutionContext,
  apiKeyName: string,
  lookup: LicenseLookup | null,
  needs: "context" | CounterKind,
  withLicense = false,
): Promise<EdgeReads> {
  const nowMs = Date.now();
  const routeKey = lookup && needs !== "context" ? routeKeyOf(lookup, needs) : null;
  let key = apiKeys.lookup(apiKeyName, nowMs);
  // A route is used only with a key of the same company; a route of another company is looked for
  // where an unknown one would be, and ends in the same D1 read as a product that does not exist:
  // a key learns nothing (not even from timing) about another company's products.
  let known = routeKey === null ? undefined : routes.get(routeKey);
  if (known && key && known.companyId !== key.value.companyId) known = undefined;
  let version = routeKey === null ? undefined : productVersions.lookup(lookup!.product, nowMs);

  const locally = {
    key: !key,
    route: routeKey !== null && !known,
    version: routeKey !== null && !version,
  };
  if (locally.key || locally.route || locally.version) {
    const [keyEntry, routeEntry, versionEntry] = await Promise.all([
      locally.key ? fromLocation<unknown>("api-key", apiKeyName, EDGE_MAX_AGE_MS, nowMs) : undefined,
      locally.route ? fromLocation<CounterRoute>("route", routeKey!, ROUTE_MAX_AGE_MS, nowMs) : undefined,
      locally.version ? fromLocation<number>("product-version", lookup!.product, EDGE_MAX_AGE_MS, nowMs) : undefined,
    ]);
    const found = keyEntry && toApiKey(keyEntry.value);
    if (found) {
      apiKeys.store(apiKeyName, found, keyEntry.readAt);
      key = apiKeys.lookup(apiKeyName, nowMs);
    }
    if (routeEntry) {
      rememberRoute(routeKey!, routeEntry.value);
      known = routeEntry.value;
    }
    if (versionEntry) {
      productVersions.store(lookup!.product, versionEntry.value, versionEntry.readAt);
      version = productVersions.lookup(lookup!.product, nowMs);
    }
  }
  let route = key && known && known.companyId === key.value.companyId ? known : null;

  const statements: D1PreparedStatement[] = [];
  const apiKeyAt = key ? -1 : statements.push(apiKeyStatement(db, apiKeyName)) - 1;
  const contextAt = lookup && (needs === "context" || !route) ? statements.push(licenseContextStatement(db, lookup)) - 1 : -1;
  // The first read of a counter's route also reads the license's snapshot for its object.
  const snapshotAt =
    contextAt >= 0 && (routeKey !== null || withLicense)
      ? statements.push(...snapshotStatementsFor(db, lookup!)) - SNAPSHOT_STATEMENTS
      : -1;
  const userAt =
    contextAt >= 0 && withLicense && lookup!.username !== undefined
      ? statements.push(licenseUserStatementFor(db, { ...lookup!, username: lookup!.username })) - 1
      : -1;
  const versionAt = route && !version ? statements.push(productVersionStatement(db, lookup!.product)) - 1 : -1;
  const readAt = Date.now();
  const results = statements.length > 0 ? await readWithRetry(() => db.batch(statements)) : [];

  // What this read learned goes to the location, after the answer.
  const shared: Array<() => Promise<void>> = [];
  let apiKey = key ? key.value : null;
  if (!key) {
    const row = results[apiKeyAt]?.results[0];
    apiKey = toApiKey(row);
    if (apiKey) {
      apiKeys.store(apiKeyName, apiKey, readAt);
      shared.push(() => toLocation("api-key", apiKeyName, { value: row, readAt }, EDGE_MAX_AGE_MS));
    }
  }
  const context = contextAt >= 0 ? toLicenseContext(results[contextAt]?.results[0], lookup!) : null;
  let productVersion = version?.value ?? 0;
  let seed =
    withLicense && snapshotAt >= 0 ? snapshotReadOf(results.slice(snapshotAt, snapshotAt + SNAPSHOT_STATEMENTS), readAt) : undefined;
  const userRow = userAt >= 0 ? (results[userAt]?.results[0] as LicenseUserRow | undefined) : undefined;
  const licenseUser = userAt >= 0 ? (userRow ? toLicenseUser(userRow) : null) : undefined;
  if (context && routeKey !== null) {
    route = routeOf(context, needs as CounterKind);
    if (route) {
      rememberRoute(routeKey, route);
      const found = route;
      shared.push(() => toLocation("route", routeKey, { value: found, readAt }, ROUTE_MAX_AGE_MS));
      seed = snapshotReadOf(results.slice(snapshotAt, snapshotAt + SNAPSHOT_STATEMENTS), readAt);
    }
    // Another company's product: no counter; the precedence code answers it as unknown_product.
    if (route && route.companyId !== apiKey?.companyId) route = null;
  }
  if (context?.product) {
    productVersion = context.product.defaultsVersion;
    shared.push(rememberVersion(context.product.shortCode, productVersion, readAt));
  }
  if (versionAt >= 0) {
    const row = results[versionAt]?.results[0] as { defaults_version: number } | undefined;
    productVersion = row?.defaults_version ?? 0;
    if (row) shared.push(rememberVersion(lookup!.product, row.defaults_version, readAt));
  }
  // Due refreshes happen off the response path, in one batch.
  const refreshKey = key?.refresh ? apiKeyName : null;
  const refreshVersion = version?.refresh ? lookup!.product : null;
  if (refreshKey !== null || refreshVersion !== null) shared.push(() => refresh(db, refreshKey, refreshVersion));
  if (shared.length > 0) afterAnswer(ctx, () => Promise.all(shared.map((work) => work())));
  return { apiKey, context, route, productVersion, seed, licenseUser };
}

async function refresh(db: D1Database, apiKeyName: string | null, product: string | null): Promise<void> {
  const readAt = Date.now();
  const statements = [
    ...(apiKeyName !== null ? [apiKeyStatement(db, apiKeyName)] : []),
    ...(product !== null ? [productVersionStatement(db, product)] : []),
  ];
  try {
    const results = await db.batch(statements);
    const shared: Array<Promise<void>> = [];
    if (apiKeyName !== null) {
      const row = results[0]?.results[0];
      const apiKey = toApiKey(row);
      if (apiKey) {
        apiKeys.store(apiKeyName, apiKey, readAt);
        shared.push(toLocation("api-key", apiKeyName, { value: row, readAt }, EDGE_MAX_AGE_MS));
      } else await forgetApiKey(apiKeyName);
    }
    if (product !== null) {
      const row = results.at(-1)?.results[0] as { defaults_version: number } | undefined;
      if (row) shared.push(rememberVersion(product, row.defaults_version, readAt)());
    }
    await Promise.all(shared);
  } catch (error) {
    if (apiKeyName !== null) apiKeys.refreshFailed(apiKeyName);
    if (product !== null) productVersions.refreshFailed(product);
    console.warn(`background refresh failed; the next request retries: ${String(error)}`);
  }
}

/** Remembers a product version in this isolate now; the returned work shares it with the location. */
function rememberVersion(product: string, version: number, readAt: number): () => Promise<void> {
  productVersions.store(product, version, readAt);
  const entry: CachedEntry<number> = { value: version, readAt };
  return () => toLocation("product-version", product, entry, EDGE_MAX_AGE_MS);
}

function productVersionStatement(db: D1Database, product: string): D1PreparedStatement {
  return db.prepare("SELECT defaults_version FROM products WHERE short_code = ?").bind(product);
}

/** The counter a D1 context names, when the license (and, for a feature counter, the license feature) exists. */
export function routeOf(context: LicenseContext, kind: CounterKind): CounterRoute | null {
  const { product, license, feature } = context;
  if (!product || !license) return null;
  if (kind === "feature" && (feature?.id === null || feature?.id === undefined)) return null;
  return {
    target: { licenseId: license.id, licenseFeatureId: kind === "feature" ? feature!.id : null },
    productId: product.id,
    companyId: product.companyId,
  };
}

function routeKeyOf(lookup: LicenseLookup, kind: CounterKind): string {
  return JSON.stringify([
    kind,
    lookup.product,
    lookup.licenseKey ?? null,
    lookup.username ?? null,
    lookup.licenseId ?? null,
    lookup.featureCode ?? null,
  ]);
}

function rememberRoute(key: string, route: CounterRoute): void {
  routes.delete(key);
  routes.set(key, route);
  if (routes.size > MAX_ROUTES) routes.delete(routes.keys().next().value!);
}

/**
 * A route the counter object refused as not naming it: read again from D1, with the license's
 * snapshot for the object it names now. Forgets the old route here and in this location.
 */
export async function rereadRoute(
  db: D1Database,
  ctx: ExecutionContext,
  lookup: LicenseLookup,
  kind: CounterKind,
): Promise<{ context: LicenseContext; route: CounterRoute | null; seed: SnapshotRead | undefined }> {
  const key = routeKeyOf(lookup, kind);
  routes.delete(key);
  const readAt = Date.now();
  const [row, ...snapshot] = await readWithRetry(() =>
    db.batch([licenseContextStatement(db, lookup), ...snapshotStatementsFor(db, lookup)]),
  );
  const context = toLicenseContext(row?.results[0], lookup);
  const route = routeOf(context, kind);
  if (!route) {
    afterAnswer(ctx, () => forgetInLocation("route", key));
    return { context, route, seed: undefined };
  }
  rememberRoute(key, route);
  afterAnswer(ctx, () => toLocation("route", key, { value: route, readAt }, ROUTE_MAX_AGE_MS));
  return { context, route, seed: snapshotReadOf(snapshot, readAt) };
}

/** The management API changed this key: this isolate and its location read it again on its next use. */
export async function forgetApiKey(apiKeyName: string): Promise<void> {
  apiKeys.forget(apiKeyName);
  await forgetInLocation("api-key", apiKeyName);
}

/** The management API changed this product's defaults: this isolate and its location read its version again on their next use. */
export async function forgetProductVersion(db: D1Database, productId: number): Promise<void> {
  const row = await db.prepare("SELECT short_code FROM products WHERE id = ?").bind(productId).first<{ short_code: string }>();
  if (!row) return;
  productVersions.forget(row.short_code);
  await forgetInLocation("product-version", row.short_code);
}

/** Forgets everything this isolate remembers, as a new isolate starts (tests of the cold path). */
export function forgetIsolateMemory(): void {
  routes.clear();
  apiKeys.clear();
  productVersions.clear();
}
