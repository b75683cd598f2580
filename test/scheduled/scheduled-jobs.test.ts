// The Cron Trigger's jobs (src/scheduled.ts), run through the Worker's scheduled handler:
// license.expired for each license whose validity_period passed since the last run, announced
// once however often the scan runs; a delivery whose queue message was lost, sent again; hourly
// usage rollups past their window, deleted once a day.
import { createScheduledController } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../../src/index";
import { USAGE_CRON } from "../../src/scheduled";
import { webhookEventStatements } from "../../src/db/webhooks";
import { eventually } from "../support/audit";
import { createFixture } from "../support/fixtures";
import { uniqueCode } from "../support/management-client";
import { deliveriesOf, received, receiverUrl, registerEndpoint, verified } from "../support/webhooks";

const runCron = (atMs: number) => worker.scheduled(createScheduledController({ scheduledTime: atMs, cron: USAGE_CRON }), env);

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

describe("the hourly rollups' window", () => {
  it("hours older than 90 whole days are deleted, once a day; days and newer hours stay", async () => {
    const now = Date.parse("2031-09-15T10:00:00.000Z");
    const insert = (table: string, bucket: string) =>
      env.DB.prepare(
        `INSERT INTO ${table} (license_id, license_feature_id, bucket_start, consumed, consumptions) VALUES (424242, 7, ?, 1, 1)`,
      ).bind(bucket);
    await env.DB.batch([
      insert("usage_hourly", "2031-06-16T23:00:00.000Z"),
      insert("usage_hourly", "2031-06-17T00:00:00.000Z"),
      insert("usage_daily", "2031-06-16T00:00:00.000Z"),
    ]);
    await runCron(now);
    const hours = async () =>
      (await env.DB.prepare("SELECT bucket_start FROM usage_hourly WHERE license_id = 424242").all<{ bucket_start: string }>()).results.map(
        (row) => row.bucket_start,
      );
    expect(await hours()).toEqual(["2031-06-17T00:00:00.000Z"]);
    expect(await env.DB.prepare("SELECT COUNT(*) AS n FROM usage_daily WHERE license_id = 424242").first("n")).toBe(1);
    // Later the same day the pass does not run again; the next day it does.
    await env.DB.batch([insert("usage_hourly", "2031-06-16T22:00:00.000Z")]);
    await runCron(now + 3_600_000);
    expect(await hours()).toEqual(["2031-06-16T22:00:00.000Z", "2031-06-17T00:00:00.000Z"]);
    await runCron(now + 86_400_000);
    expect(await hours()).toEqual([]);
  });
});
