/**
 * The Worker: a request comes in, is authenticated, validated, sent to one counter's Durable
 * Object, and comes back signed. Routes are thin; errors become bodies in one place.
 */
import { Router, type IRequest } from "itty-router";
import { withLicenseAuth, type LicenseApiRequest } from "./auth/with-license-auth";
import { ApiError, errorResponse } from "./errors";
import { activateLicense, deactivateLicense } from "./routes/activation";
import { addConsumption } from "./routes/add-consumption";
import { addFeatureConsumption } from "./routes/add-feature-consumption";
import { checkLicense, checkLicenseFeature } from "./routes/check-license";
import { publicKey } from "./routes/public-key";
import { managementRouter } from "./management/management-router";
import { openApiRoute } from "./openapi/openapi-route";

export { ConsumptionCounter } from "./consumption-counter";

type Args = [Env, ExecutionContext];
type LicenseHandler = (request: LicenseApiRequest, env: Env) => Promise<Response>;

/** License API endpoints: method, path and handler. Every one is authenticated by withLicenseAuth. */
export const LICENSE_API_ROUTES: ReadonlyArray<{ method: "GET" | "POST"; path: string; handler: LicenseHandler }> = [
  { method: "POST", path: "/api/v4/activate_license", handler: activateLicense },
  { method: "POST", path: "/api/v4/deactivate_license", handler: deactivateLicense },
  { method: "GET", path: "/api/v4/check_license", handler: checkLicense },
  { method: "GET", path: "/api/v4/check_license_feature", handler: checkLicenseFeature },
  { method: "POST", path: "/api/v4/add_consumption", handler: addConsumption },
  { method: "POST", path: "/api/v4/add_feature_consumption", handler: addFeatureConsumption },
];

const router = Router<IRequest, Args>({ catch: errorResponse });

router.get("/api/v4/public_key", publicKey);
for (const route of LICENSE_API_ROUTES) {
  router[route.method === "GET" ? "get" : "post"](route.path, withLicenseAuth, async (request, env) => {
    const licenseRequest = request as LicenseApiRequest;
    const response = await route.handler(licenseRequest, env);
    // The trust boundary's backstop: no answer leaves unless the request was authenticated.
    if (!licenseRequest.authenticatedKey) throw new Error(`${route.path} answered without authenticating`);
    return response;
  });
  router.all(route.path, () => {
    throw new ApiError("method_not_allowed");
  });
}
// The vendor's management API (src/management/) and the OpenAPI document of both APIs.
router.all("/api/v1/*", (request, env, ctx) => managementRouter.fetch(request, env, ctx));
router.get("/api/openapi.json", openApiRoute);
router.all("*", () => {
  throw new ApiError("not_found");
});

export default {
  fetch: (request, env, ctx) => router.fetch(request, env, ctx),
} satisfies ExportedHandler<Env>;
