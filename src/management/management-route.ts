/**
 * A management endpoint (/api/v1): the shared route description (src/http/route.ts) with the
 * management API's own extras: an OpenAPI tag (which decides the least role the route needs,
 * ./route-roles.ts), the success status, CSV answers, and bulk imports, whose body is rows. Every
 * management route authenticates first (./management-router.ts); here the caller's role is checked,
 * then the request validated and the handler run with the caller (`actor`), whom the activity log
 * names.
 */
import type { IRequest } from "itty-router";
import type { z } from "zod";
import { roleAllows, type ManagementActor, type ManagementRole } from "../auth/management-roles";
import { ApiError } from "../errors";
import { readImportBody, type NumberedRow } from "../http/read-import-body";
import { readJsonBody } from "../http/read-json-body";
import { readRequestParts, type DeclaredErrors, type PartSchema, type RequestParts, type RouteDescription } from "../http/route";
import { RowErrors, validateRows } from "./import/row-errors";
import { routeRole, type ManagementTag } from "./route-roles";

export type { ManagementTag };

/** What every handler gets besides the request's parts: the Worker's bindings and who is calling. */
export interface HandlerContext {
  env: Env;
  actor: ManagementActor;
}

interface ManagementExtras {
  tag: ManagementTag;
  /** 201 for creations; 200 otherwise. */
  status?: 200 | 201;
  /** Answers text/csv: the handler returns the Response itself, and `response` documents nothing but the media type. */
  csv?: boolean;
}

export interface ManagementRouteSpec<P extends PartSchema, Q extends PartSchema, B extends PartSchema, R extends z.ZodType>
  extends RouteDescription<P, Q, B, R>, ManagementExtras {
  handler(input: RequestParts<P, Q, B> & HandlerContext): Promise<z.input<R> | Response>;
}

/** What the management route table holds. */
export interface ManagementRoute extends RouteDescription, ManagementExtras {
  /** The least role a caller needs (from the tag and method: ./route-roles.ts). */
  role: ManagementRole;
  /** Bulk imports: the schema of ONE row; the body is a JSON array or NDJSON of rows (src/http/read-import-body.ts). */
  rows?: z.ZodType;
  /** Checks the authenticated caller's role, validates the request with the route's schemas, runs the handler and answers. */
  run(request: IRequest, env: Env, actor: ManagementActor): Promise<Response>;
}

/** 403 forbidden unless the caller's role reaches the route's. */
function checkRole(actor: ManagementActor, needed: ManagementRole): void {
  if (!roleAllows(actor.role, needed))
    throw new ApiError("forbidden", `This needs the ${needed} role; ${actor.name} has the ${actor.role} role`);
}

/** Keeps the handler typed against the route's schemas; the table holds the result. */
export function managementRoute<
  R extends z.ZodType,
  P extends PartSchema = undefined,
  Q extends PartSchema = undefined,
  B extends PartSchema = undefined,
>(spec: ManagementRouteSpec<P, Q, B, R>): ManagementRoute {
  const { handler, ...description } = spec;
  const role = routeRole(spec.method, spec.tag);
  return {
    ...description,
    role,
    async run(request, env, actor) {
      checkRole(actor, role);
      const parts = await readRequestParts(spec, {
        params: () => decodeParams(request.params),
        // itty-router's query: a repeated parameter is an array, which no management schema takes.
        query: () => ({ ...request.query }),
        body: () => readJsonBody(request),
      });
      const result = await handler({ ...parts, env, actor });
      return result instanceof Response ? result : json(result, spec.status ?? 200);
    },
  };
}

export interface ImportRouteSpec<Row extends z.ZodType, R extends z.ZodType> {
  path: string;
  operationId: string;
  summary: string;
  description: string;
  errors?: DeclaredErrors;
  row: Row;
  response: R;
  /**
   * Gets the rows valid in themselves and `errors` holding the others'; checks the rows against each
   * other and D1, adding to `errors`, and calls errors.throwIfAny() before it writes anything.
   */
  handler(input: { rows: Array<NumberedRow<z.output<Row>>>; errors: RowErrors } & HandlerContext): Promise<z.input<R>>;
}

/** A bulk import endpoint: POST, tag "Import", rows instead of one JSON body (docs/migration.md). */
export function managementImportRoute<Row extends z.ZodType, R extends z.ZodType>(spec: ImportRouteSpec<Row, R>): ManagementRoute {
  const role = routeRole("post", "Import");
  return {
    method: "post",
    path: spec.path,
    operationId: spec.operationId,
    tag: "Import",
    role,
    summary: spec.summary,
    description: spec.description,
    ...(spec.errors ? { errors: spec.errors } : {}),
    rows: spec.row,
    response: spec.response,
    async run(request, env, actor) {
      checkRole(actor, role);
      // Every row is validated: the valid ones go on, the errors of the others are kept, so that one
      // answer names every bad row once the handler has checked the rows against each other and D1.
      const errors = new RowErrors();
      const rows = validateRows(spec.row, await readImportBody(request), errors);
      return json(await spec.handler({ rows, errors, env, actor }), 200);
    },
  };
}

function json(data: unknown, status: number): Response {
  return new Response(JSON.stringify(data), {
    status,
    headers: { "Content-Type": "application/json", "Cache-Control": "no-store" },
  });
}

function decodeParams(params: Record<string, string>): Record<string, string> {
  try {
    return Object.fromEntries(Object.entries(params).map(([name, value]) => [name, decodeURIComponent(value)]));
  } catch {
    throw new ApiError("validation_error", "A path parameter is not valid percent-encoding");
  }
}
