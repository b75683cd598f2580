/**
 * One endpoint, described once, the same way for both APIs: method, path, summary, the zod schemas
 * of its path parameters, query and JSON body, the schema of its answer, and its handler. The
 * License API (src/license-api/license-api-route.ts) and the management API
 * (src/management/management-route.ts) add what only they need (what a License API request reads
 * before its handler runs; the management API's tags, statuses, CSV and import rows). Each router
 * registers and validates from these descriptions, and the OpenAPI document (src/openapi/) is built
 * from them, so what is documented is what runs.
 *
 * A handler's input is typed by its schemas (z.output) and its answer by its response schema
 * (z.input): a handler that reads a field its schema lacks, or answers one its response schema
 * lacks, does not compile.
 */
import type { z } from "zod";
import type { ApiErrorCode } from "../errors";
import { parseWith } from "../license-api/schemas";

export type HttpMethod = "get" | "post" | "patch" | "delete";

/** The schema of one part of a request (path parameters, query, body), or undefined when the endpoint takes none. */
export type PartSchema = z.ZodType | undefined;

/** What a handler gets for a part: what its schema outputs, or undefined when the endpoint takes none. */
export type Parsed<S extends PartSchema> = S extends z.ZodType ? z.output<S> : undefined;

/** What a route table holds: the description both routers and the OpenAPI builder read. */
export interface RouteDescription<
  P extends PartSchema = PartSchema,
  Q extends PartSchema = PartSchema,
  B extends PartSchema = PartSchema,
  R extends z.ZodType = z.ZodType,
> {
  method: HttpMethod;
  /** OpenAPI form: "/api/v1/licenses/{license_id}". */
  path: string;
  /**
   * The operation's name in the OpenAPI document, and so in every generated client: camelCase, a
   * verb and what it acts on ("listLicenses", "issueLicense", "getLicense"), unique across both APIs.
   */
  operationId: string;
  summary: string;
  description?: string;
  /**
   * The errors this endpoint answers beyond those its shape implies, each with when: the OpenAPI
   * document lists exactly these and the implied ones (src/openapi/error-responses.ts), so declare
   * every code the handler can throw that its shape does not imply (a conflict; a body that names
   * a missing resource).
   */
  errors?: DeclaredErrors;
  params?: P;
  query?: Q;
  body?: B;
  /** The answer's JSON. */
  response: R;
}

/** Error codes an endpoint answers, each with when (one sentence for the OpenAPI document). */
export type DeclaredErrors = Partial<Record<ApiErrorCode, string>>;

/** The validated parts of a request, as a handler gets them. */
export interface RequestParts<P extends PartSchema, Q extends PartSchema, B extends PartSchema> {
  params: Parsed<P>;
  query: Parsed<Q>;
  body: Parsed<B>;
}

/** Where each part of a request is read from (each read only if the route declares the part). */
export interface RequestSources {
  params(): Record<string, string>;
  query(): Record<string, unknown>;
  body(): Promise<unknown>;
}

/**
 * Validates the parts a route declares, in order: path parameters, query, body. The first part that
 * fails throws missing_parameters or validation_error naming every problem in it (parseWith).
 */
export async function readRequestParts<P extends PartSchema, Q extends PartSchema, B extends PartSchema>(
  route: Pick<RouteDescription<P, Q, B>, "params" | "query" | "body">,
  sources: RequestSources,
): Promise<RequestParts<P, Q, B>> {
  const params: unknown = route.params && parseWith(route.params, sources.params());
  const query: unknown = route.query && parseWith(route.query, sources.query());
  const body: unknown = route.body && parseWith(route.body, await sources.body());
  // Each part is its schema's output, or undefined where the route declares no schema: Parsed<S>.
  return { params, query, body } as RequestParts<P, Q, B>;
}

/** What a handler returns when its answer needs response headers besides the data (Idempotent-Replayed). */
export class Reply<T> {
  constructor(
    readonly data: T,
    readonly headers: Record<string, string>,
  ) {}
}

/** What a handler of a route answering `R` returns: the data, or the data with headers. */
export type Answer<R extends z.ZodType> = z.input<R> | Reply<z.input<R>>;
