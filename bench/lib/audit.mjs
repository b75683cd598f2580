// After a load run stops: how long until every accepted consumption has its audit row in D1, and
// are they exactly right (no row lost, none duplicated)?
//
// Between runs only D1 is looked at (through Miniflare's D1 binding from Node): the row count is
// polled until it has reached the clients' 2xx count and stayed put, and every feature's rows must
// be a gap-free, duplicate-free sequence total_after = 1..n. The counter objects themselves are
// asked only once, after the last run (bench/workers/counter-probe.js: each object's own total and
// outbox), so the check never touches the objects between measurements: the D1 rows must then
// equal the objects' totals exactly, with no row left in any outbox. (The clients' 2xx count is a
// lower bound only: when a timed run stops, the load generator drops the requests still in
// flight, at most one per connection, which the service still completes and audits.)

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * `service`: the service's target, whose `probeUrl` is bench/workers/counter-probe.js in its workerd
 * process and `db` its D1 (both read at each use: a restarted service has new ones).
 * @param {{ service: { probeUrl: URL | null, db: D1Database | null }, quietMs?: number }} options `quietMs`: how long the row
 *   count must stay put to count as settled (longer when rows reach D1 through a queue's batches).
 */
export function auditTracker({ service, quietMs = 1000 }) {
  const settled = [];
  const d1 = () => /** @type {D1Database} */ (service.db);

  const countRows = async () => /** @type {{ n: number }} */ (await d1().prepare("SELECT COUNT(*) AS n FROM consumption_audit").first()).n;

  /** Waits until D1 holds at least `rows` audit rows (at most `maxWaitMs`); whether it does. */
  async function reached(rows, maxWaitMs = 10_000) {
    const started = performance.now();
    while ((await countRows()) < rows) {
      if (performance.now() - started > maxWaitMs) return false;
      await sleep(20);
    }
    return true;
  }

  /**
   * Polls D1 (every ~20 ms) from the moment the load stopped until the row count has reached
   * `clientOkTotal` and not changed for `settleMs`; reports when D1 first held that final count.
   */
  async function settle({ phase, clientOkTotal, stoppedAt, settleMs = quietMs, maxWaitMs = 30_000, maxInFlight = Infinity }) {
    const samples = [];
    let last = -1;
    let lastChange = 0;
    for (;;) {
      const n = await countRows();
      const t = performance.now() - stoppedAt;
      samples.push([Math.round(t), n]);
      if (n !== last) {
        last = n;
        lastChange = t;
      }
      if ((n >= clientOkTotal && t - lastChange >= settleMs) || t > maxWaitMs) break;
      await sleep(20);
    }
    const rows = last;
    const reached = samples.find(([, n]) => n === rows);
    const integrity = await checkIntegrity(null);
    const inFlightAtStop = rows - clientOkTotal;
    const result = {
      phase,
      clientOkTotal,
      rowsInD1: rows,
      inFlightAtStop,
      allInD1AfterMs: rows >= clientOkTotal ? reached[0] : null,
      firstPollMs: samples[0]?.[0] ?? null,
      rowsAtFirstPoll: samples[0]?.[1] ?? null,
      consistent: integrity.ok && inFlightAtStop >= 0 && inFlightAtStop <= maxInFlight,
      integrity,
      lateRows: 0,
      exact: null,
    };
    settled.push(result);
    return result;
  }

  /**
   * Call right before sending the service more requests: rows that reached D1 after the previous
   * phase had "settled" would make its time a lie, so they are counted against it.
   */
  async function beforeNextRequests() {
    const previous = settled.at(-1);
    if (previous) previous.lateRows += (await countRows()) - previous.rowsInD1 - previous.lateRows;
  }

  /**
   * After the last run: every touched counter object's own total and outbox. D1 must hold exactly
   * the objects' totals, and each phase is then marked exact if it was consistent and on time.
   */
  async function verifyAgainstCounters(featureIds) {
    const response = await fetch(/** @type {URL} */ (service.probeUrl), { method: "POST", body: JSON.stringify([...featureIds]) });
    if (!response.ok) throw new Error(`counter probe failed: ${response.status} ${await response.text()}`);
    const totals = new Map();
    let pending = 0;
    for (const counter of await response.json()) {
      totals.set(counter.id, counter.total);
      pending += counter.pending;
    }
    let accepted = 0;
    for (const total of totals.values()) accepted += total;
    const rows = await countRows();
    const integrity = await checkIntegrity(totals);
    const exact = rows === accepted && pending === 0 && integrity.ok;
    for (const phase of settled) phase.exact = exact && phase.consistent && !phase.lateRows;
    return { acceptedByCounters: accepted, rowsInD1: rows, pendingInObjects: pending, exact, integrity };
  }

  /**
   * Per feature: rows total_after = 1..n, each exactly once, no duplicate event_id; with `totals`
   * (the objects' own), also n = the object's total for every feature.
   */
  async function checkIntegrity(totals) {
    const { results } = await d1()
      .prepare(
        `SELECT license_feature_id AS id, COUNT(*) AS n, COUNT(DISTINCT total_after) AS distinct_totals,
                MIN(total_after) AS lo, MAX(total_after) AS hi, SUM(consumptions) AS consumed
         FROM consumption_audit GROUP BY license_feature_id`,
      )
      .all();
    const problems = [];
    const seen = new Set();
    for (const row of results) {
      seen.add(row.id);
      const total = totals?.get(row.id);
      if (row.n !== row.distinct_totals || row.lo !== 1 || row.hi !== row.n || row.consumed !== row.n || (totals && total !== row.n)) {
        problems.push({ ...row, counterTotal: total ?? null });
      }
    }
    if (totals) for (const [id, total] of totals) if (total > 0 && !seen.has(id)) problems.push({ id, n: 0, counterTotal: total });
    const duplicates = /** @type {{ d: number }} */ (
      await d1().prepare("SELECT COUNT(*) - COUNT(DISTINCT event_id) AS d FROM consumption_audit").first()
    ).d;
    return {
      ok: problems.length === 0 && duplicates === 0,
      features: results.length,
      duplicateEventIds: duplicates,
      problems: problems.slice(0, 10),
    };
  }

  return {
    settle,
    reached,
    beforeNextRequests,
    verifyAgainstCounters,
    /** How long to let a warm-up's rows settle: short, unless rows travel through a queue. */
    warmupSettleMs: quietMs > 1000 ? quietMs : 300,
  };
}

/**
 * How long the audit row count must stay put before a phase counts as settled: 1 s, or longer
 * than the longest batch timeout of the service's queue consumers (rows that travel through a
 * queue arrive in batches at most that far apart).
 * @param {ReturnType<typeof import("./targets.mjs").serviceConfig>} config
 */
export function auditQuietMs(config) {
  const consumers = /** @type {Record<string, { maxBatchTimeout?: number }> | string[] | undefined} */ (
    config.workerOptions.queueConsumers
  );
  if (!consumers || (Array.isArray(consumers) ? consumers.length === 0 : Object.keys(consumers).length === 0)) return 1000;
  // Miniflare's default batch timeout is 1 s.
  const timeouts = Array.isArray(consumers) ? [1] : Object.values(consumers).map((c) => c.maxBatchTimeout ?? 1);
  return Math.max(1000, Math.max(...timeouts) * 1000 + 1000);
}
