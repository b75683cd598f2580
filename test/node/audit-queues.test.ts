// The audit consumer tells its dead-letter queue's batches by the queue's name
// (src/audit/audit-consumer.ts, AUDIT_DEAD_LETTER_QUEUE): it must be the queue wrangler.toml makes
// the audit queue's dead-letter queue, and that queue must have this Worker as its consumer.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..", "..");

describe("the audit dead-letter queue's name", () => {
  it("is the same in wrangler.toml and in the consumer", () => {
    const wrangler = readFileSync(join(root, "wrangler.toml"), "utf8");
    const consumer = readFileSync(join(root, "src", "audit", "audit-consumer.ts"), "utf8");
    const deadLetterQueues = [...wrangler.matchAll(/^dead_letter_queue\s*=\s*"([^"]+)"/gm)].map((match) => match[1]);
    const consumed = [...wrangler.matchAll(/^\[\[queues\.consumers\]\]\s*\nqueue\s*=\s*"([^"]+)"/gm)].map((match) => match[1]);
    const named = /AUDIT_DEAD_LETTER_QUEUE = "([^"]+)"/.exec(consumer)?.[1];
    expect(deadLetterQueues).toEqual([named]);
    expect(consumed).toContain(named);
  });
});
