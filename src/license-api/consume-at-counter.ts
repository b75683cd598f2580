/**
 * Sends a consumption to the counter object the request names and turns the object's outcome into
 * an answer or an error: the one remote call of add_feature_consumption and add_consumption at
 * steady state (at-counter.ts: what happens when this isolate's read names no counter, or the
 * object says the request does not name it).
 */
import { consumeWithRetry } from "../counter/counter-stubs";
import type { ConsumeReport, ConsumeRequest } from "../counter/types";
import { ApiError } from "../errors";
import type { z } from "zod";
import type { LicenseContext } from "../db/license-context";
import { atCounter } from "./at-counter";
import type { CounterKind } from "./edge-state";
import { requestKeyFor } from "./idempotency";
import type { CounterCall } from "./license-api-route";
import { resolveLicense, resolveLicenseFeature } from "./resolve-license";
import type { ConsumptionEvent } from "./schemas";

export interface Consumption {
  endpoint: "add_feature_consumption" | "add_consumption";
  consumptions: number;
  event: ConsumptionEvent;
  overages?: ConsumeRequest["overages"];
}

export async function consumeAtCounter(
  call: CounterCall<undefined, z.ZodType>,
  kind: CounterKind,
  consumption: Consumption,
): Promise<{ report: ConsumeReport; replayed: boolean }> {
  const { env, lookup, apiKey } = call;
  const requestKey = await requestKeyFor(call.request, apiKey.id, consumption.endpoint, call.body);
  const refuse = (context: LicenseContext) =>
    kind === "feature" ? resolveLicenseFeature(context, lookup, apiKey, Date.now()) : resolveLicense(context, lookup, apiKey, Date.now());
  const outcome = await atCounter(call, kind, refuse, (route, productVersion, seed) =>
    consumeWithRetry(env, {
      target: route.target,
      lookup,
      access: { companyId: apiKey.companyId, productIds: apiKey.productIds },
      productVersion,
      requestKey,
      retry: false,
      consumptions: consumption.consumptions,
      event: consumption.event,
      apiKeyId: apiKey.id,
      ...(consumption.overages ? { overages: consumption.overages } : {}),
      seed,
    }),
  );
  switch (outcome.kind) {
    case "accepted":
      return { report: outcome.report, replayed: outcome.replayed };
    case "refused":
    case "denied":
      throw new ApiError(outcome.code, outcome.message);
    case "key_reused":
      throw new ApiError("idempotency_key_reused");
  }
}
