// Variant: the counter object never copies its outbox to D1 (no audit flush, no alarm): what the
// flush costs. Not a valid service (audit rows never reach D1), only a measurement.
export * from "../../src/consumption-counter.ts";
import { ConsumptionCounter as Original } from "../../src/consumption-counter.ts";

export class ConsumptionCounter extends Original {
  scheduleFlush() {}
}
