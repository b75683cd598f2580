/**
 * The one sequential remote call of a counter route: the counter object the request names is asked,
 * with the license's snapshot when this isolate read it on the way (a seed, so the object reads
 * no D1 itself). When this isolate's read names no counter, the D1 context decides the error in
 * the endpoint's precedence (`refuse`); when the object says the request does not name it (a route
 * remembered before a user got a newer license), the route is read again from D1, with the
 * license's snapshot, and the object it names now is asked, once.
 */
import type { SnapshotRead } from "../counter/snapshot";
import type { LicenseContext } from "../db/license-context";
import type { PartSchema } from "../http/route";
import { rereadRoute, type CounterKind, type CounterRoute } from "./edge-state";
import type { CounterCall } from "./license-api-route";

export async function atCounter<T extends { kind: string }>(
  call: CounterCall<PartSchema, PartSchema>,
  kind: CounterKind,
  refuse: (context: LicenseContext) => unknown,
  ask: (route: CounterRoute, productVersion: number, seed: SnapshotRead | undefined) => Promise<T | { kind: "stale_route" }>,
): Promise<Exclude<T, { kind: "stale_route" }>> {
  let { route, context, productVersion, seed } = call;
  for (let attempt = 0; attempt < 2; attempt++) {
    if (!route) {
      // This isolate's D1 read names no counter: the precedence code says why (it always throws here).
      if (!context) throw new Error("no counter route and no context");
      refuse(context);
      throw new Error("the D1 context names no counter, yet resolves");
    }
    const outcome = await ask(route, productVersion, seed);
    if (outcome.kind !== "stale_route") return outcome as Exclude<T, { kind: "stale_route" }>;
    // The route this isolate remembered no longer names the counter: ask D1 again, once.
    ({ context, route, seed } = await rereadRoute(call.env.DB, call.ctx, call.lookup, kind));
    productVersion = Math.max(productVersion, context.product?.defaultsVersion ?? 0);
  }
  throw new Error("the counter refused its route twice");
}
