/**
 * The Worker: a request comes in, is authenticated, validated, sent to one counter's Durable
 * Object, and comes back signed. The License API (src/license-api/), the vendor's management API
 * (src/management/), the OpenAPI document of both, the audit queue's consumer (src/audit/) and the
 * cron that archives old audit rows to R2 (src/archive/); the counter object is exported from here.
 */
import { Router, type IRequest } from "itty-router";
import { archiveAuditLog } from "./archive/archive-audit-log";
import { consumeAuditBatch } from "./audit/audit-consumer";
import { ApiError, errorResponse } from "./errors";
import { serviceRoot } from "./http/service-root";
import { licenseRouter } from "./license-api/license-router";
import { managementRouter } from "./management/management-router";
import { openApiRoute } from "./openapi/openapi-route";
import { runScheduled, USAGE_CRON } from "./scheduled";
import { consumeWebhookBatch, isWebhookQueue } from "./webhooks/webhook-consumer";

export { ConsumptionCounter } from "./counter/consumption-counter";

const router = Router<IRequest, [Env, ExecutionContext]>({ catch: errorResponse });
router.all("/api/v4/*", (request, env, ctx) => licenseRouter.fetch(request, env, ctx));
router.all("/api/v1/*", (request, env, ctx) => managementRouter.fetch(request, env, ctx));
router.get("/api/openapi.json", openApiRoute);
router.get("/", serviceRoot);
router.head("/", serviceRoot);
router.all("*", () => {
  throw new ApiError("not_found");
});

export default {
  fetch: (request, env, ctx) => router.fetch(request, env, ctx),
  // The audit queue and its dead-letter queue: counter objects' audit rows, written to D1 in batches;
  // whatever the dead-letter queue cannot write is recorded in audit_dead_letters. The webhook queue
  // and its dead-letter queue: one delivery a message (src/webhooks/).
  queue: (batch, env) => (isWebhookQueue(batch.queue) ? consumeWebhookBatch(batch, env) : consumeAuditBatch(batch, env)),
  // The Cron Triggers ([triggers] in wrangler.toml): every 5 minutes the usage and webhook jobs
  // (src/scheduled.ts); every 10 minutes the audit archive: audit rows past the retention window
  // (counted from the time the run was scheduled for) move to R2.
  async scheduled(controller, env) {
    if (controller.cron === USAGE_CRON) {
      await runScheduled(env, controller.scheduledTime);
      return;
    }
    const run = await archiveAuditLog(env, { now: controller.scheduledTime });
    if (run.parts > 0 || run.status === "busy") console.log(`audit archive: ${JSON.stringify(run)}`);
  },
} satisfies ExportedHandler<Env>;
