/**
 * A webhook endpoint: where the vendor's events go, which events, and for threshold events which
 * percentages (docs/usage-and-webhooks.md). Its signing secret is shown once, when it is created.
 */
import { z } from "zod";
import { THRESHOLD_PERCENTS } from "../counter/thresholds";
import { typeMessage } from "../license-api/schemas";
import { changes, decimal, resourceId } from "./fields";
import { WEBHOOK_EVENT_TYPES } from "../webhooks/event-types";

export const WebhookEndpointPath = z.object({ webhook_id: decimal("webhook_id") });
export const WebhookDeliveryPath = z.object({ webhook_id: decimal("webhook_id"), delivery_id: decimal("delivery_id") });

/** Local hosts may be reached over plain http (local development); everything else must be https. */
const LOCAL_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

const url = z
  .string(typeMessage("url", "a URL"))
  .max(2048, "url must be at most 2048 characters")
  .refine((text) => {
    try {
      const parsed = new URL(text);
      return parsed.protocol === "https:" || (parsed.protocol === "http:" && LOCAL_HOSTS.has(parsed.hostname));
    } catch {
      return false;
    }
  }, "url must be an https URL (http only for localhost)");

const events = z
  .array(z.enum(WEBHOOK_EVENT_TYPES), typeMessage("events", "an array of event types"))
  .min(1, "events must name at least one event type")
  .transform((list) => [...new Set(list)].sort());

const thresholds = z
  .array(
    z.union(
      THRESHOLD_PERCENTS.map((percent) => z.literal(percent)),
      { error: `each threshold must be one of ${THRESHOLD_PERCENTS.join(", ")}` },
    ),
    typeMessage("thresholds", "an array of percentages"),
  )
  .min(1, "thresholds must name at least one percentage")
  .transform((list) => [...new Set(list)].sort((a, b) => a - b));

const description = z.string(typeMessage("description", "a string")).max(500, "description must be at most 500 characters");
const enabled = z.boolean(typeMessage("enabled", "true or false"));

export const CreateWebhookEndpointBody = z
  .object({
    url,
    events,
    /** Which percentages of max_consumption consumption.threshold_reached is sent for. */
    thresholds: thresholds.default([80, 100]),
    description: description.default(""),
    enabled: enabled.default(true),
  })
  .strict();
export type CreateWebhookEndpointBody = z.infer<typeof CreateWebhookEndpointBody>;

export const UpdateWebhookEndpointBody = changes({ url, events, thresholds, description, enabled });
export type UpdateWebhookEndpointBody = z.infer<typeof UpdateWebhookEndpointBody>;

export const WebhookEndpointResource = z
  .object({
    id: resourceId(),
    url: z.string(),
    description: z.string(),
    events: z.array(z.enum(WEBHOOK_EVENT_TYPES)),
    thresholds: z.array(z.number()),
    enabled: z.boolean(),
    created_at: z.string(),
  })
  .meta({ id: "WebhookEndpoint" });
export type WebhookEndpointResource = z.infer<typeof WebhookEndpointResource>;

/** Only the creating response carries the signing secret; it is never shown again. */
export const CreatedWebhookEndpointResource = WebhookEndpointResource.extend({ secret: z.string() }).meta({ id: "CreatedWebhookEndpoint" });

export const WebhookDeliveryStatus = z.enum(["pending", "delivered", "failed"]);

/** One event to one endpoint, as the delivery log shows it. */
export const WebhookDeliveryResource = z
  .object({
    id: resourceId(),
    endpoint_id: resourceId(),
    /** The event's id: the webhook-id header of every attempt. */
    event_id: z.string(),
    event_type: z.enum(WEBHOOK_EVENT_TYPES),
    occurred_at: z.string(),
    status: WebhookDeliveryStatus,
    attempts: z.number(),
    last_response_code: z.number().nullable(),
    last_error: z.string().nullable(),
    last_attempt_at: z.string().nullable(),
    next_attempt_at: z.string().nullable(),
    delivered_at: z.string().nullable(),
    created_at: z.string(),
  })
  .meta({ id: "WebhookDelivery" });
export type WebhookDeliveryResource = z.infer<typeof WebhookDeliveryResource>;
