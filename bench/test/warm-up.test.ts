// The bench's spread warm-up (bench/lib/warm.mjs): passes repeat until one is quick, so a
// measured spread run starts with every object alive.
import { describe, expect, it } from "vitest";
import { touchUntilWarm } from "../lib/warm.mjs";

/** A pass whose duration (s) is the next of `durations`, on a clock the test drives. */
function passes(durations: number[]) {
  let clock = 0;
  let i = 0;
  return {
    now: () => clock,
    pass: async () => {
      clock += (durations[i] ?? 0) * 1000;
      return i++;
    },
    count: () => i,
  };
}

describe("touchUntilWarm", () => {
  it("stops after the first pass when it is quick", async () => {
    const p = passes([1.2]);
    const out = await touchUntilWarm(p.pass, { now: p.now });
    expect(out).toEqual({ results: [0], seconds: [1.2], warm: true });
  });

  it("repeats passes while they are slow (objects evicted again before the next pass reaches them)", async () => {
    const p = passes([14.9, 11.3, 6.2, 3.1, 3.0]);
    const out = await touchUntilWarm(p.pass, { now: p.now });
    expect(out.seconds).toEqual([14.9, 11.3, 6.2, 3.1]);
    expect(out.warm).toBe(true);
    expect(p.count()).toBe(4);
  });

  it("gives up after maxPasses and says it is not warm", async () => {
    const p = passes([12, 12, 12, 12]);
    const out = await touchUntilWarm(p.pass, { now: p.now, maxPasses: 3 });
    expect(out.seconds).toEqual([12, 12, 12]);
    expect(out.warm).toBe(false);
  });
});
