/** /api/v1/webhooks: the vendor's webhook endpoints, their delivery log, and resending a delivery (docs/usage-and-webhooks.md). */
import { z } from "zod";
import { activityStatement } from "../../db/activity";
import {
  INSERTED_ENDPOINT_ID,
  insertWebhookEndpoint,
  listWebhookDeliveries,
  listWebhookEndpoints,
  reopenDelivery,
  updateWebhookEndpoint,
  webhookDelivery,
  webhookEndpoint,
} from "../../db/webhooks";
import { page, pagination, PageQuery } from "../../models/page";
import {
  CreatedWebhookEndpointResource,
  CreateWebhookEndpointBody,
  UpdateWebhookEndpointBody,
  WebhookDeliveryPath,
  WebhookDeliveryResource,
  WebhookDeliveryStatus,
  WebhookEndpointPath,
  WebhookEndpointResource,
} from "../../models/webhook-endpoint";
import { enqueueDeliveries } from "../../webhooks/webhook-consumer";
import { newWebhookSecret } from "../../webhooks/webhook-signature";
import { changedValues } from "../changed-values";
import { managementRoute } from "../management-route";
import { orNotFound } from "../or-not-found";
import { pageBody } from "../page-body";

/**
 * An endpoint's values as the activity log shows them: its URL cut to the origin, since a URL's path
 * may be a token (as Slack's are) and the log is readable by read-only callers; never its secret.
 */
function loggable<T extends { url?: unknown }>(values: T): T {
  return typeof values.url === "string" ? { ...values, url: `${new URL(values.url).origin}/…` } : values;
}

export const managementWebhookRoutes = [
  managementRoute({
    method: "post",
    path: "/api/v1/webhooks",
    operationId: "createWebhook",
    tag: "Webhooks",
    summary: "Register a webhook endpoint",
    description:
      "Registers where events are sent (https; http only for localhost) and which: `events` (event types), and for " +
      "consumption.threshold_reached the `thresholds` (percentages of max_consumption, default [80, 100]). The answer carries the " +
      "endpoint's signing `secret` (Standard Webhooks, whsec_…), shown only here.",
    body: CreateWebhookEndpointBody,
    response: CreatedWebhookEndpointResource,
    status: 201,
    async handler({ body, env, actor }) {
      const secret = newWebhookSecret();
      const created = await insertWebhookEndpoint(env.DB, body, secret, [
        activityStatement(env.DB, actor, {
          action: "webhook_endpoint.created",
          target: { type: "webhook_endpoint", id: { select: INSERTED_ENDPOINT_ID } },
          after: loggable(body),
        }),
      ]);
      return { ...created, secret };
    },
  }),
  managementRoute({
    method: "get",
    path: "/api/v1/webhooks",
    operationId: "listWebhooks",
    tag: "Webhooks",
    summary: "List webhook endpoints",
    query: PageQuery,
    response: page(WebhookEndpointResource),
    async handler({ query, env }) {
      return pageBody(await listWebhookEndpoints(env.DB, query.cursor ?? 0, query.limit));
    },
  }),
  managementRoute({
    method: "get",
    path: "/api/v1/webhooks/{webhook_id}",
    operationId: "getWebhook",
    tag: "Webhooks",
    summary: "Get a webhook endpoint",
    params: WebhookEndpointPath,
    response: WebhookEndpointResource,
    async handler({ params, env }) {
      return orNotFound(await webhookEndpoint(env.DB, params.webhook_id), "Webhook endpoint", params.webhook_id);
    },
  }),
  managementRoute({
    method: "patch",
    path: "/api/v1/webhooks/{webhook_id}",
    operationId: "updateWebhook",
    tag: "Webhooks",
    summary: "Change a webhook endpoint",
    description:
      "Changes its url, events, thresholds, description, or enables or disables it. A disabled endpoint gets no new deliveries, and its pending ones are not sent.",
    params: WebhookEndpointPath,
    body: UpdateWebhookEndpointBody,
    response: WebhookEndpointResource,
    async handler({ params, body, env, actor }) {
      const stored = orNotFound(await webhookEndpoint(env.DB, params.webhook_id), "Webhook endpoint", params.webhook_id);
      const { before, after } = changedValues(stored, body);
      const activity = activityStatement(env.DB, actor, {
        action: "webhook_endpoint.updated",
        target: { type: "webhook_endpoint", id: stored.id },
        before: loggable(before),
        after: loggable(after),
        onlyIfChanged: true,
      });
      return orNotFound(await updateWebhookEndpoint(env.DB, stored.id, body, [activity]), "Webhook endpoint", stored.id);
    },
  }),
  managementRoute({
    method: "get",
    path: "/api/v1/webhooks/{webhook_id}/deliveries",
    operationId: "listWebhookDeliveries",
    tag: "Webhooks",
    summary: "The endpoint's delivery log, newest first",
    description: "Each event sent to the endpoint: its status (pending, delivered, failed), attempts, the last response code and error.",
    params: WebhookEndpointPath,
    query: z.object({ status: WebhookDeliveryStatus.optional(), ...pagination }).strict(),
    response: page(WebhookDeliveryResource),
    async handler({ params, query, env }) {
      orNotFound(await webhookEndpoint(env.DB, params.webhook_id), "Webhook endpoint", params.webhook_id);
      return pageBody(await listWebhookDeliveries(env.DB, params.webhook_id, query, query.cursor ?? 0, query.limit));
    },
  }),
  managementRoute({
    method: "post",
    path: "/api/v1/webhooks/{webhook_id}/deliveries/{delivery_id}/resend",
    operationId: "resendWebhookDelivery",
    tag: "Webhooks",
    summary: "Send a delivery again",
    description:
      "Makes the delivery pending and sends it now, with the same webhook-id and a fresh signature, and the full retry schedule " +
      "again if it fails. Works whatever its status (a delivered event can be sent again).",
    params: WebhookDeliveryPath,
    response: WebhookDeliveryResource,
    async handler({ params, env, actor }) {
      const found = await webhookDelivery(env.DB, params.delivery_id);
      const delivery = orNotFound(found && found.endpoint_id === params.webhook_id ? found : null, "Webhook delivery", params.delivery_id);
      const activity = activityStatement(env.DB, actor, {
        action: "webhook_delivery.resent",
        target: { type: "webhook_delivery", id: delivery.id },
        before: { status: delivery.status, attempts: delivery.attempts },
        after: { status: "pending", endpoint_id: delivery.endpoint_id, event_id: delivery.event_id },
        onlyIfChanged: true,
      });
      const reopened = orNotFound(
        await reopenDelivery(env.DB, delivery.id, new Date().toISOString(), [activity]),
        "Webhook delivery",
        delivery.id,
      );
      await enqueueDeliveries(env.WEBHOOK_QUEUE, [delivery.id]);
      return reopened;
    },
  }),
];
