// Inside the counter object: how long each audit flush (one D1 batch + the outbox delete) waits.
export * from "../../../src/consumption-counter.ts";
import { ConsumptionCounter as Original } from "../../../src/consumption-counter.ts";
import { record } from "./stats.js";

export class ConsumptionCounter extends Original {
  async drainOutbox() {
    const start = Date.now();
    try {
      return await super.drainOutbox();
    } finally {
      record("counter object: audit flush (drain outbox → D1)", Date.now() - start);
    }
  }
}
