// Webhook deliveries (docs/usage-and-webhooks.md "Delivery"): a failed attempt is retried with the
// same webhook-id and a fresh signature; after the last retry the message moves to the dead-letter
// queue and the delivery is logged failed. Real local queues, a real HTTP receiver.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { webhookEventStatements } from "../../src/db/webhooks";
import { eventually } from "../support/audit";
import { uniqueCode } from "../support/management-client";
import { deliveriesOf, received, receiverUrl, registerEndpoint, verified } from "../support/webhooks";

/** Records one license.disabled event for every endpoint that subscribes; answers the delivery to `endpointId`. */
async function recordEvent(licenseId: number, endpointId: number): Promise<number> {
  const now = new Date().toISOString();
  const eventId = crypto.randomUUID();
  await env.DB.batch(
    webhookEventStatements(
      env.DB,
      [{ event_id: eventId, type: "license.disabled", occurred_at: now, data: { license_id: licenseId } }],
      now,
    ),
  );
  return (await deliveriesOf(endpointId)).find((delivery) => delivery.event_id === eventId)!.id;
}

describe("webhook delivery", () => {
  it("a failed attempt is retried with the same webhook-id and logged; the second attempt delivers", { timeout: 30_000 }, async () => {
    const name = uniqueCode("flaky");
    const endpoint = await registerEndpoint({ url: receiverUrl(`fail-first/1/${name}`), events: ["license.disabled"] });
    const deliveryId = await recordEvent(7, endpoint.id);
    await env.WEBHOOK_QUEUE.send({ delivery_id: deliveryId }, { contentType: "json" });

    await eventually(async () => (await deliveriesOf(endpoint.id))[0]?.status === "delivered", "delivered on the retry", 20_000);
    const webhooks = await received(name);
    expect(webhooks.map((webhook) => webhook.status)).toEqual([500, 204]);
    expect(webhooks[0]!.headers["webhook-id"]).toBe(webhooks[1]!.headers["webhook-id"]);
    for (const webhook of webhooks) expect(verified(endpoint.secret, webhook).data).toEqual({ license_id: 7 });
    expect(await deliveriesOf(endpoint.id)).toMatchObject([{ status: "delivered", attempts: 2, last_response_code: 204 }]);
  });

  it("after its retries a delivery reaches the dead-letter queue and is logged failed", { timeout: 60_000 }, async () => {
    const name = uniqueCode("down");
    const endpoint = await registerEndpoint({ url: receiverUrl(`status/503/${name}`), events: ["license.disabled"] });
    const deliveryId = await recordEvent(8, endpoint.id);
    // The test queue moves a message to the dead-letter queue after 1 retry (vitest.config.ts).
    await env.WEBHOOK_SHORT_RETRY_QUEUE.send({ delivery_id: deliveryId }, { contentType: "json" });

    await eventually(async () => (await deliveriesOf(endpoint.id))[0]?.status === "failed", "failed after its retries", 50_000);
    expect((await received(name)).map((webhook) => webhook.status)).toEqual([503, 503]);
    expect(await deliveriesOf(endpoint.id)).toMatchObject([{ status: "failed", attempts: 2, last_response_code: 503 }]);
  });

  it("an endpoint that does not subscribe to an event, or is disabled, gets no delivery", async () => {
    const other = await registerEndpoint({ url: receiverUrl(`ok/${uniqueCode("other")}`), events: ["device.activated"] });
    const disabled = await registerEndpoint({ url: receiverUrl(`ok/${uniqueCode("off")}`), events: ["license.disabled"] });
    await env.DB.prepare("UPDATE webhook_endpoints SET enabled = 0 WHERE id = ?").bind(disabled.id).run();
    const subscribed = await registerEndpoint({ url: receiverUrl(`ok/${uniqueCode("on")}`), events: ["license.disabled"] });
    await recordEvent(9, subscribed.id);
    expect(await deliveriesOf(other.id)).toEqual([]);
    expect(await deliveriesOf(disabled.id)).toEqual([]);
  });
});
