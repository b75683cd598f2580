// The Cron Trigger's webhook jobs (src/scheduled.ts), run through the Worker's scheduled handler:
// license.expired for each license whose validity_period passed since the last run, announced
// once however often the scan runs; and a delivery whose queue message was lost, sent again.
import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../../src/index";
import { webhookEventStatements } from "../../src/db/webhooks";
import { eventually } from "../support/audit";
import { createFixture } from "../support/fixtures";
import { uniqueCode } from "../support/management-client";
import { deliveriesOf, received, receiverUrl, registerEndpoint, verified } from "../support/webhooks";

async function runCron(atMs: number): Promise<void> {
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ scheduledTime: atMs, cron: "*/5 * * * *" }), env, ctx);
  await waitOnExecutionContext(ctx);
}

describe("the scheduled webhook jobs", () => {
  it("announce each expiry once, from the first run on", { timeout: 30_000 }, async () => {
    const name = uniqueCode("expired");
    const endpoint = await registerEndpoint({ url: receiverUrl(`ok/${name}`), events: ["license.expired"] });
    const t0 = Date.now();
    const before = await createFixture({ validityPeriod: new Date(t0 - 60_000).toISOString() });
    const soon = await createFixture({ validityPeriod: new Date(t0 + 60_000).toISOString() });
    await runCron(t0); // the first run starts from now: an expiry before it is not announced
    await runCron(t0 + 120_000);
    await runCron(t0 + 120_000); // the same run again
    await runCron(t0 + 420_000);

    await eventually(async () => (await received(name)).length >= 1, "license.expired received");
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const bodies = (await received(name)).map((webhook) => verified(endpoint.secret, webhook));
    const ours = bodies.filter((body) => [before.licenseId, soon.licenseId].includes(body.data.license_id as number));
    expect(ours).toEqual([
      {
        type: "license.expired",
        timestamp: new Date(t0 + 60_000).toISOString(),
        data: {
          license_id: soon.licenseId,
          license_key: soon.licenseKey,
          product: soon.productCode,
          validity_period: new Date(t0 + 60_000).toISOString(),
        },
      },
    ]);
  });

  it("send again a pending delivery whose next attempt is long overdue", { timeout: 30_000 }, async () => {
    const name = uniqueCode("lost");
    const endpoint = await registerEndpoint({ url: receiverUrl(`ok/${name}`), events: ["license.disabled"] });
    const longAgo = new Date(Date.now() - 3_600_000).toISOString();
    // Committed an hour ago, and its queue message never sent.
    await env.DB.batch(
      webhookEventStatements(
        env.DB,
        [{ event_id: crypto.randomUUID(), type: "license.disabled", occurred_at: longAgo, data: { license_id: 5 } }],
        longAgo,
      ),
    );
    await runCron(Date.now());
    await eventually(async () => (await deliveriesOf(endpoint.id))[0]?.status === "delivered", "the lost delivery delivered");
    expect(await received(name)).toHaveLength(1);
  });
});
