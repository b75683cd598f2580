// Instruments what crosses the network in production: D1 statements and batches, counter-object
// calls and queue sends, counted in the Worker's env and inside a counter object, for tests that
// prove how many remote calls a request makes (test/edge/one-hop.test.ts).
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import type { ConsumptionCounter } from "../../src/counter/consumption-counter";

/** Counts what goes through a D1 binding: statements executed (one per statement in a batch) and batches. */
export function countingD1(db: D1Database) {
  const counts = { statements: 0, batches: 0 };
  const wrapStatement = (statement: D1PreparedStatement): D1PreparedStatement =>
    new Proxy(statement, {
      get(target, property) {
        const value = Reflect.get(target, property, target);
        if (typeof value !== "function") return value;
        if (property === "bind") return (...args: unknown[]) => wrapStatement(value.apply(target, args));
        if (["first", "all", "run", "raw"].includes(String(property))) {
          return (...args: unknown[]) => {
            counts.statements += 1;
            return value.apply(target, args);
          };
        }
        return value.bind(target);
      },
    });
  const wrapped = new Proxy(db, {
    get(target, property) {
      const value = Reflect.get(target, property, target);
      if (property === "prepare") return (sql: string) => wrapStatement(target.prepare(sql));
      if (property === "batch") {
        return (statements: D1PreparedStatement[]) => {
          counts.statements += statements.length;
          counts.batches += 1;
          return target.batch(statements);
        };
      }
      if (property === "exec") {
        return (sql: string) => {
          counts.statements += 1;
          return target.exec(sql);
        };
      }
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { db: wrapped, counts };
}

/** The Worker's env with every remote binding counted: D1 statements, counter-object calls, queue sends. */
export function instrumentedEnv() {
  const d1 = countingD1(env.DB);
  const calls = { counter: 0, queue: 0 };
  const namespace = new Proxy(env.CONSUMPTION_COUNTER, {
    get(target, property) {
      const value = Reflect.get(target, property, target);
      if (property === "get") {
        return (id: DurableObjectId) =>
          new Proxy(target.get(id), {
            get(stub, method) {
              const member = Reflect.get(stub, method, stub);
              if (typeof member !== "function") return member;
              return (...args: unknown[]) => {
                calls.counter += 1;
                return Reflect.apply(member, stub, args);
              };
            },
          });
      }
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  const queue = {
    send: (...args: Parameters<Queue["send"]>) => ((calls.queue += 1), env.AUDIT_QUEUE.send(...args)),
    sendBatch: (...args: Parameters<Queue["sendBatch"]>) => ((calls.queue += 1), env.AUDIT_QUEUE.sendBatch(...args)),
  } as unknown as Queue;
  return { env: { ...env, DB: d1.db, CONSUMPTION_COUNTER: namespace, AUDIT_QUEUE: queue } as Env, d1: d1.counts, calls };
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
