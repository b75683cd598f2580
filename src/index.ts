/**
 * The Worker: a request comes in, is authenticated, validated, sent to one counter's Durable
 * Object, and comes back signed. Routes are thin; errors become bodies in one place.
 */
import { Router, type IRequest } from "itty-router";
import { withLicenseAuth, type LicenseApiRequest } from "./auth/with-license-auth";
import { ApiError, errorResponse } from "./errors";
import { addFeatureConsumption } from "./routes/add-feature-consumption";
import { publicKey } from "./routes/public-key";

export { ConsumptionCounter } from "./consumption-counter";

type Args = [Env, ExecutionContext];

const methodNotAllowed = (): never => {
  throw new ApiError("method_not_allowed");
};

const router = Router<IRequest, Args, Response>({
  catch: errorResponse,
});

router
  .get("/api/v4/public_key", publicKey)
  .post("/api/v4/add_feature_consumption", withLicenseAuth, (request, env) => addFeatureConsumption(request as LicenseApiRequest, env))
  .all("/api/v4/add_feature_consumption", methodNotAllowed)
  .all("*", () => {
    throw new ApiError("not_found");
  });

export default {
  fetch: (request, env, ctx) => router.fetch(request, env, ctx),
} satisfies ExportedHandler<Env>;
