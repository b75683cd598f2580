// The webhook endpoints of the management API (docs/usage-and-webhooks.md): registering (the secret
// shown once), the documented validation errors, listing and changing, the delivery log, and a
// resend that reaches the real HTTP receiver again with the same webhook-id.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { webhookEventStatements } from "../../src/db/webhooks";
import { eventually } from "../support/audit";
import { manage, manageOk, managementError, uniqueCode } from "../support/management-client";
import { received, receiverUrl, verified } from "../support/webhooks";

describe("webhook endpoints", () => {
  it("are registered with a secret shown once, listed, read and changed", async () => {
    const created = await manageOk("POST", "/api/v1/webhooks", {
      url: "https://hooks.example.com/licensing",
      events: ["license.expired", "consumption.threshold_reached", "license.expired"],
      thresholds: [100, 50],
      description: "billing",
    });
    expect(created).toMatchObject({
      url: "https://hooks.example.com/licensing",
      events: ["consumption.threshold_reached", "license.expired"],
      thresholds: [50, 100],
      description: "billing",
      enabled: true,
    });
    expect(created.secret).toMatch(/^whsec_/);
    const read = await manageOk("GET", `/api/v1/webhooks/${created.id}`);
    expect(read).toEqual({ ...created, secret: undefined });
    expect("secret" in read).toBe(false);

    const changed = await manageOk("PATCH", `/api/v1/webhooks/${created.id}`, { enabled: false, thresholds: [95] });
    expect(changed).toMatchObject({ enabled: false, thresholds: [95], events: created.events });
    const listed = await manageOk<{ data: Array<{ id: number }> }>("GET", "/api/v1/webhooks?limit=200");
    expect(listed.data.map((endpoint) => endpoint.id)).toContain(created.id);
  });

  it.each([
    [{ url: "http://hooks.example.com/x", events: ["license.expired"] }, /https/],
    [{ url: "not a url", events: ["license.expired"] }, /https/],
    [{ url: "https://hooks.example.com", events: [] }, /at least one/],
    [{ url: "https://hooks.example.com", events: ["license.exploded"] }, /events/],
    [{ url: "https://hooks.example.com", events: ["license.expired"], thresholds: [85] }, /50, 75, 80, 90, 95, 100/],
    [{ url: "https://hooks.example.com", events: ["license.expired"], secret: "mine" }, /secret/],
  ])("refuses %j with validation_error", async (body, message) => {
    const error = await managementError(await manage("POST", "/api/v1/webhooks", body));
    expect(error.code).toBe("validation_error");
    expect(error.message).toMatch(message);
  });

  it("an unknown endpoint is not_found; an empty change is a validation_error", async () => {
    expect((await managementError(await manage("GET", "/api/v1/webhooks/999999"))).code).toBe("not_found");
    expect((await managementError(await manage("GET", "/api/v1/webhooks/999999/deliveries"))).code).toBe("not_found");
    expect((await managementError(await manage("POST", "/api/v1/webhooks/999999/deliveries/1/resend"))).code).toBe("not_found");
    const created = await manageOk("POST", "/api/v1/webhooks", { url: "https://hooks.example.com", events: ["license.expired"] });
    expect((await managementError(await manage("PATCH", `/api/v1/webhooks/${created.id}`, {}))).code).toBe("validation_error");
  });

  it(
    "the delivery log shows each attempt's outcome, and a resend delivers again with the same webhook-id",
    { timeout: 30_000 },
    async () => {
      const name = uniqueCode("resend");
      const endpoint = await manageOk("POST", "/api/v1/webhooks", { url: receiverUrl(`ok/${name}`), events: ["license.disabled"] });
      const now = new Date().toISOString();
      const eventId = crypto.randomUUID();
      const [, created] = await env.DB.batch<{ id: number }>(
        webhookEventStatements(env.DB, [{ event_id: eventId, type: "license.disabled", occurred_at: now, data: { license_id: 3 } }], now),
      );
      const deliveryId = created!.results.find(() => true)!.id;
      await env.WEBHOOK_QUEUE.send({ delivery_id: deliveryId }, { contentType: "json" });
      const log = () => manageOk<{ data: Array<Record<string, unknown>> }>("GET", `/api/v1/webhooks/${endpoint.id}/deliveries`);
      await eventually(async () => (await log()).data[0]?.status === "delivered", "delivered");
      expect((await log()).data).toEqual([
        expect.objectContaining({
          id: deliveryId,
          event_id: eventId,
          event_type: "license.disabled",
          status: "delivered",
          attempts: 1,
          last_response_code: 204,
        }),
      ]);

      const resent = await manageOk("POST", `/api/v1/webhooks/${endpoint.id}/deliveries/${deliveryId}/resend`);
      expect(resent).toMatchObject({ id: deliveryId, status: "pending" });
      const [entry] = (await manageOk("GET", `/api/v1/activity?target_type=webhook_delivery&target_id=${deliveryId}`)).data;
      expect(entry).toMatchObject({
        actor: "MANAGEMENT_KEY",
        action: "webhook_delivery.resent",
        before: { status: "delivered", attempts: 1 },
        after: { status: "pending", endpoint_id: endpoint.id, event_id: eventId },
      });
      await eventually(async () => (await log()).data[0]?.attempts === 2, "the resend delivered");
      const webhooks = await received(name);
      expect(webhooks).toHaveLength(2);
      expect(webhooks.map((webhook) => webhook.headers["webhook-id"])).toEqual([eventId, eventId]);
      for (const webhook of webhooks)
        expect(verified(endpoint.secret, webhook)).toMatchObject({ type: "license.disabled", data: { license_id: 3 } });
      expect((await manageOk("GET", `/api/v1/webhooks/${endpoint.id}/deliveries?status=failed`)).data).toEqual([]);
    },
  );
});
