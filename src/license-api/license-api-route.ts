/**
 * A License API endpoint (/api/v4): the shared route description (src/http/route.ts) with what
 * the License API adds, and the wrapper that runs it. Every endpoint but public_key is a
 * `licenseApiRoute({ method, path, summary, query | body, response, reads, handler })`: the wrapper
 * checks the signed headers, reads and validates the query (GET) or JSON body (POST), authenticates
 * the API key and its HMAC, runs the handler, and signs what the handler returns. A handler only
 * ever sees an authenticated request and returns data; it cannot answer unsigned or
 * unauthenticated.
 *
 * What a route reads before its handler runs (`reads`):
 * - "context": the license context from D1 (product, license, device, feature), every time;
 * - "feature" / "license": the counter object the request names. It comes with the API key from
 *   the isolate's memory or its location's cache (src/license-api/edge-state.ts): no D1 round trip
 *   once the license has been used; a first use reads the license's snapshot for its object too;
 * - "none" (endpoints that name no license: product_details, user_licenses, ...): nothing but the
 *   API key; the handler does its own reads after authentication.
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
import type { LicenseUser } from "../db/license-users";
import { readJsonBody } from "../http/read-json-body";
import { Reply, readRequestParts, type Answer, type PartSchema, type RequestParts, type RouteDescription } from "../http/route";
import { startAfterAnswer } from "./after-answer";
import { readEdge, type CounterKind, type CounterRoute } from "./edge-state";
import { queryObject, type LicenseIdentity } from "./schemas";

/** The identity fields every license endpoint takes (and `feature`, for feature endpoints). */
export type IdentityFields = LicenseIdentity & { feature?: string | undefined };

/** A query or body schema that names a license: its output carries the identity fields. */
type IdentitySchema = z.ZodType<IdentityFields>;

/** What every handler gets: the request, the authenticated key, and the validated query or body. */
export interface ApiCall<Q extends PartSchema, B extends PartSchema> extends Omit<RequestParts<undefined, Q, B>, "params"> {
  request: Request;
  env: Env;
  ctx: ExecutionContext;
  apiKey: ApiKey;
}

/** A license endpoint's handler also gets the identity the request names. */
export interface LicenseCall<Q extends PartSchema, B extends PartSchema> extends ApiCall<Q, B> {
  lookup: LicenseLookup;
}

/** A "context" handler gets the license context read from D1. */
export interface ContextCall<Q extends PartSchema, B extends PartSchema> extends LicenseCall<Q, B> {
  context: LicenseContext;
  /** With `readsLicense`: the license in full (its snapshot), read in the same batch; else undefined. */
  license: SnapshotRead | undefined;
  /** With `readsLicense`, for a request naming a username: that license user (null: none); else undefined. */
  licenseUser: LicenseUser | null | undefined;
}

/** A counter endpoint's handler gets the counter (null: the context below names none) and the product version. */
export interface CounterCall<Q extends PartSchema, B extends PartSchema> extends LicenseCall<Q, B> {
  route: CounterRoute | null;
  /** Read from D1 only when this isolate did not know the route. */
  context: LicenseContext | null;
  productVersion: number;
  /** The license's snapshot, read with the context: the counter object takes it instead of reading D1 itself. */
  seed: SnapshotRead | undefined;
}

/** The License API's description: GET takes a query, POST a JSON body; nothing else. */
interface LicenseApiDescription<Q extends PartSchema, B extends PartSchema, R extends z.ZodType> extends RouteDescription<
  undefined,
  Q,
  B,
  R
> {
  method: "get" | "post";
  /** Whether the endpoint writes, so read-only API keys are refused: POST endpoints, and a GET that writes (trial_key). */
  writes?: boolean;
  /** A body that is a text file, not JSON (offline requests): how it is read into what `body` validates, and what it is. */
  textBody?: { read(request: Request): Promise<unknown>; description: string };
}

export type LicenseApiRouteSpec<Q extends PartSchema, B extends PartSchema, R extends z.ZodType> = LicenseApiDescription<Q, B, R> &
  (
    | {
        reads: "context";
        /** The context read also reads the license in full and the license user the request names (one D1 batch). */
        readsLicense?: boolean;
        handler(call: ContextCall<Q, B>): Promise<Answer<R>>;
      }
    | { reads: CounterKind; handler(call: CounterCall<Q, B>): Promise<Answer<R>> }
    | { reads: "none"; handler(call: ApiCall<Q, B>): Promise<Answer<R>> }
  );

