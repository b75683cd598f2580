// The bench's layer around every Worker under test (the three reference Workers and the service
// alike). Never deployed: the bench generates, for each Worker, an entry module that imports the
// Worker unchanged and wraps it (bench/lib/entry.mjs):
//
//   import * as target from "./worker.js";
//   import { harness } from "./harness.js";
//   const h = harness({ poll: "gate", gateMs: 2, far: null });
//   export default h.worker(target.default);
//   export const ConsumptionCounter = h.exported(target.ConsumptionCounter);
//
// It does three things:
//
// 1. Makes workerd's event loop poll regularly (bench/README.md, "The event loop"). workerd's loop
//    (kj) looks at sockets and timers only when its queue of ready events is empty. Locally, a
//    binding call (D1, a Durable Object, a Queue) is a chain of in-process events that never waits on a
//    socket, so under a closed-loop load the service's chains (Worker → local D1 → counter object
//    → SQLite → audit flush → local D1 …) can keep that queue busy for seconds: timers fire late,
//    requests wait unread, and at the next poll keep-alive connections that look idle too long are
//    closed. In production every binding call is network I/O that passes through the loop's poll.
//    So here every hop passes a poll point: an incoming request, and each D1 call, Durable Object
//    call or Queue send made through `env` (in the Worker and inside exported classes). Equally
//    for every Worker:
//      poll: "gate"  (default) a probe timer `scheduler.wait(0)` is kept armed; it can only fire
//                    when the loop polls. While it has been pending for more than `gateMs`, a hop
//                    waits for that poll (`scheduler.wait(0)`) before going on: work in progress
//                    drains, the loop polls, timers and sockets are served, the held hops go on.
//                    Costs nothing while the loop polls on its own.
//      poll: "yield" every hop waits for the next poll, always.
//      poll: "off"   nothing is held back and `env` is not wrapped; the probe only measures (the
//                    raw local runtime).
//    In every mode the probe records how long the loop took to poll after it was armed.
//
// 2. Far mode (`far`, BENCH_FAR=1): every D1 call, Durable Object call and Queue send made through
//    `env` waits a fixed delay of its kind first (which passes a poll too), in the Worker and
//    inside each exported class, to model storage that is not on the same machine. Bindings are
//    found by shape, not by name, so bindings added later are covered; GET /__bench/harness says
//    what each binding was taken for. The Cache API (`caches`, a global, not a binding: the
//    location's cache) is wrapped the same way, with its own delay: in production it is a call to
//    the location's cache servers, locally an in-process one.
//
// 3. Counts requests and answers by status class, and serves those counts and the poll-delay
//    histogram at GET /__bench/harness (`?reset=1` clears them), outside the gate.

const STATS_PATH = "/__bench/harness";
/** Upper bounds (ms) of the poll-delay histogram buckets; the last bucket is open. */
const BUCKETS_MS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000];
/** A probe pending this long is presumed lost (its request context gone) and re-armed. */
const PROBE_LOST_MS = 30_000;

/**
 * @typedef {{ d1Ms: number, durableObjectMs: number, queueMs: number, cacheMs?: number }} FarDelays
 * @typedef {"d1" | "durableObject" | "queue" | "cache"} BindingKind
 * @typedef {{ poll: "off" | "yield" | "gate", gateMs: number, far: FarDelays | null, dropQueueSends?: boolean }} HarnessOptions
 * @typedef {{ fetch?: Function, queue?: Function, scheduled?: Function, [handler: string]: unknown }} HandlerObject
 */

