/**
 * What a Worker isolate remembers between License API requests, so that a consumption at steady
 * state reaches its counter object with no D1 round trip (docs/architecture.md "Coherence"):
 *
 * - API keys, for at most 5 s (EDGE_MAX_AGE_MS) after the read that found them: revoking a key,
 *   making it read-only or changing its permissions takes effect everywhere within 5 s, and at
 *   once in the isolate that made the change (the management API forgets its own copy).
 * - Counter routes: which counter object a request's identity names (product, key or user, feature
 *   → license and license feature ids). Ids never change; a route that went stale (a user's newer
 *   license) is refused by the object, which knows its license's keys and users, and read again.
 * - Product defaults versions, for at most 5 s: carried to the counter object, which reloads its
 *   snapshot when the version is newer than its own, so product-level default changes take effect
 *   everywhere within 5 s.
 *
 * Past half its age an entry is still used and refreshed in the background, so a steady stream of
 * requests never waits for D1. Whatever is missing or too old is read in ONE D1 batch.
 */
import { BoundedCache } from "../bounded-cache";
import type { CounterTarget } from "../counter/snapshot";
import { apiKeyStatement, toApiKey, type ApiKey } from "../db/api-keys";
import { licenseContextStatement, toLicenseContext, type LicenseContext, type LicenseLookup } from "../db/license-context";
import { readWithRetry } from "../db/read-retry";

/** The longest an isolate uses an API key or a product version it read from D1. */
export const EDGE_MAX_AGE_MS = 5_000;
const limits = { maxAgeMs: EDGE_MAX_AGE_MS, refreshAfterMs: EDGE_MAX_AGE_MS / 2 };

const apiKeys = new BoundedCache<string, ApiKey>({ maxEntries: 10_000, ...limits });
const productVersions = new BoundedCache<number, number>({ maxEntries: 10_000, ...limits });
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
  /** The counter route (counter routes), from the cache or the context; null when the context names no counter. */
  route: CounterRoute | null;
  /** The newest product defaults version known (counter routes with a route). */
  productVersion: number;
}

/**
 * Reads what the request needs, from memory where this isolate knows it and from D1 (one batch,
 * retried once) where it does not. `lookup` is null when the request did not parse: then only the
 * API key is read, so that authentication errors still come first.
 */
export async function readEdge(
  db: D1Database,
  ctx: ExecutionContext,
  apiKeyName: string,
  lookup: LicenseLookup | null,
  needs: "context" | CounterKind,
): Promise<EdgeReads> {
  const nowMs = Date.now();
  const key = apiKeys.lookup(apiKeyName, nowMs);
  const routeKey = lookup && needs !== "context" ? routeKeyOf(lookup, needs) : null;
  // A remembered route is used only with a remembered key of the same company: otherwise the
  // request takes the same one-read path as a product that does not exist, and a key learns
  // nothing (not even from timing) about another company's products.
  const known = routeKey === null ? undefined : routes.get(routeKey);
  let route = key && known && known.companyId === key.value.companyId ? known : null;
  const version = route ? productVersions.lookup(route.productId, nowMs) : undefined;

  const statements: D1PreparedStatement[] = [];
  const apiKeyAt = key ? -1 : statements.push(apiKeyStatement(db, apiKeyName)) - 1;
  const contextAt = lookup && (needs === "context" || !route) ? statements.push(licenseContextStatement(db, lookup)) - 1 : -1;
  const versionAt = route && !version ? statements.push(productVersionStatement(db, route.productId)) - 1 : -1;
  const results = statements.length > 0 ? await readWithRetry(() => db.batch(statements)) : [];

  const apiKey = key ? key.value : toApiKey(results[apiKeyAt]?.results[0]);
  if (!key && apiKey) apiKeys.store(apiKeyName, apiKey, nowMs);
  const context = contextAt >= 0 ? toLicenseContext(results[contextAt]?.results[0], lookup!) : null;
  let productVersion = version?.value ?? 0;
  if (context && routeKey !== null) {
    route = routeOf(context, needs as CounterKind);
    if (route) rememberRoute(routeKey, route);
    // Another company's product: no counter; the precedence code answers it as unknown_product.
    if (route && route.companyId !== apiKey?.companyId) route = null;
  }
  if (context?.product) {
    productVersions.store(context.product.id, context.product.defaultsVersion, nowMs);
    productVersion = context.product.defaultsVersion;
  }
  if (versionAt >= 0) {
    const row = results[versionAt]?.results[0] as { defaults_version: number } | undefined;
    productVersion = row?.defaults_version ?? 0;
    productVersions.store(route!.productId, productVersion, nowMs);
  }
  // Due refreshes happen off the response path, in one batch.
  const refreshKey = key?.refresh ? apiKeyName : null;
  const refreshVersion = version?.refresh ? route!.productId : null;
  if (refreshKey !== null || refreshVersion !== null) ctx.waitUntil(refresh(db, refreshKey, refreshVersion));
  return { apiKey, context, route, productVersion };
}

async function refresh(db: D1Database, apiKeyName: string | null, productId: number | null): Promise<void> {
  const readAt = Date.now();
  const statements = [
    ...(apiKeyName !== null ? [apiKeyStatement(db, apiKeyName)] : []),
    ...(productId !== null ? [productVersionStatement(db, productId)] : []),
  ];
  try {
    const results = await db.batch(statements);
    if (apiKeyName !== null) {
      const apiKey = toApiKey(results[0]?.results[0]);
      if (apiKey) apiKeys.store(apiKeyName, apiKey, readAt);
      else apiKeys.forget(apiKeyName);
    }
    if (productId !== null) {
      const row = results.at(-1)?.results[0] as { defaults_version: number } | undefined;
      if (row) productVersions.store(productId, row.defaults_version, readAt);
    }
  } catch (error) {
    if (apiKeyName !== null) apiKeys.refreshFailed(apiKeyName);
    if (productId !== null) productVersions.refreshFailed(productId);
    console.warn(`background refresh failed; the next request retries: ${String(error)}`);
  }
}

function productVersionStatement(db: D1Database, productId: number): D1PreparedStatement {
  return db.prepare("SELECT defaults_version FROM products WHERE id = ?").bind(productId);
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

/** A route the counter object refused as not naming it: the next request reads it again. */
export function forgetRoute(lookup: LicenseLookup, kind: CounterKind): void {
  routes.delete(routeKeyOf(lookup, kind));
}

/** The management API changed this key: this isolate reads it again on its next use. */
export function forgetApiKey(apiKeyName: string): void {
  apiKeys.forget(apiKeyName);
}

/** The management API changed this product's defaults: this isolate reads its version again on its next use. */
export function forgetProductVersion(productId: number): void {
  productVersions.forget(productId);
}
