// After a load run stops: how long until every accepted consumption has its audit row in D1, and
// are they exactly right (no row lost, none duplicated)?
//
// The truth is each counter object's total (every accepted consumption here adds exactly 1, and
// no feature resets), read over RPC from the Durable Objects after D1 has settled. The client's
// own 2xx count is a lower bound only: when a duration-based run stops, the load generator drops
// the requests still in flight, which the server may still complete (at most one per connection).

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** `probeUrl`: bench/workers/counter-probe.js in the service's workerd process. */
export function auditTracker({ probeUrl, db }) {
  /** license_feature_id → the counter object's total as last read. */
  const totals = new Map();

  async function readCounters(featureIds) {
    const response = await fetch(probeUrl, { method: "POST", body: JSON.stringify([...featureIds]) });
    if (!response.ok) throw new Error(`counter probe failed: ${response.status} ${await response.text()}`);
    let pending = 0;
    for (const counter of await response.json()) {
      totals.set(counter.id, counter.total);
      pending += counter.pending;
    }
    return pending;
  }

  const countRows = async () => (await db.prepare("SELECT COUNT(*) AS n FROM consumption_audit").first()).n;

  /**
   * Polls D1 (every ~20 ms) from the moment the load stopped until the row count has reached the
   * client's 2xx count and stopped changing for `settleMs`, then reads the counters' totals and
   * reports when D1 first held exactly that many rows.
   */
  async function settle({ phase, touchedFeatures, clientOkTotal, stoppedAt, settleMs = 1000, maxWaitMs = 30_000 }) {
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
    const pendingInObjects = await readCounters(touchedFeatures);
    let expected = 0;
    for (const total of totals.values()) expected += total;
    // One more look, after the counters were read.
    const finalRows = await countRows();
    const reached = samples.find(([, n]) => n === expected);
    const integrity = await checkIntegrity();
    return {
      phase,
      clientOkTotal,
      acceptedByCounters: expected,
      inFlightAtStop: expected - clientOkTotal,
      rowsInD1: finalRows,
      pendingInObjects,
      allInD1AfterMs: reached && finalRows === expected ? reached[0] : null,
      firstPollMs: samples[0]?.[0] ?? null,
      rowsAtFirstPoll: samples[0]?.[1] ?? null,
      exact: finalRows === expected && integrity.ok && pendingInObjects === 0,
      integrity,
    };
  }

  /** Per feature: rows total_after = 1..total, each exactly once, and as many as the counter says. */
  async function checkIntegrity() {
    const { results } = await db
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
      const total = totals.get(row.id);
      if (row.n !== row.distinct_totals || row.lo !== 1 || row.hi !== row.n || row.consumed !== row.n || total !== row.n) {
        problems.push({ ...row, counterTotal: total ?? null });
      }
    }
    for (const [id, total] of totals) if (total > 0 && !seen.has(id)) problems.push({ id, n: 0, counterTotal: total });
    const duplicates = (await db.prepare("SELECT COUNT(*) - COUNT(DISTINCT event_id) AS d FROM consumption_audit").first()).d;
    return { ok: problems.length === 0 && duplicates === 0, features: results.length, duplicateEventIds: duplicates, problems: problems.slice(0, 10) };
  }

  return { settle, totals };
}
