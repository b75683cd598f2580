/**
 * One License API endpoint, described once, and the wrapper that runs it. Every /api/v4 endpoint
 * but public_key is a `licenseRoute({ parse, handle })` (it names a license and a device) or an
 * `apiRoute({ parse, handle })` (it names no license: product_details, user_licenses, ...): the
 * wrapper checks the signed headers, reads and validates the request with `parse`, authenticates
 * the API key and its HMAC, runs the handler, and signs what the handler returns. A handler only
 * ever sees an authenticated request and returns data; it cannot answer unsigned or
 * unauthenticated. The OpenAPI document (src/openapi/) is built from the same descriptions.
 *
 * Precedence (docs/protocol.md "Error precedence"): authorization errors first, even for a
 * malformed request; then request-shape errors; then the license errors the handler decides.
 * The API key is read in the same D1 round trip as the license the request names (an apiRoute
 * reads none: its handler does its own reads after authentication).
 */
import type { z } from "zod";
import { authenticateRequest, readSignedRequest } from "../auth/authenticate-request";
import { signedJson } from "../auth/response-signing";
import type { ApiKey } from "../db/api-keys";
import { licenseContextStatement, toLicenseContext, type LicenseContext, type LicenseLookup } from "../db/license-context";
import { readJsonBody } from "../http/read-json-body";
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

/** What a handler gets: the authenticated key, the validated input and the license it names. */
export interface LicenseCall<Input> {
  request: Request;
  env: Env;
  apiKey: ApiKey;
  input: Input;
  lookup: LicenseLookup;
  context: LicenseContext;
}

/** What a handler returns: the body to sign and send (status 200), and any extra headers. */
export interface LicenseAnswer {
  body: unknown;
  headers?: Record<string, string>;
}

export interface LicenseRouteSpec<S extends z.ZodType<IdentityFields>> {
  method: "get" | "post";
  path: string;
  summary: string;
  parse: RequestParser<S>;
  /** The answer's shape, for the OpenAPI document only (the handler builds it). */
  response: z.ZodType;
  handle(call: LicenseCall<z.infer<S>>): Promise<LicenseAnswer>;
}

/** What an apiRoute's handler gets: the authenticated key and the validated input, no license context. */
export interface ApiCall<Input> {
  request: Request;
  env: Env;
  apiKey: ApiKey;
  input: Input;
}

export interface ApiRouteSpec<S extends z.ZodType> {
  method: "get" | "post";
  path: string;
  summary: string;
  parse: RequestParser<S>;
  response: z.ZodType;
  handle(call: ApiCall<z.infer<S>>): Promise<LicenseAnswer>;
}

// The erased form the router and the OpenAPI builder iterate over; `namesLicense` says whether
// the wrapper reads the license context (licenseRoute) or not (apiRoute).
export type LicenseRoute = (LicenseRouteSpec<any> | ApiRouteSpec<any>) & { namesLicense: boolean };

/** Keeps each handler typed against its own schema, then erases it for the route table. */
export function licenseRoute<S extends z.ZodType<IdentityFields>>(spec: LicenseRouteSpec<S>): LicenseRoute {
  return { ...spec, namesLicense: true } as LicenseRoute;
}

/** An authenticated, signed endpoint that names no license and device (so no license context is read). */
export function apiRoute<S extends z.ZodType>(spec: ApiRouteSpec<S>): LicenseRoute {
  return { ...spec, namesLicense: false } as LicenseRoute;
}

/** Runs one route: authenticate, validate, handle, sign. Reads (GET) may use read-only keys. */
export async function runLicenseRoute(route: LicenseRoute, request: Request, env: Env): Promise<Response> {
  const signed = readSignedRequest(request, route.method !== "get");
  let parsed: { ok: true; input: unknown } | { ok: false; error: unknown };
  try {
    parsed = { ok: true, input: await route.parse.read(request) };
  } catch (error) {
    parsed = { ok: false, error };
  }
  // A licenseRoute's schema produces IdentityFields (its type parameter says so).
  const lookup = parsed.ok && route.namesLicense ? identityLookup(parsed.input as IdentityFields) : null;
  const { apiKey, rows } = await authenticateRequest(signed, env.DB, lookup ? [licenseContextStatement(env.DB, lookup)] : []);
  if (!parsed.ok) throw parsed.error;
  const call = { request, env, apiKey, input: parsed.input };
  const answer =
    route.namesLicense && lookup
      ? await (route as LicenseRouteSpec<any>).handle({ ...call, lookup, context: toLicenseContext(rows[0], lookup) })
      : await (route as ApiRouteSpec<any>).handle(call);
  return signedJson(env.LICENSE_SIGNING_KEY, answer.body, answer.headers);
}

/** The identity fields every license endpoint takes. */
export interface IdentityFields {
  product: string;
  license_key?: string | undefined;
  username?: string | undefined;
  license_id?: number | undefined;
  hardware_id: string;
  feature?: string | undefined;
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
