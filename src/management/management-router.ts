/**
 * The management API's router (/api/v1), built from the route table (./routes.ts): every route
 * counts against the client address's rate limit and authenticates its caller first
 * (src/auth/authenticate-management.ts), then checks the caller's role, validates its path
 * parameters, query and body with the route's zod schemas, runs its handler and answers JSON
 * (./management-route.ts).
 * Errors become the same `{status, code, message}` bodies as the License API's, in the same single place.
 */
import { Router, type IRequest } from "itty-router";
import { ApiError, errorResponse } from "../errors";
import { managementRoutes } from "./routes";
import { withManagementAuth } from "./with-management-auth";

export const managementRouter = Router<IRequest, [Env, ExecutionContext]>({ catch: errorResponse });

/** "/api/v1/licenses/{license_id}" (OpenAPI) → "/api/v1/licenses/:license_id" (itty-router). */
export const ittyPath = (openApiPath: string) => openApiPath.replace(/\{(\w+)\}/g, ":$1");

for (const route of managementRoutes) {
  managementRouter[route.method](ittyPath(route.path), async (request, env) =>
    route.run(request, env, await withManagementAuth(request, env)),
  );
}

// Unknown paths and methods, after authentication, so the route list is not told to strangers.
managementRouter.all("/api/v1/*", async (request, env) => {
  await withManagementAuth(request, env);
  const { pathname } = new URL(request.url);
  const pathExists = managementRoutes.some((route) => new RegExp(`^${ittyPath(route.path).replace(/:\w+/g, "[^/]+")}$`).test(pathname));
  throw pathExists ? new ApiError("method_not_allowed") : new ApiError("not_found");
});
