/**
 * When a webhook delivery is tried again (docs/usage-and-webhooks.md "Delivery"): after the first
 * attempt fails, 5 seconds later, then 5 minutes, 30 minutes, 2 hours, 5 hours and three times 10
 * hours: nine attempts over 37.6 hours, so an endpoint that is down for a day still gets every
 * event. The webhook queue's max_retries in wrangler.toml is the number of delays; after the last
 * attempt fails the queue moves the message to its dead-letter queue, and the delivery is marked
 * failed (a resend starts the schedule again).
 */
export const RETRY_DELAYS_S = [5, 300, 1_800, 7_200, 18_000, 36_000, 36_000, 36_000] as const;

/** The delay before the attempt after attempt `attempt` (1 for the first) failed. */
export function retryDelaySeconds(attempt: number): number {
  return RETRY_DELAYS_S[Math.min(Math.max(attempt, 1), RETRY_DELAYS_S.length) - 1]!;
}
