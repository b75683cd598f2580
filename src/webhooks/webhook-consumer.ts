/**
 * The webhook queue's consumer, and its dead-letter queue's (docs/usage-and-webhooks.md
 * "Delivery"). A message names one delivery (one event to one endpoint). The consumer signs the
 * event's stored body as Standard Webhooks says and POSTs it to the endpoint; a 2xx answer delivers
 * it, anything else (another status, no answer within DELIVERY_TIMEOUT_MS) is retried on the
 * schedule of retry-schedule.ts, each attempt recorded in the delivery log (status, attempts, last
 * response code). After the last retry the queue moves the message to the dead-letter queue, whose
 * consumer marks the delivery failed. A resend (management API) sends a new message.
 *
 * The webhook-id is the event's id, the same on every attempt and every resend, so a receiver that
 * got an event twice (an attempt whose answer was lost) can tell.
 */
import { z } from "zod";
import { deliveryToSend, markFailed, recordAttempt } from "../db/webhooks";
import { retryDelaySeconds } from "./retry-schedule";
import { signatureHeaders } from "./webhook-signature";

/** The webhook queue and its dead-letter queue, as wrangler.toml names them (test/node/audit-queues.test.ts checks). */
export const WEBHOOK_QUEUE = "edge-license-webhooks";
export const WEBHOOK_DEAD_LETTER_QUEUE = "edge-license-webhooks-dlq";

/** Whether a queue's messages are webhook deliveries (its name starts with the webhook queue's). */
export const isWebhookQueue = (queue: string) => queue.startsWith(WEBHOOK_QUEUE);

/** How long an endpoint has to answer. */
export const DELIVERY_TIMEOUT_MS = 15_000;
/** How much of an endpoint's error answer the log keeps. */
const ERROR_TEXT_CHARS = 200;

export const DeliveryMessage = z.object({ delivery_id: z.number().int().positive() });
export type DeliveryMessage = z.infer<typeof DeliveryMessage>;

/** Sends new deliveries to the webhook queue (up to 100 a sendBatch). */
export async function enqueueDeliveries(queue: Queue, deliveryIds: readonly number[]): Promise<void> {
  for (let i = 0; i < deliveryIds.length; i += 100) {
    await queue.sendBatch(
      deliveryIds.slice(i, i + 100).map((id) => ({ body: { delivery_id: id } satisfies DeliveryMessage, contentType: "json" })),
    );
  }
}

/**
 * Sends new deliveries to the webhook queue after the transaction that created them committed. If
 * the queue refuses, they stay pending in D1 and the scheduled sweep sends them (src/scheduled.ts):
 * this only logs.
 */
export async function sendDeliveries(env: Env, deliveryIds: readonly number[]): Promise<void> {
  if (deliveryIds.length === 0) return;
  await enqueueDeliveries(env.WEBHOOK_QUEUE, deliveryIds).catch((error: unknown) =>
    console.warn(`sending ${deliveryIds.length} webhook deliveries to their queue failed; the sweep will: ${String(error)}`),
  );
}

export async function consumeWebhookBatch(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  if (batch.queue === WEBHOOK_DEAD_LETTER_QUEUE) {
    await deadLettered(batch, env);
    return;
  }
  await Promise.all(batch.messages.map((message) => deliver(message, env)));
}

async function deliver(message: Message<unknown>, env: Env): Promise<void> {
  const parsed = DeliveryMessage.safeParse(message.body);
  if (!parsed.success) {
    console.error(`webhook message ${message.id} is not a delivery: dropped`);
    message.ack();
    return;
  }
  const deliveryId = parsed.data.delivery_id;
  let delivery;
  try {
    delivery = await deliveryToSend(env.DB, deliveryId);
  } catch (error) {
    console.warn(`reading webhook delivery ${deliveryId} failed; retrying: ${String(error)}`);
    message.retry({ delaySeconds: retryDelaySeconds(message.attempts) });
    return;
  }
  // Gone, done already (a message sent twice), or its endpoint was disabled: nothing to send.
  if (!delivery || delivery.status !== "pending" || delivery.endpoint_enabled !== 1) {
    message.ack();
    return;
  }
  const at = new Date();
  let responseCode: number | null = null;
  let error: string | null = null;
  try {
    const response = await fetch(delivery.url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "user-agent": "edge-license-api-webhooks",
        ...signatureHeaders(delivery.secret, delivery.event_id, at, delivery.payload),
      },
      body: delivery.payload,
      redirect: "manual",
      signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
    });
    responseCode = response.status;
    if (!response.ok) error = (await response.text().catch(() => "")).slice(0, ERROR_TEXT_CHARS) || null;
    else await response.body?.cancel();
  } catch (failure) {
    error = String(failure).slice(0, ERROR_TEXT_CHARS);
  }
  const delivered = responseCode !== null && responseCode >= 200 && responseCode < 300;
  const delay = retryDelaySeconds(message.attempts);
  try {
    await recordAttempt(env.DB, {
      deliveryId,
      at: at.toISOString(),
      responseCode,
      error,
      delivered,
      nextAttemptAt: delivered ? null : new Date(at.getTime() + delay * 1000).toISOString(),
    });
  } catch (failure) {
    // The attempt happened all the same. A delivered event left pending in the log may be sent once
    // more by the sweep (webhook-sweep.ts), with the same webhook-id.
    console.warn(`recording webhook delivery ${deliveryId}'s attempt failed: ${String(failure)}`);
  }
  if (delivered) message.ack();
  else message.retry({ delaySeconds: delay });
}

/** Messages whose retries ran out: their deliveries are failed (a resend makes them pending again). */
async function deadLettered(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const ids = batch.messages.flatMap((message) => {
    const parsed = DeliveryMessage.safeParse(message.body);
    return parsed.success ? [parsed.data.delivery_id] : [];
  });
  try {
    await markFailed(env.DB, ids);
  } catch (error) {
    console.warn(`marking ${ids.length} webhook deliveries failed did not work; retrying: ${String(error)}`);
    for (const message of batch.messages) message.retry({ delaySeconds: 60 });
    return;
  }
  for (const message of batch.messages) message.ack();
}
