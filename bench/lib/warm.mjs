// Spread runs measure steady state: every spread object alive before the measurement starts.
//
// Local workerd evicts a Durable Object after 10 s without a request (workerd's own server tests:
// "If we weren't waiting on anything, the DO would be evicted after 10 seconds"). The spread
// objects idle through the other runs, so each spread run first touches all of them. One pass is
// not enough when the objects are cold: a pass that creates them all takes longer than 10 s for
// the service (each first touch opens a SQLite file, creates its tables and reads its snapshot
// from D1), so the objects it touched first are evicted again before the next pass reaches them,
// and the measured run paid for re-creating them (measured: after the hot run, 1,000 objects
// created by the first pass and 1,000 more in the next 15 s). Passes repeat until one is quick.

/** A pass this quick (s) touched every object well within the eviction timeout: they are all alive. */
export const WARM_PASS_S = 5;

/**
 * Runs `pass` (one request to each spread object) until a pass takes at most `warmS` seconds,
 * and at most `maxPasses` times. `warm` says whether the last pass was quick.
 * @template R
 * @param {() => Promise<R>} pass
 * @param {{ warmS?: number, maxPasses?: number, now?: () => number }} [options]
 * @returns {Promise<{ results: R[], seconds: number[], warm: boolean }>}
 */
export async function touchUntilWarm(pass, { warmS = WARM_PASS_S, maxPasses = 8, now = () => performance.now() } = {}) {
  /** @type {R[]} */
  const results = [];
  /** @type {number[]} */
  const seconds = [];
  while (results.length < maxPasses) {
    const startedAt = now();
    results.push(await pass());
    const took = (now() - startedAt) / 1000;
    seconds.push(Math.round(took * 10) / 10);
    if (took <= warmS) return { results, seconds, warm: true };
  }
  return { results, seconds, warm: false };
}
