// Shared by the timing wrappers: wall-clock time per stage, as the Worker sees it. In workerd the
// clock only advances across I/O, so these are waits (D1, the counter object), not CPU time.
const stages = new Map();

export function record(stage, ms) {
  let list = stages.get(stage);
  if (!list) stages.set(stage, (list = []));
  list.push(ms);
}

export async function timed(stage, promise) {
  const start = Date.now();
  try {
    return await promise;
  } finally {
    record(stage, Date.now() - start);
  }
}

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];

export function snapshot(reset) {
  const out = {};
  for (const [stage, list] of stages) {
    const sorted = [...list].sort((a, b) => a - b);
    out[stage] = {
      n: sorted.length,
      mean: sorted.reduce((a, b) => a + b, 0) / sorted.length,
      p50: pct(sorted, 50),
      p90: pct(sorted, 90),
      p99: pct(sorted, 99),
      max: sorted.at(-1),
    };
  }
  if (reset) stages.clear();
  return out;
}