/** @param {HarnessOptions} options */
export function harness(options) {
  const stats = newStats();
  /** When the pending probe was armed (ms), or null when none is pending. */
  let probeArmedAt = /** @type {number | null} */ (null);

  /** @param {number} ms */
  const recordPoll = (ms) => {
    stats.polls++;
    stats.pollDelaySumMs += ms;
    if (ms > stats.pollDelayMaxMs) stats.pollDelayMaxMs = ms;
    let i = 0;
    while (i < BUCKETS_MS.length && ms > /** @type {number} */ (BUCKETS_MS[i])) i++;
    stats.pollDelayBuckets[i] = (stats.pollDelayBuckets[i] ?? 0) + 1;
  };

  /** @param {ExecutionContext} ctx */
  const armProbe = (ctx) => {
    const armedAt = Date.now();
    probeArmedAt = armedAt;
    // waitUntil keeps this request's context (which owns the timer) alive until the probe fires.
    ctx.waitUntil(
      scheduler.wait(0).then(() => {
        recordPoll(Date.now() - armedAt);
        if (probeArmedAt === armedAt) probeArmedAt = null;
      }),
    );
  };

  /** Waits for the loop's next poll, counted as held. */
  const holdForPoll = async () => {
    stats.held++;
    const start = Date.now();
    // A timer of its own: a timer belongs to one request's (or object's) context.
    await scheduler.wait(0);
    if (options.poll === "yield") recordPoll(Date.now() - start);
  };

  /** True when the pending probe says the loop has not polled for longer than the gate allows. */
  const stale = () => probeArmedAt !== null && Date.now() - probeArmedAt > options.gateMs;

  /** Before a request starts: what the poll mode asks (see the top of this file). @param {ExecutionContext} ctx */
  const admit = async (ctx) => {
    if (options.poll === "yield") return holdForPoll();
    if (probeArmedAt === null || Date.now() - probeArmedAt > PROBE_LOST_MS) {
      armProbe(ctx);
      return;
    }
    if (options.poll === "gate" && stale()) await holdForPoll();
  };

  /**
   * Before a binding call: counts it, then the far delay or the poll mode's hold.
   * @param {"worker" | "objects"} caller @param {BindingKind} kind @param {number} farMs
   */
  const hop = async (caller, kind, farMs) => {
    stats.bindingCalls[caller][kind]++;
    if (farMs > 0) return delay(farMs);
    if (options.poll === "yield" || (options.poll === "gate" && stale())) return holdForPoll();
  };

  const wrapping = !(options.poll === "off" && !options.far && !options.dropQueueSends);
  const far = options.far ?? { d1Ms: 0, durableObjectMs: 0, queueMs: 0 };
  const drop = Boolean(options.dropQueueSends);
  /** `env` as the Worker's handlers see it, and as exported classes (Durable Objects) see it. */
  const wrapEnv = wrapping ? envWrapper((kind, ms) => hop("worker", kind, ms), far, drop) : (/** @type {any} */ env) => env;
  const wrapClassEnv = wrapping ? envWrapper((kind, ms) => hop("objects", kind, ms), far, drop) : (/** @type {any} */ env) => env;
  if (wrapping)
    wrapCaches(
      () => hop("worker", "cache", far.cacheMs ?? 0),
      (ms) => (stats.cacheLocalMs += ms),
    );

  /**
   * The Worker's default export: a handler object or a WorkerEntrypoint class.
   * @template T
   * @param {T} target
   * @returns {T}
   */
  const worker = (target) => {
    if (isClass(target)) {
      const Base = /** @type {any} */ (target);
      return /** @type {T} */ (
        /** @type {unknown} */ (
          class extends Base {
            /** @param {ExecutionContext} ctx @param {any} env */
            constructor(ctx, env) {
              super(ctx, wrapEnv(env));
            }
            /** @param {Request} request */
            async fetch(request) {
              const stat = statsResponse(request);
              if (stat) return stat;
              await admit(/** @type {any} */ (this).ctx);
              return counted(() => super.fetch(request));
            }
          }
        )
      );
    }
    const handlers = /** @type {HandlerObject} */ (target);
    /** @type {HandlerObject} */
    const wrapped = {};
    for (const [name, handler] of Object.entries(handlers)) {
      if (typeof handler !== "function") {
        wrapped[name] = handler;
      } else if (name === "fetch") {
        /** @param {Request} request @param {any} env @param {ExecutionContext} ctx */
        wrapped.fetch = async (request, env, ctx) => {
          const stat = statsResponse(request);
          if (stat) return stat;
          await admit(ctx);
          return counted(() => handler.call(handlers, request, wrapEnv(env), ctx));
        };
      } else {
        // queue, scheduled, ...: (event, env, ctx): not held back (the runtime starts them), env wrapped.
        /** @param {unknown} event @param {any} env @param {unknown[]} rest */
        wrapped[name] = (event, env, ...rest) => handler.call(handlers, event, wrapEnv(env), ...rest);
      }
    }
    return /** @type {T} */ (wrapped);
  };

  /**
   * A named export: classes (Durable Objects, entrypoints) get the wrapped `env`.
   * @template T
   * @param {T} target
   * @returns {T}
   */
  const exported = (target) => {
    if (!wrapping || !isClass(target)) return target;
    const Base = /** @type {any} */ (target);
    return /** @type {T} */ (
      /** @type {unknown} */ (
        class extends Base {
          /** @param {unknown} ctx @param {any} env @param {unknown[]} rest */
          constructor(ctx, env, ...rest) {
            super(ctx, wrapClassEnv(env), ...rest);
          }
        }
      )
    );
  };

  /** @param {() => Promise<Response> | Response} run */
  const counted = async (run) => {
    stats.requests++;
    try {
      const response = await run();
      const klass = `${Math.floor(response.status / 100)}xx`;
      stats.responses[klass] = (stats.responses[klass] ?? 0) + 1;
      return response;
    } catch (error) {
      stats.thrown++;
      throw error;
    }
  };

  /** @param {Request} request */
  const statsResponse = (request) => {
    if (!request.url.includes(STATS_PATH)) return null;
    const body = {
      ...stats,
      bindings: wrappedBindings,
      options,
      bucketsMs: BUCKETS_MS,
      probePendingMs: probeArmedAt === null ? null : Date.now() - probeArmedAt,
    };
    if (new URL(request.url).searchParams.has("reset")) Object.assign(stats, newStats());
    return Response.json(body);
  };

  return { worker, exported };
}

