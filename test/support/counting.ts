// Instruments what crosses the network in production, for tests that prove how many remote calls a
// request makes (test/edge/one-hop.test.ts): D1 statements and batches, counter-object calls and
// queue sends made through the Worker's env, Cache API calls (the location's cache), and D1
// statements inside a counter object. Each call is recorded with where it stands on the request's
// critical path (how many calls had to finish before it started) or, once the answer was
// returned, as background work.
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import type { ConsumptionCounter } from "../../src/counter/consumption-counter";

export type CallKind = "d1" | "object" | "queue" | "cache";

export interface TracedCall {
  kind: CallKind;
  what: string;
  /** D1 statements it ran (D1 calls). */
  statements: number;
  /** Remote calls (D1, objects) in the longest chain of calls that ends with this one, this one included. */
  remoteDepth: number;
  /** Calls of any kind (the location's cache too) in that chain. */
  depth: number;
  /** Started after the answer was returned: work off the critical path. */
  background: boolean;
}

/** The calls one or more requests made, in the order they started. */
export class CallTrace {
  readonly calls: TracedCall[] = [];
  #finished: Array<{ remoteDepth: number; depth: number }> = [];
  /** Set once the answer is returned: later calls are background work. */
  responded = false;

  async track<T>(kind: CallKind, what: string, statements: number, run: () => Promise<T>): Promise<T> {
    const remote = kind === "d1" || kind === "object" ? 1 : 0;
    const call: TracedCall = {
      kind,
      what,
      statements,
      remoteDepth: remote + Math.max(0, ...this.#finished.map((f) => f.remoteDepth)),
      depth: 1 + Math.max(0, ...this.#finished.map((f) => f.depth)),
      background: this.responded,
    };
    this.calls.push(call);
    try {
      return await run();
    } finally {
      this.#finished.push({ remoteDepth: call.remoteDepth, depth: call.depth });
    }
  }

  /** Starts a new request: earlier calls no longer count as finished before it. */
  reset(): void {
    this.calls.length = 0;
    this.#finished = [];
    this.responded = false;
  }

  /** What happened before the answer: remote calls in sequence, D1 statements, calls by kind. */
  criticalPath() {
    const before = this.calls.filter((call) => !call.background);
    const count = (kind: CallKind) => before.filter((call) => call.kind === kind).length;
    return {
      /** Remote calls (D1, counter objects) one after another: the round trips the client waits for. */
      remoteInSequence: Math.max(0, ...before.map((call) => call.remoteDepth)),
      d1Statements: before.reduce((n, call) => n + call.statements, 0),
      objectCalls: count("object"),
      locationCacheCalls: count("cache"),
      queueSends: count("queue"),
    };
  }

  /** Work after the answer, as "kind what" strings. */
  background(): string[] {
    return this.calls.filter((call) => call.background).map((call) => `${call.kind} ${call.what}`);
  }
}

/** A D1 binding whose statements and batches are recorded in `trace`. */
export function tracedD1(db: D1Database, trace: CallTrace): D1Database {
  const wrapStatement = (statement: D1PreparedStatement): D1PreparedStatement =>
    new Proxy(statement, {
      get(target, property) {
        const value = Reflect.get(target, property, target);
        if (typeof value !== "function") return value;
        if (property === "bind") return (...args: unknown[]) => wrapStatement(value.apply(target, args));
        if (["first", "all", "run", "raw"].includes(String(property)))
          return (...args: unknown[]) => trace.track("d1", String(property), 1, () => value.apply(target, args));
        return value.bind(target);
      },
    });
  return new Proxy(db, {
    get(target, property) {
      const value = Reflect.get(target, property, target);
      if (property === "prepare") return (sql: string) => wrapStatement(target.prepare(sql));
      if (property === "batch")
        return (statements: D1PreparedStatement[]) =>
          trace.track("d1", `batch of ${statements.length}`, statements.length, () => target.batch(statements));
      if (property === "exec") return (sql: string) => trace.track("d1", "exec", 1, () => target.exec(sql));
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

/** Counts what goes through a D1 binding: statements executed (one per statement in a batch) and batches. */
export function countingD1(db: D1Database) {
  const trace = new CallTrace();
  const counts = {
    get statements() {
      return trace.calls.reduce((n, call) => n + call.statements, 0);
    },
    get batches() {
      return trace.calls.filter((call) => call.what.startsWith("batch")).length;
    },
  };
  return { db: tracedD1(db, trace), counts };
}

/**
 * The Worker's env with every remote binding traced (D1, counter objects, the audit queue), and
 * the Cache API traced while `trace` is installed (`untrace()` puts it back).
 */
export function tracedEnv(trace = new CallTrace()) {
  const namespace = new Proxy(env.CONSUMPTION_COUNTER, {
    get(target, property) {
      const value = Reflect.get(target, property, target);
      if (property === "get") {
        return (id: DurableObjectId) =>
          new Proxy(target.get(id), {
            get(stub, method) {
              const member = Reflect.get(stub, method, stub);
              if (typeof member !== "function") return member;
              return (...args: unknown[]) =>
                trace.track("object", String(method), 0, () => Reflect.apply(member, stub, args) as Promise<unknown>);
            },
          });
      }
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  const queue = {
    send: (...args: Parameters<Queue["send"]>) => trace.track("queue", "send", 0, () => env.AUDIT_QUEUE.send(...args)),
    sendBatch: (...args: Parameters<Queue["sendBatch"]>) => trace.track("queue", "sendBatch", 0, () => env.AUDIT_QUEUE.sendBatch(...args)),
  } as unknown as Queue;
  return { env: { ...env, DB: tracedD1(env.DB, trace), CONSUMPTION_COUNTER: namespace, AUDIT_QUEUE: queue } as Env, trace };
}

/** Records the Cache API's match, put and delete in `trace` until the returned function is called. */
export function traceLocationCache(trace: CallTrace): () => void {
  const prototype = Cache.prototype as unknown as Record<"match" | "put" | "delete", (...args: unknown[]) => Promise<unknown>>;
  const originals = { match: prototype.match, put: prototype.put, delete: prototype.delete };
  for (const name of ["match", "put", "delete"] as const) {
    const original = originals[name];
    prototype[name] = function (this: Cache, ...args: unknown[]) {
      return trace.track("cache", name, 0, () => original.apply(this, args) as Promise<unknown>);
    };
  }
  return () => Object.assign(prototype, originals);
}

/** The Worker's env with every remote binding counted: D1 statements, counter-object calls, queue sends. */
export function instrumentedEnv() {
  const { env: traced, trace } = tracedEnv();
  const d1 = {
    get statements() {
      return trace.calls.filter((call) => call.kind === "d1").reduce((n, call) => n + call.statements, 0);
    },
    get batches() {
      return trace.calls.filter((call) => call.kind === "d1" && call.what.startsWith("batch")).length;
    },
  };
  const calls = {
    get counter() {
      return trace.calls.filter((call) => call.kind === "object").length;
    },
    get queue() {
      return trace.calls.filter((call) => call.kind === "queue").length;
    },
  };
  return { env: traced, d1, calls, trace };
}

/**
 * Counts the D1 statements the counter object behind `stub` runs from now on (its current
 * instance: an eviction starts a new one, uncounted). Starts the object if it is not running.
 */
export async function countObjectD1(stub: DurableObjectStub<ConsumptionCounter>): Promise<{ readonly statements: number }> {
  const seen = { statements: 0 };
  await runInDurableObject(stub, (instance: ConsumptionCounter) => {
    const holder = instance as unknown as { env: Env };
    const counted = countingD1(holder.env.DB);
    holder.env = { ...holder.env, DB: counted.db };
    Object.defineProperty(seen, "statements", { get: () => counted.counts.statements });
  });
  return seen;
}
