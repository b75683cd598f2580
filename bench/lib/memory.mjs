// Memory of the Workers under test: the resident set of each workerd process (/proc) and the live
// JavaScript heap of each isolate in it, read through workerd's inspector (DevTools protocol:
// HeapProfiler.collectGarbage, then Runtime.getHeapUsage), so garbage waiting for a collection is
// not mistaken for a leak.
import { readFileSync } from "node:fs";
import WebSocket from "ws";

/** Resident set size of a process in MiB, or null. @param {number | null} pid */
export function rssMiB(pid) {
  if (!pid) return null;
  try {
    const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Math.round((Number(match[1]) / 1024) * 10) / 10 : null;
  } catch {
    return null;
  }
}

/** One DevTools protocol session over a WebSocket. @param {string} url */
export function inspectorSession(url) {
  const socket = new WebSocket(url);
  let next = 1;
  /** @type {Map<number, { resolve: (value: any) => void, reject: (error: Error) => void }>} */
  const waiting = new Map();
  socket.on("message", (data) => {
    const message = JSON.parse(String(data));
    const pending = message.id ? waiting.get(message.id) : undefined;
    if (pending) {
      waiting.delete(message.id);
      message.error ? pending.reject(new Error(JSON.stringify(message.error))) : pending.resolve(message.result);
    }
  });
  socket.on("close", () => {
    for (const pending of waiting.values()) pending.reject(new Error("inspector connection closed"));
    waiting.clear();
  });
  const opened = new Promise((resolve, reject) => {
    socket.once("open", resolve);
    socket.once("error", reject);
  });
  return {
    opened,
    /** @param {string} method @param {object} [params] @param {number} [timeoutMs] */
    send: (method, params = {}, timeoutMs = 10_000) =>
      new Promise((resolve, reject) => {
        const id = next++;
        const timer = setTimeout(() => {
          waiting.delete(id);
          reject(new Error(`inspector: ${method} timed out after ${timeoutMs} ms`));
        }, timeoutMs);
        waiting.set(id, {
          resolve: (value) => (clearTimeout(timer), resolve(value)),
          reject: (error) => (clearTimeout(timer), reject(error)),
        });
        socket.send(JSON.stringify({ id, method, params }));
      }),
    /** Closes and resolves once the server has seen the connection go (it serves one at a time). */
    close: () =>
      new Promise((resolve) => {
        if (socket.readyState === WebSocket.CLOSED) return resolve(undefined);
        socket.once("close", () => resolve(undefined));
        socket.close();
        setTimeout(() => (socket.terminate(), resolve(undefined)), 2000).unref();
      }),
  };
}

/**
 * The isolates of a Miniflare instance started with `inspectorPort` whose id `include` accepts
 * (default: the user Workers, "core:user:<name>", and local D1's, "d1:…"). `live()` forces a full
 * GC in each and returns { [isolate id]: live heap MiB }.
 *
 * Two things about workerd's inspector shape this: it serves one session at a time (so each
 * reading connects, collects, reads and disconnects, one isolate after another), and V8 runs the
 * requested collection as a task the isolate picks up only the next time it is entered. Under load
 * that is at once; when idle, `wake()` (a request that reaches the isolates, e.g. a D1 query
 * through the service) is called until the collection has run.
 * @param {import("miniflare").Miniflare} mf
 * @param {{ include?: (id: string) => boolean, wake?: () => Promise<unknown> }} [options]
 */
export async function heapReader(
  mf,
  { include = (id) => id.startsWith("core:user:") || id.startsWith("d1:"), wake = async () => {} } = {},
) {
  const inspector = await mf.getInspectorURL();
  const list = /** @type {Array<{ id: string, webSocketDebuggerUrl: string }>} */ (
    await (await fetch(`http://${inspector.host}/json/list`)).json()
  );
  const targets = list.filter((target) => include(target.id));
  /**
   * The heap in use of each isolate (MiB; null when it could not be read), after `prepare` ran on
   * that isolate's inspector session.
   * @param {(session: ReturnType<typeof inspectorSession>) => Promise<void>} prepare
   */
  async function heapOfEach(prepare) {
    /** @type {Record<string, number | null>} */
    const out = {};
    for (const target of targets) {
      const session = inspectorSession(target.webSocketDebuggerUrl);
      try {
        await session.opened;
        await prepare(session);
        const usage = /** @type {{ usedSize: number }} */ (await session.send("Runtime.getHeapUsage"));
        out[target.id] = Math.round((usage.usedSize / 2 ** 20) * 100) / 100;
      } catch {
        out[target.id] = null;
      } finally {
        await session.close();
      }
    }
    return out;
  }
  return {
    isolates: targets.map((target) => target.id),
    /** Heap in use per isolate (MiB), garbage included: no collection, cheap. */
    used: () => heapOfEach(async () => {}),
    /** Live heap per isolate (MiB): what is left after a full collection. */
    live: () =>
      heapOfEach(async (session) => {
        let collected = false;
        const collection = session.send("HeapProfiler.collectGarbage", {}, 15_000).then(() => (collected = true));
        for (let i = 0; i < 50 && !collected; i++) {
          await Promise.race([collection, new Promise((resolve) => setTimeout(resolve, 100))]);
          if (!collected) await wake().catch(() => {});
        }
        await collection;
      }),
  };
}
