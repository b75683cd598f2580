/**
 * The License API's router (/api/v4), built from the route table (./routes.ts): each route runs
 * through its wrapper (./license-api-route.ts: authenticate, validate, handle, sign). public_key is the one
 * unauthenticated endpoint; the calls the SDKs make that this server does not implement answer
 * not_supported (./not-supported.ts). Errors become bodies in one place (src/errors.ts). Every
 * request, whatever its path, first counts against its client address's rate limit.
 */
import { Router, type IRequest } from "itty-router";
import { limitLicenseApiAddress } from "../auth/rate-limit";
import { ApiError, errorResponse } from "../errors";
import { UNSUPPORTED_CALLS, notSupported } from "./not-supported";
import { licenseApiRoutes } from "./routes";
import { publicKey } from "./routes/public-key";

export const licenseRouter = Router<IRequest, [Env, ExecutionContext]>({
  before: [(request, env) => limitLicenseApiAddress(request, env)],
  catch: errorResponse,
});

licenseRouter.get("/api/v4/public_key", publicKey);
for (const route of licenseApiRoutes) {
  licenseRouter[route.method](route.path, (request, env, ctx) => route.run(request, env, ctx));
  licenseRouter.all(route.path, () => {
    throw new ApiError("method_not_allowed");
  });
}
for (const call of UNSUPPORTED_CALLS) {
  // Any method, with or without a trailing slash (LicenseSpring documents consumption_sync/ with one).
  licenseRouter.all(`/api/v4/${call.path}`, notSupported(call));
  licenseRouter.all(`/api/v4/${call.path}/`, notSupported(call));
}
licenseRouter.all("*", () => {
  throw new ApiError("not_found");
});
