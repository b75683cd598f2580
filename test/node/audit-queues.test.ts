// The queue consumers tell their queues' batches by the queues' names: the audit consumer its
// dead-letter queue (src/audit/audit-consumer.ts, AUDIT_DEAD_LETTER_QUEUE), the webhook consumer its
// queue and dead-letter queue (src/webhooks/webhook-consumer.ts). They must be the queues
// wrangler.toml makes, each with this Worker as its consumer; and the webhook queue retries as
// many times as the retry schedule has delays.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { RETRY_DELAYS_S } from "../../src/webhooks/retry-schedule";

const root = join(import.meta.dirname, "..", "..");
const wrangler = readFileSync(join(root, "wrangler.toml"), "utf8");
const named = (file: string, constant: string) =>
  new RegExp(`${constant} = "([^"]+)"`).exec(readFileSync(join(root, "src", file), "utf8"))?.[1];
/** Each [[queues.consumers]] block: its queue and settings. */
const consumers = [...wrangler.matchAll(/^\[\[queues\.consumers\]\]\s*\n((?:[a-z_]+\s*=.*\n?)+)/gm)].map((match) =>
  Object.fromEntries([...match[1]!.matchAll(/^([a-z_]+)\s*=\s*"?([^"\n]+)"?$/gm)].map((setting) => [setting[1], setting[2]])),
);

describe("the queues' names", () => {
  it("the audit dead-letter queue is the same in wrangler.toml and in the consumer", () => {
    const deadLetterQueue = named("audit/audit-consumer.ts", "AUDIT_DEAD_LETTER_QUEUE");
    const audit = consumers.find((consumer) => consumer.queue === "edge-license-audit");
    expect(audit?.dead_letter_queue).toBe(deadLetterQueue);
    expect(consumers.map((consumer) => consumer.queue)).toContain(deadLetterQueue);
  });

  it("the webhook queue and its dead-letter queue are the same in wrangler.toml and in the consumer; retries match the schedule", () => {
    const queue = named("webhooks/webhook-consumer.ts", "WEBHOOK_QUEUE");
    const deadLetterQueue = named("webhooks/webhook-consumer.ts", "WEBHOOK_DEAD_LETTER_QUEUE");
    const webhooks = consumers.find((consumer) => consumer.queue === queue);
    expect(webhooks?.dead_letter_queue).toBe(deadLetterQueue);
    expect(Number(webhooks?.max_retries)).toBe(RETRY_DELAYS_S.length);
    expect(consumers.map((consumer) => consumer.queue)).toContain(deadLetterQueue);
    expect(new RegExp(`^binding = "WEBHOOK_QUEUE"\\nqueue = "${queue}"$`, "m").test(wrangler)).toBe(true);
  });

  it("the retry schedule keeps trying for more than 24 hours, each delay within the queue's 12-hour limit", () => {
    expect(RETRY_DELAYS_S.reduce((sum, delay) => sum + delay, 0)).toBeGreaterThan(24 * 3600);
    for (const delay of RETRY_DELAYS_S) expect(delay).toBeLessThanOrEqual(12 * 3600);
  });
});
