// Variant: the counter object flushes its outbox at most every 200 ms (rows accumulate in the
// meantime and go to D1 in one batch) instead of after every consumption. Same guarantees: rows
// stay in the object's outbox until D1 has them (the safety-net alarm is set 200 ms later than in
// src/ here; a real change would set it at once).
export * from "../../src/consumption-counter.ts";
import { ConsumptionCounter as Original } from "../../src/consumption-counter.ts";

const DEBOUNCE_MS = 200;

export class ConsumptionCounter extends Original {
  scheduleFlush() {
    if (this.flushTimer) return;
    this.flushTimer = true;
    this.ctx.waitUntil(
      new Promise((resolve) => setTimeout(resolve, DEBOUNCE_MS)).then(() => {
        this.flushTimer = false;
        super.scheduleFlush();
      }),
    );
  }
}
