/**
 * One License API endpoint, described once, and the wrapper that runs it. Every /api/v4 endpoint
 * but public_key is a `licenseRoute({ parse, handle })` (it names a license and a device) or an
 * `apiRoute({ parse, handle })` (it names no license: product_details, user_licenses, ...): the
 * wrapper checks the signed headers, reads and validates the request with `parse`, authenticates
 * the API key and its HMAC, runs the handler, and signs what the handler returns. A handler only
 * ever sees an authenticated request and returns data; it cannot answer unsigned or
 * unauthenticated. The OpenAPI document (src/openapi/) is built from the same descriptions.
 *
 * What a route reads before its handler runs (`reads`):
 * - "context": the license context from D1 (product, license, device, feature), every time;
 * - "feature" / "license": the counter object the request names. At steady state it comes from
 *   the isolate's memory with the API key (src/license-api/edge-state.ts): no D1 round trip;
 * - "none" (an `apiRoute`, for endpoints that name no license): nothing but the API key; the
 *   handler does its own reads after authentication.
 * Whatever must be read from D1 is read in one batch with the API key.
 *
 * Precedence (docs/protocol.md "Error precedence"): authorization errors first, even for a
 * malformed request; then request-shape errors; then the license errors the handler decides.
 */
import type { z } from "zod";
import { authenticateRequest, readSignedRequest } from "../auth/authenticate-request";
import { limitApiKey } from "../auth/rate-limit";
import { signedJson } from "../auth/response-signing";
import type { SnapshotRead } from "../counter/snapshot";
import type { ApiKey } from "../db/api-keys";
import type { LicenseContext, LicenseLookup } from "../db/license-context";
import { readJsonBody } from "../http/read-json-body";
import { startAfterAnswer } from "./after-answer";
import { readEdge, type CounterKind, type CounterRoute } from "./edge-state";
import { parseWith, queryObject } from "./schemas";

/** How a route reads its input: a JSON body or the query string, validated by a zod schema. */
export interface RequestParser<S extends z.ZodType> {
  location: "body" | "query";
  schema: S;
  read(request: Request): Promise<z.infer<S>>;
}

export const body = <S extends z.ZodType>(schema: S): RequestParser<S> => ({
  location: "body",
  schema,
  read: async (request) => parseWith(schema, await readJsonBody(request)),
});

export const query = <S extends z.ZodType>(schema: S): RequestParser<S> => ({
  location: "query",
  schema,
  read: async (request) => parseWith(schema, queryObject(request.url)),
});

/** The identity fields every license endpoint takes. */
export interface IdentityFields {
  product: string;
  license_key?: string | undefined;
  username?: string | undefined;
  license_id?: number | undefined;
  hardware_id: string;
  feature?: string | undefined;
}

/** What every handler gets: the authenticated key and the validated input. */
export interface ApiCall<Input> {
  request: Request;
  env: Env;
  ctx: ExecutionContext;
  apiKey: ApiKey;
  input: Input;
}

/** A license route's handler also gets the identity the request names. */
export interface LicenseCall<Input> extends ApiCall<Input> {
  lookup: LicenseLookup;
}

/** A counter route's handler also gets the counter (null: the context below names none) and the product version. */
export interface CounterCall<Input> extends LicenseCall<Input> {
  route: CounterRoute | null;
  /** Read from D1 only when this isolate did not know the route. */
  context: LicenseContext | null;
  productVersion: number;
  /** The license's snapshot, read with the context: the counter object takes it instead of reading D1 itself. */
  seed: SnapshotRead | undefined;
}

/** What a handler returns: the body to sign and send (status 200), and any extra headers. */
export interface LicenseAnswer {
  body: unknown;
  headers?: Record<string, string>;
}

interface RouteBase<S extends z.ZodType> {
  method: "get" | "post";
  path: string;
  summary: string;
  parse: RequestParser<S>;
  /** The answer's shape, for the OpenAPI document only (the handler builds it). */
  response: z.ZodType;
}

export interface ContextRouteSpec<S extends z.ZodType<IdentityFields>> extends RouteBase<S> {
  reads: "context";
  handle(call: LicenseCall<z.infer<S>> & { context: LicenseContext }): Promise<LicenseAnswer>;
}

export interface CounterRouteSpec<S extends z.ZodType<IdentityFields>> extends RouteBase<S> {
  reads: CounterKind;
  handle(call: CounterCall<z.infer<S>>): Promise<LicenseAnswer>;
}

export interface ApiRouteSpec<S extends z.ZodType> extends RouteBase<S> {
  reads: "none";
  handle(call: ApiCall<z.infer<S>>): Promise<LicenseAnswer>;
}

// The erased form the router and the OpenAPI builder iterate over.
export type LicenseRoute = ContextRouteSpec<any> | CounterRouteSpec<any> | ApiRouteSpec<any>;

/** Keeps each handler typed against its own schema, then erases it for the route table. */
export function licenseRoute<S extends z.ZodType<IdentityFields>>(spec: ContextRouteSpec<S> | CounterRouteSpec<S>): LicenseRoute {
  return spec as LicenseRoute;
}

/** An authenticated, signed endpoint that names no license and device (so no license context is read). */
export function apiRoute<S extends z.ZodType>(spec: Omit<ApiRouteSpec<S>, "reads">): LicenseRoute {
  return { ...spec, reads: "none" } as LicenseRoute;
}

/**
 * Runs one route: authenticate, count against the API key's rate limit, validate, handle, sign.
 * Reads (GET) may use read-only keys.
 */
export async function runLicenseRoute(route: LicenseRoute, request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
  try {
    return await answer(route, request, env, ctx);
  } finally {
    // What the request left for later (src/license-api/after-answer.ts) starts once it is answered.
    startAfterAnswer(ctx);
  }
}

async function answer(route: LicenseRoute, request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
  const signed = readSignedRequest(request, route.method !== "get");
  let parsed: { ok: true; input: unknown } | { ok: false; error: unknown };
  try {
    parsed = { ok: true, input: await route.parse.read(request) };
  } catch (error) {
    parsed = { ok: false, error };
  }
  // A license route's schema produces IdentityFields (its type parameter says so).
  const lookup = parsed.ok && route.reads !== "none" ? identityLookup(parsed.input as IdentityFields) : null;
  const edge = await readEdge(env.DB, ctx, signed.apiKey, lookup, route.reads === "none" ? "context" : route.reads);
  const apiKey = await authenticateRequest(signed, edge.apiKey);
  await limitApiKey(apiKey, env);
  if (!parsed.ok) throw parsed.error;
  const call = { request, env, ctx, apiKey, input: parsed.input };
  let handled: LicenseAnswer;
  if (route.reads === "none") handled = await route.handle(call);
  else if (route.reads === "context") handled = await route.handle({ ...call, lookup: lookup!, context: edge.context! });
  else
    handled = await route.handle({
      ...call,
      lookup: lookup!,
      route: edge.route,
      context: edge.context,
      productVersion: edge.productVersion,
      seed: edge.seed,
    });
  return signedJson(env.LICENSE_SIGNING_KEY, handled.body, handled.headers);
}

function identityLookup(input: IdentityFields): LicenseLookup {
  return {
    product: input.product,
    licenseKey: input.license_key,
    username: input.username,
    licenseId: input.license_id,
    hardwareId: input.hardware_id,
    featureCode: input.feature,
  };
}
