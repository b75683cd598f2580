/**
 * One management endpoint, described once: method, path, the zod schemas of its path parameters,
 * query and body, the schema of its answer, and the handler. The router (./management-router.ts)
 * registers and validates from this description and the OpenAPI document (src/openapi/) is built
 * from it, so what is documented is what runs.
 */
import type { z } from "zod";
import type { NumberedRow } from "../http/read-import-body";
import type { RowErrors } from "./import/row-errors";

export type HttpMethod = "get" | "post" | "patch";

export interface RouteInput<Params, Query, Body> {
  params: Params;
  query: Query;
  body: Body;
  env: Env;
}

export interface RouteSpec<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType, R extends z.ZodType> {
  method: HttpMethod;
  /** OpenAPI form: "/api/v1/licenses/{license_id}". */
  path: string;
  summary: string;
  description?: string;
  tag: "Products" | "Licenses" | "Devices" | "API keys" | "Audit log" | "Import" | "Webhooks" | "Usage";
  params?: P;
  query?: Q;
  body?: B;
  /**
   * Bulk import routes (defineImportRoute): the schema of ONE row. The body is then a JSON array or
   * NDJSON of rows (src/http/read-import-body.ts) and the handler's `body` is the valid rows.
   */
  rows?: z.ZodType;
  /** The JSON answer's schema; for `csv` routes, documents nothing but the media type. */
  response: R;
  /** 201 for creations; 200 otherwise. */
  status?: 200 | 201;
  /** Answers text/csv (the handler returns the Response itself). */
  csv?: boolean;
  handler(input: RouteInput<z.infer<P>, z.infer<Q>, z.infer<B>>): Promise<z.input<R> | Response>;
}

// The erased form the router and the OpenAPI builder iterate over.
export type ManagementRoute = RouteSpec<any, any, any, any>;

/** Keeps each route's handler typed against its own schemas, then erases them for the route table. */
export function defineRoute<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType, R extends z.ZodType>(
  spec: RouteSpec<P, Q, B, R>,
): ManagementRoute {
  return spec as ManagementRoute;
}

export interface ImportRouteSpec<Row extends z.ZodType, R extends z.ZodType> {
  path: string;
  summary: string;
  description: string;
  row: Row;
  response: R;
  /**
   * Gets the rows valid in themselves and `errors` holding the others'; checks the rows against each
   * other and D1, adding to `errors`, and calls errors.throwIfAny() before it writes anything.
   */
  handler(input: { rows: Array<NumberedRow<z.infer<Row>>>; errors: RowErrors; env: Env }): Promise<z.input<R>>;
}

/** A bulk import endpoint: POST, tag "Import", rows instead of one JSON body (docs/migration.md). */
export function defineImportRoute<Row extends z.ZodType, R extends z.ZodType>(spec: ImportRouteSpec<Row, R>): ManagementRoute {
  return {
    method: "post",
    path: spec.path,
    tag: "Import",
    summary: spec.summary,
    description: spec.description,
    rows: spec.row,
    response: spec.response,
    handler: ({ body, env }) => {
      const { rows, errors } = body as { rows: Array<NumberedRow<z.infer<Row>>>; errors: RowErrors };
      return spec.handler({ rows, errors, env });
    },
  };
}
