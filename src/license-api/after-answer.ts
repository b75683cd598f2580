/**
 * Work a License API request leaves for after its answer (sharing what it read with the location's
 * cache, refreshing entries in the background): queued per request and handed to `waitUntil` by
 * the route wrapper once the answer is built (or has failed), so it never delays the answer.
 */
const pending = new WeakMap<ExecutionContext, Array<() => Promise<unknown>>>();

/** Queues `work` for after this request's answer. */
export function afterAnswer(ctx: ExecutionContext, work: () => Promise<unknown>): void {
  const queued = pending.get(ctx);
  if (queued) queued.push(work);
  else pending.set(ctx, [work]);
}

/** Starts what the request queued; the wrapper calls it once the answer is built, or failed. */
export function startAfterAnswer(ctx: ExecutionContext): void {
  const queued = pending.get(ctx);
  if (!queued) return;
  pending.delete(ctx);
  // Handed over first, started a microtask later.
  ctx.waitUntil(Promise.resolve().then(() => Promise.all(queued.map((work) => work()))));
}
