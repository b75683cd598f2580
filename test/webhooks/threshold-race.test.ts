// A consumption threshold is crossed inside the counter object's transaction, so it fires exactly
// once however many requests race past it (docs/usage-and-webhooks.md "Events"): 300 concurrent
// consumptions against a cap of 100 deliver exactly one signed webhook per level to a real HTTP
// receiver, through the audit queue, its consumer and the webhook queue.
import { describe, expect, it } from "vitest";
import { flushAudit, eventually } from "../support/audit";
import { consume } from "../support/client";
import { createApiKey, createFixture } from "../support/fixtures";
import { uniqueCode } from "../support/management-client";
import { deliveriesOf, received, receiverUrl, registerEndpoint, verified } from "../support/webhooks";

describe("threshold webhooks under a race", () => {
  it("300 concurrent consumptions against a cap of 100: each level fires exactly once, signed", { timeout: 60_000 }, async () => {
    const name = uniqueCode("race");
    const endpoint = await registerEndpoint({
      url: receiverUrl(`ok/${name}`),
      events: ["consumption.threshold_reached", "consumption.limit_reached"],
      thresholds: [50, 80, 100],
    });
    const credentials = await createApiKey();
    const fixture = await createFixture({ feature: { maxConsumption: 100 } });

    const responses = await Promise.all(Array.from({ length: 300 }, () => consume(fixture, credentials)));
    expect(responses.filter((response) => response.status === 200)).toHaveLength(100);
    for (const response of responses) await response.body?.cancel();
    await flushAudit(fixture.licenseFeatureId);

    await eventually(async () => (await received(name)).length >= 4, "four webhooks received", 20_000);
    // Anything sent twice would have arrived by now: deliveries follow within a second or two.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const webhooks = await received(name);
    const bodies = webhooks.map((webhook) => verified(endpoint.secret, webhook));
    expect(bodies.map((body) => [body.type, body.data.threshold_percent ?? null, body.data.total_consumptions]).sort()).toEqual(
      [
        ["consumption.limit_reached", null, 100],
        ["consumption.threshold_reached", 100, 100],
        ["consumption.threshold_reached", 50, 50],
        ["consumption.threshold_reached", 80, 80],
      ].sort(),
    );
    for (const body of bodies) {
      expect(body.data).toMatchObject({
        license_id: fixture.licenseId,
        license_feature_id: fixture.licenseFeatureId,
        feature_code: fixture.featureCode,
        max_consumption: 100,
      });
    }
    // One webhook-id per event, each delivered once, logged as such.
    expect(new Set(webhooks.map((webhook) => webhook.headers["webhook-id"])).size).toBe(4);
    const log = await deliveriesOf(endpoint.id);
    expect(log.map(({ status, attempts, last_response_code }) => ({ status, attempts, last_response_code }))).toEqual(
      Array.from({ length: 4 }, () => ({ status: "delivered", attempts: 1, last_response_code: 204 })),
    );
  });
});
