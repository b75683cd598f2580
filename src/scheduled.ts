/**
 * The Worker's usage and webhook Cron Trigger (wrangler.toml [triggers], USAGE_CRON): every run announces the licenses that
 * expired since the last (license.expired webhooks), sends again the webhook deliveries whose
 * queue message was lost (committed, but the send to the queue failed), and, once a day, deletes
 * the hourly usage rollups past their window. Each job runs on its own: one failing does not stop
 * the others.
 */
import { takeOverdueDeliveries } from "./db/webhooks";
import { pruneHourlyRollups } from "./usage/rollup-retention";
import { scanExpiredLicenses } from "./webhooks/license-events";
import { enqueueDeliveries } from "./webhooks/webhook-consumer";

/** The Cron Trigger of these jobs, as wrangler.toml names it (the other one runs the audit archive). */
export const USAGE_CRON = "*/5 * * * *";

/** A pending delivery whose next attempt is this late has lost its queue message (the queue is on time within seconds). */
const OVERDUE_MS = 15 * 60 * 1000;
const OVERDUE_PER_RUN = 500;

export async function runScheduled(env: Env, nowMs: number): Promise<void> {
  const jobs = await Promise.allSettled([
    scanExpiredLicenses(env.DB, nowMs).then((ids) => enqueueDeliveries(env.WEBHOOK_QUEUE, ids)),
    takeOverdueDeliveries(env.DB, nowMs, OVERDUE_MS, OVERDUE_PER_RUN).then((ids) => enqueueDeliveries(env.WEBHOOK_QUEUE, ids)),
    pruneHourlyRollups(env.DB, nowMs),
  ]);
  for (const job of jobs) if (job.status === "rejected") console.error(`scheduled job failed: ${String(job.reason)}`);
}