function newStats() {
  return {
    requests: 0,
    /** @type {Record<string, number>} */
    responses: {},
    thrown: 0,
    /** Hops (requests, binding calls) held until the loop polled. */
    held: 0,
    /** D1 and Durable Object calls made through the wrapped `env`, by the Worker's handlers and by exported classes. */
    bindingCalls: { worker: { d1: 0, durableObject: 0, queue: 0, cache: 0 }, objects: { d1: 0, durableObject: 0, queue: 0, cache: 0 } },
    /** Wall-clock ms spent inside the local Cache API's calls (far delays excluded). */
    cacheLocalMs: 0,
    polls: 0,
    pollDelaySumMs: 0,
    pollDelayMaxMs: 0,
    /** @type {number[]} */
    pollDelayBuckets: new Array(BUCKETS_MS.length + 1).fill(0),
  };
}

/**
 * The Cache API's caches (`caches.open(name)` and `caches.default`) call `hop` before every
 * match, put and delete, and report how long the local cache took for it (without the far delay):
 * Miniflare's Cache API is a Worker and a Durable Object of its own, so that time is the local
 * stand-in for what the far delay models, counted apart to keep it out of "our code".
 * Patched once per isolate, where the runtime lets the global be changed.
 * @param {() => Promise<unknown>} hop @param {(ms: number) => void} took
 */
function wrapCaches(hop, took) {
  if (typeof caches === "undefined") return;
  /** @param {any} cache */
  const wrapCache = (cache) =>
    forward(cache, (property) =>
      property === "match" || property === "put" || property === "delete"
        ? async (/** @type {unknown[]} */ ...args) => {
            await hop();
            const started = performance.now();
            try {
              return await cache[property](...args);
            } finally {
              took(performance.now() - started);
            }
          }
        : undefined,
    );
  const open = caches.open.bind(caches);
  try {
    const storage = /** @type {any} */ (caches);
    storage.open = async (/** @type {string} */ name) => wrapCache(await open(name));
    const plain = caches.default;
    Object.defineProperty(storage, "default", { value: wrapCache(plain), configurable: true });
    wrappedBindings.caches = "Cache API (location cache)";
  } catch (error) {
    wrappedBindings.caches = `left as it is (${String(error)})`;
  }
}

/** @param {unknown} value */
function isClass(value) {
  return typeof value === "function" && /^class\b/.test(Function.prototype.toString.call(value));
}

/** Bindings seen in `env` and what the harness took each for (by shape), served with the counters. @type {Record<string, string>} */
const wrappedBindings = {};

/** @param {number} ms */
const delay = (ms) => scheduler.wait(ms);

/**
 * A copy of `env` whose D1 databases and Durable Object namespaces call `hop(kind, delay)` before
 * every call (the far delay of that kind of binding, 0 outside far mode).
 * @param {(kind: BindingKind, farMs: number) => Promise<unknown>} hop
 * @param {FarDelays} far
 * @param {boolean} dropQueueSends a Queue send resolves without sending (BENCH_AUDIT=drop: prices the queue's delivery)
 * @param {Record<string, string>} [found] what each binding was taken for (served with the counters)
 */
