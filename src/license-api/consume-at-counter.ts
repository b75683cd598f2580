/**
 * Sends a consumption to the counter object the request names and turns the object's outcome into
 * an answer or an error: the one remote call of add_feature_consumption and add_consumption at
 * steady state. When this isolate does not know the counter, or the object says the request does
 * not name it (a stale route), the D1 context decides: it names the counter, or its error is
 * answered in the documented precedence.
 */
import { consumeOnce } from "../counter/counter-stubs";
import type { ConsumeReport, ConsumeRequest } from "../counter/types";
import { ApiError } from "../errors";
import { rereadRoute, type CounterKind } from "./edge-state";
import { requestKeyFor } from "./idempotency";
import type { CounterCall } from "./license-route";
import { resolveLicense, resolveLicenseFeature } from "./resolve-license";
import type { ConsumptionEvent } from "./schemas";

export interface Consumption {
  endpoint: "add_feature_consumption" | "add_consumption";
  consumptions: number;
  event: ConsumptionEvent;
  overages?: ConsumeRequest["overages"];
}

export async function consumeAtCounter(
  call: CounterCall<unknown>,
  kind: CounterKind,
  consumption: Consumption,
): Promise<{ report: ConsumeReport; replayed: boolean }> {
  const { env, lookup } = call;
  const requestKey = await requestKeyFor(call.request, call.apiKey.id, consumption.endpoint, call.input);
  let { route, context, productVersion, seed } = call;
  for (let attempt = 0; attempt < 2; attempt++) {
    if (!route) {
      // This isolate's D1 read names no counter: the precedence code says why (it always throws here).
      if (!context) throw new Error("no counter route and no context");
      if (kind === "feature") resolveLicenseFeature(context, lookup, call.apiKey, Date.now());
      else resolveLicense(context, lookup, call.apiKey, Date.now());
      throw new Error("the D1 context names no counter, yet resolves");
    }
    const outcome = await consumeOnce(env, {
      target: route.target,
      lookup,
      access: { companyId: call.apiKey.companyId, productIds: call.apiKey.productIds },
      productVersion,
      requestKey,
      retry: false,
      consumptions: consumption.consumptions,
      event: consumption.event,
      apiKeyId: call.apiKey.id,
      ...(consumption.overages ? { overages: consumption.overages } : {}),
      seed,
    });
    switch (outcome.kind) {
      case "accepted":
        return { report: outcome.report, replayed: outcome.replayed };
      case "refused":
      case "denied":
        throw new ApiError(outcome.code, outcome.message);
      case "key_reused":
        throw new ApiError("idempotency_key_reused");
      case "stale_route": {
        // The route this isolate remembered no longer names the counter: ask D1 again, once.
        ({ context, route, seed } = await rereadRoute(env.DB, lookup, kind));
        productVersion = Math.max(productVersion, context.product?.defaultsVersion ?? 0);
      }
    }
  }
  throw new Error("the counter refused its route twice");
}