/** What the License API route table holds. */
export interface LicenseApiRoute extends RouteDescription {
  method: "get" | "post";
  reads: "context" | CounterKind | "none";
  textBody?: { description: string };
  /** Authenticates, validates, runs the handler and signs its answer. */
  run(request: Request, env: Env, ctx: ExecutionContext): Promise<Response>;
}

/** An endpoint that names a license (and a device): its query or body schema yields the identity. */
export function licenseApiRoute<
  R extends z.ZodType,
  Q extends IdentitySchema | undefined = undefined,
  B extends IdentitySchema | undefined = undefined,
>(spec: LicenseApiRouteSpec<Q, B, R> & { reads: "context" | CounterKind }): LicenseApiRoute;
/** An endpoint that names no license (`reads: "none"`). */
export function licenseApiRoute<R extends z.ZodType, Q extends PartSchema = undefined, B extends PartSchema = undefined>(
  spec: LicenseApiRouteSpec<Q, B, R> & { reads: "none" },
): LicenseApiRoute;
export function licenseApiRoute(spec: LicenseApiRouteSpec<PartSchema, PartSchema, z.ZodType>): LicenseApiRoute {
  const { handler: _handler, ...description } = spec;
  return { ...description, run: (request, env, ctx) => runLicenseRoute(spec, request, env, ctx) };
}

/**
 * Runs one route: authenticate, count against the API key's rate limit, validate, handle, sign.
 * Reads (GET) may use read-only keys.
 */
async function runLicenseRoute(
  spec: LicenseApiRouteSpec<PartSchema, PartSchema, z.ZodType>,
  request: Request,
  env: Env,
  ctx: ExecutionContext,
): Promise<Response> {
  try {
    return await answer(spec, request, env, ctx);
  } finally {
    // What the request left for later (src/license-api/after-answer.ts) starts once it is answered.
    startAfterAnswer(ctx);
  }
}

async function answer(
  spec: LicenseApiRouteSpec<PartSchema, PartSchema, z.ZodType>,
  request: Request,
  env: Env,
  ctx: ExecutionContext,
): Promise<Response> {
  const signed = readSignedRequest(request, spec.writes ?? spec.method !== "get");
  // A malformed request is answered after authentication: parse now, throw later.
  let parsed: { ok: true; parts: RequestParts<undefined, PartSchema, PartSchema> } | { ok: false; error: unknown };
  try {
    parsed = {
      ok: true,
      parts: await readRequestParts(spec, {
        params: () => ({}),
        query: () => queryObject(request.url),
        body: () => (spec.textBody ? spec.textBody.read(request) : readJsonBody(request)),
      }),
    };
  } catch (error) {
    parsed = { ok: false, error };
  }
  // The overloads give identity routes an identity schema; "none" routes read no license.
  const lookup = parsed.ok && spec.reads !== "none" ? identityLookup((parsed.parts.query ?? parsed.parts.body) as IdentityFields) : null;
  const readsLicense = spec.reads === "context" && spec.readsLicense === true;
  const edge = await readEdge(env.DB, ctx, signed.apiKey, lookup, spec.reads === "none" ? "context" : spec.reads, readsLicense);
  const apiKey = await authenticateRequest(signed, edge.apiKey);
  await limitApiKey(apiKey, env);
  if (!parsed.ok) throw parsed.error;
  const call = { request, env, ctx, apiKey, query: parsed.parts.query, body: parsed.parts.body };
  let handled: unknown;
  if (spec.reads === "none") handled = await spec.handler(call);
  else if (spec.reads === "context")
    handled = await spec.handler({ ...call, lookup: lookup!, context: edge.context!, license: edge.seed, licenseUser: edge.licenseUser });
  else
    handled = await spec.handler({
      ...call,
      lookup: lookup!,
      route: edge.route,
      context: edge.context,
      productVersion: edge.productVersion,
      seed: edge.seed,
    });
  const reply = handled instanceof Reply ? handled : new Reply(handled, {});
  return signedJson(env.LICENSE_SIGNING_KEY, reply.data, reply.headers);
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