function envWrapper(hop, far, dropQueueSends, found = wrappedBindings) {
  const cache = new WeakMap();
  /** @param {any} env */
  return (env) => {
    if (env === null || typeof env !== "object") return env;
    let wrapped = cache.get(env);
    if (!wrapped) {
      wrapped = { ...env };
      for (const [name, binding] of Object.entries(env)) {
        if (looksLikeD1(binding)) {
          wrapped[name] = hopD1(binding, () => hop("d1", far.d1Ms));
          found[name] = "D1 database";
        } else if (looksLikeNamespace(binding)) {
          wrapped[name] = hopNamespace(binding, () => hop("durableObject", far.durableObjectMs));
          found[name] = "Durable Object namespace";
        } else if (looksLikeQueue(binding)) {
          wrapped[name] = forward(binding, (property) =>
            property === "send" || property === "sendBatch"
              ? async (/** @type {unknown[]} */ ...args) => {
                  await hop("queue", far.queueMs);
                  if (dropQueueSends) return undefined;
                  return binding[property](...args);
                }
              : undefined,
          );
          found[name] = "Queue producer";
        } else if (binding !== null && typeof binding === "object") {
          found[name] ??= "left as it is";
        }
      }
      cache.set(env, wrapped);
    }
    return wrapped;
  };
}

/**
 * An RPC stub (a service binding, say) answers every property name with a callable, so it would
 * pass any shape test: bindings that do so are left alone.
 * @param {any} binding
 */
const answersAnything = (binding) => typeof binding["__bench_no_such_method__"] === "function";

/** @param {any} binding */
function looksLikeD1(binding) {
  return (
    binding !== null &&
    typeof binding === "object" &&
    !answersAnything(binding) &&
    typeof binding.prepare === "function" &&
    typeof binding.batch === "function"
  );
}

/** @param {any} binding */
function looksLikeQueue(binding) {
  return (
    binding !== null &&
    typeof binding === "object" &&
    !answersAnything(binding) &&
    typeof binding.send === "function" &&
    typeof binding.sendBatch === "function"
  );
}

/** @param {any} binding */
function looksLikeNamespace(binding) {
  return (
    binding !== null &&
    typeof binding === "object" &&
    !answersAnything(binding) &&
    typeof binding.idFromName === "function" &&
    typeof binding.get === "function"
  );
}

/** Every method of `target`, bound to it, unless `override` answers the property. @param {any} target @param {(property: string) => unknown} override */
function forward(target, override) {
  return new Proxy(target, {
    get(t, property) {
      if (typeof property === "string") {
        const replaced = override(property);
        if (replaced !== undefined) return replaced;
      }
      const value = Reflect.get(t, property, t);
      return typeof value === "function" ? value.bind(t) : value;
    },
  });
}

/** A D1 database (or session): prepare(...).first/all/run/raw, batch and exec call `hop` first. @param {any} db @param {() => Promise<unknown>} hop */
function hopD1(db, hop) {
  const real = new WeakMap();
  /** @param {any} statement */
  const wrapStatement = (statement) => {
    const wrapped = forward(statement, (property) => {
      if (property === "bind") return (/** @type {unknown[]} */ ...args) => wrapStatement(statement.bind(...args));
      if (property === "first" || property === "all" || property === "run" || property === "raw")
        return async (/** @type {unknown[]} */ ...args) => {
          await hop();
          return statement[property](...args);
        };
      return undefined;
    });
    real.set(wrapped, statement);
    return wrapped;
  };
  return forward(db, (property) => {
    if (property === "prepare") return (/** @type {string} */ sql) => wrapStatement(db.prepare(sql));
    if (property === "batch")
      return async (/** @type {unknown[]} */ statements) => {
        await hop();
        return db.batch(statements.map((s) => real.get(/** @type {object} */ (s)) ?? s));
      };
    if (property === "exec")
      return async (/** @type {string} */ sql) => {
        await hop();
        return db.exec(sql);
      };
    if (property === "withSession") return (/** @type {unknown[]} */ ...args) => hopD1(db.withSession(...args), hop);
    return undefined;
  });
}

/** A Durable Object namespace whose stubs call `hop` before every RPC method call and fetch. @param {any} namespace @param {() => Promise<unknown>} hop */
function hopNamespace(namespace, hop) {
  return forward(namespace, (property) => {
    if (property === "get" || property === "getByName")
      return (/** @type {unknown[]} */ ...args) => hopStub(namespace[property](...args), hop);
    if (property === "jurisdiction") return (/** @type {unknown[]} */ ...args) => hopNamespace(namespace.jurisdiction(...args), hop);
    return undefined;
  });
}

/** @param {any} stub @param {() => Promise<unknown>} hop */
function hopStub(stub, hop) {
  return new Proxy(stub, {
    get(target, property) {
      // A stub is not a promise; its id and name are plain values.
      if (property === "then") return undefined;
      if (typeof property !== "string" || property === "id" || property === "name") {
        const value = Reflect.get(target, property, target);
        return typeof value === "function" ? value.bind(target) : value;
      }
      return async (/** @type {unknown[]} */ ...args) => {
        await hop();
        return target[property](...args);
      };
    },
  });
}
