// Webhook endpoints and what the test receiver (webhook-receiver.ts) got, as the tests read them.
import { env } from "cloudflare:workers";
import { inject } from "vitest";
import { Webhook } from "standardwebhooks";
import { manageOk } from "./management-client";
import type { ReceivedWebhook } from "./webhook-receiver";

/** A path on the test receiver: what it answers is said by the path (webhook-receiver.ts). */
export const receiverUrl = (path: string) => `${inject("webhookReceiver")}/${path}`;

/** What the receiver got on paths ending in `name`, in order. */
export async function received(name: string): Promise<ReceivedWebhook[]> {
  return (await (await fetch(receiverUrl(`log/${name}`))).json()) as ReceivedWebhook[];
}

/** A webhook body as the receiver parsed it, after checking its Standard Webhooks signature with the specification's library. */
export function verified(secret: string, webhook: ReceivedWebhook): { type: string; timestamp: string; data: Record<string, unknown> } {
  return new Webhook(secret).verify(webhook.body, webhook.headers) as { type: string; timestamp: string; data: Record<string, unknown> };
}

export interface DeliveryRow {
  id: number;
  event_id: string;
  endpoint_id: number;
  status: string;
  attempts: number;
  last_response_code: number | null;
  type: string;
}

export async function deliveriesOf(endpointId: number): Promise<DeliveryRow[]> {
  const { results } = await env.DB.prepare(
    `SELECT d.id, d.event_id, d.endpoint_id, d.status, d.attempts, d.last_response_code, e.type
     FROM webhook_deliveries AS d JOIN webhook_events AS e ON e.event_id = d.event_id WHERE d.endpoint_id = ? ORDER BY d.id`,
  )
    .bind(endpointId)
    .all<DeliveryRow>();
  return results;
}

/** Registers a webhook endpoint through the management API; answers its id and signing secret. */
export async function registerEndpoint(options: {
  url: string;
  events: string[];
  thresholds?: number[];
}): Promise<{ id: number; secret: string }> {
  const created = await manageOk<{ id: number; secret: string }>("POST", "/api/v1/webhooks", options);
  return { id: created.id, secret: created.secret };
}
