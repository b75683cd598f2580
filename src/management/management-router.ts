/**
 * The management API's router (/api/v1), built from the route table (./routes.ts): every route
 * authenticates with the management key first, then validates its path parameters, query and body
 * with the route's zod schemas, then runs its handler and answers JSON. Errors become the same
 * `{status, code, message}` bodies as the License API's, in the same single place.
 */
import { Router, type IRequest } from "itty-router";
import type { z } from "zod";
import { ApiError, errorResponse } from "../errors";
import { readImportBody } from "../http/read-import-body";
import { readJsonBody } from "../http/read-json-body";
import { parseWith } from "../license-api/schemas";
import type { ManagementRoute } from "./define-route";
import { RowErrors, validateRows } from "./import/row-errors";
import { managementRoutes } from "./routes";
import { withManagementAuth } from "./with-management-auth";

export const managementRouter = Router<IRequest, [Env, ExecutionContext]>({ catch: errorResponse });

/** "/api/v1/licenses/{license_id}" (OpenAPI) → "/api/v1/licenses/:license_id" (itty-router). */
export const ittyPath = (openApiPath: string) => openApiPath.replace(/\{(\w+)\}/g, ":$1");

for (const route of managementRoutes) {
  managementRouter[route.method](ittyPath(route.path), withManagementAuth, (request, env) => runRoute(route, request, env));
}

// Unknown paths and methods, after authentication, so the route list is not told to strangers.
managementRouter.all("/api/v1/*", withManagementAuth, (request) => {
  const { pathname } = new URL(request.url);
  const pathExists = managementRoutes.some((route) => new RegExp(`^${ittyPath(route.path).replace(/:\w+/g, "[^/]+")}$`).test(pathname));
  throw pathExists ? new ApiError("method_not_allowed") : new ApiError("not_found");
});

async function runRoute(route: ManagementRoute, request: IRequest, env: Env): Promise<Response> {
  const params: unknown = route.params ? parseWith(route.params, decodeParams(request.params)) : {};
  const query: unknown = route.query ? parseWith(route.query, { ...request.query }) : {};
  const body: unknown = route.rows
    ? await readRows(route.rows, request)
    : route.body
      ? parseWith(route.body, await readJsonBody(request))
      : undefined;
  const result = await route.handler({ params, query, body, env });
  if (result instanceof Response) return result;
  return new Response(JSON.stringify(result), {
    status: route.status ?? 200,
    headers: { "Content-Type": "application/json", "Cache-Control": "no-store" },
  });
}

/**
 * An import's rows that are valid by `schema`, and the errors of the others: the handler adds what
 * it finds checking the rows against each other and D1, so one answer names every bad row.
 */
async function readRows(schema: z.ZodType, request: Request): Promise<unknown> {
  const errors = new RowErrors();
  const rows = validateRows(schema, await readImportBody(request), errors);
  return { rows, errors };
}

function decodeParams(params: Record<string, string>): Record<string, string> {
  try {
    return Object.fromEntries(Object.entries(params).map(([name, value]) => [name, decodeURIComponent(value)]));
  } catch {
    throw new ApiError("validation_error", "A path parameter is not valid percent-encoding");
  }
}
