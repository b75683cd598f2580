/**
 * The License API's one call to a floating pool: the counter object of the floating cloud license
 * (`license:<id>`) or of the floating feature (`feature:<id>`) decides the request alone, as for a
 * consumption (docs/architecture.md "Floating pools"), and its outcome becomes the pool or the
 * documented error. The Worker has already resolved the license from D1, so the lookup names it
 * by id: the object checks that the key or user still belongs to it.
 */
import type { PoolView } from "../counter/floating-pool";
import { counterStub } from "../counter/counter-stubs";
import type { CounterTarget } from "../counter/snapshot";
import type { FloatingAction } from "../counter/types";
import type { ApiKey } from "../db/api-keys";
import type { LicenseLookup } from "../db/license-context";
import { ApiError } from "../errors";

/** The pool after `action`, as the requesting device sees it; null when the license or feature is not floating. */
export async function askPool(
  env: Env,
  apiKey: ApiKey,
  lookup: LicenseLookup,
  target: CounterTarget,
  productVersion: number,
  action: FloatingAction,
): Promise<PoolView | null> {
  const outcome = await counterStub(env, target).floating({
    target,
    lookup: { ...lookup, licenseId: target.licenseId },
    productVersion,
    access: { companyId: apiKey.companyId, productIds: apiKey.productIds },
    action,
  });
  switch (outcome.kind) {
    case "pool":
      return outcome.pool;
    case "not_floating":
      return null;
    case "denied":
      throw new ApiError(outcome.code, outcome.message);
    case "stale_route":
      // The license was read from D1 for this request; its key, users and features do not change.
      throw new Error(`counter ${JSON.stringify(target)} says the request does not name it`);
  }
}
