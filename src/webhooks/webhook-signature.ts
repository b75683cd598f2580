/**
 * Webhook signatures as the Standard Webhooks specification defines them (standardwebhooks.com):
 * HMAC-SHA256 under the endpoint's secret over `<webhook-id>.<webhook-timestamp>.<body>`, sent as
 * `webhook-signature: v1,<base64>` beside `webhook-id` and `webhook-timestamp` (seconds since 1970).
 * The signing is the specification's own TypeScript library (`standardwebhooks`, pure JavaScript,
 * so it runs in Workers); a receiver verifies with the same library in any language it ships in.
 * Pure: no I/O, and the secret never leaves this module's callers.
 */
import { Webhook } from "standardwebhooks";
import { encodeBase64 } from "../base64";

/** The prefix Standard Webhooks secrets carry. */
export const SECRET_PREFIX = "whsec_";

/** A new endpoint secret: 32 random bytes, base64, with the whsec_ prefix. */
export function newWebhookSecret(): string {
  return `${SECRET_PREFIX}${encodeBase64(crypto.getRandomValues(new Uint8Array(32)))}`;
}

/** The headers that sign `body` as message `id` at `timestamp` under `secret`. */
export function signatureHeaders(secret: string, id: string, timestamp: Date, body: string): Record<string, string> {
  return {
    "webhook-id": id,
    "webhook-timestamp": String(Math.floor(timestamp.getTime() / 1000)),
    "webhook-signature": new Webhook(secret).sign(id, timestamp, body),
  };
}
