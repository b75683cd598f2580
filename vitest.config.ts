// Tests inside the real Workers runtime (workerd via miniflare): real Durable Objects, real D1.
// The response-signing key is generated per run; nothing secret is committed.
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { accessBindings, accessOutbound } from "./test/support/access-team.mjs";

const { privateKey } = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  privateKeyEncoding: { type: "pkcs8", format: "pem" },
  publicKeyEncoding: { type: "spki", format: "pem" },
});

// The management key (Authorization: Api-Key <key> on /api/v1), also generated per run.
const managementKey = randomBytes(32).toString("base64url");

export default defineConfig(async () => {
  const migrations = await readD1Migrations("./migrations");
  return {
    plugins: [
      cloudflareTest({
        wrangler: { configPath: "./wrangler.toml" },
        miniflare: {
          bindings: { LICENSE_SIGNING_KEY: privateKey, TEST_MIGRATIONS: migrations, MANAGEMENT_KEY: managementKey, ...accessBindings },
          // A Cloudflare Access team served to the Worker's fetch (test/support/access-team.mjs); the rest goes to the network.
          outboundService: accessOutbound,
          // Test-only queues beside wrangler.toml's (docs/testing.md "Audit dead letters in tests"): a
          // producer for the audit dead-letter queue, and an audit queue that moves a message to that
          // dead-letter queue after 2 retries instead of 100, consumed by the same handler.
          queueProducers: {
            AUDIT_DEAD_LETTER_QUEUE: { queueName: "edge-license-audit-dlq" },
            AUDIT_SHORT_RETRY_QUEUE: { queueName: "edge-license-audit-short-retries" },
            WEBHOOK_SHORT_RETRY_QUEUE: { queueName: "edge-license-webhooks-short-retries" },
          },
          queueConsumers: {
            "edge-license-audit-short-retries": {
              maxBatchSize: 100,
              maxBatchTimeout: 1,
              maxRetries: 2,
              deadLetterQueue: "edge-license-audit-dlq",
            },
            // Webhook deliveries that move to the webhook dead-letter queue after 1 retry instead of 8.
            "edge-license-webhooks-short-retries": {
              maxBatchSize: 10,
              maxBatchTimeout: 1,
              maxRetries: 1,
              deadLetterQueue: "edge-license-webhooks-dlq",
            },
          },
        },
      }),
    ],
    test: {
      include: ["test/**/*.test.ts"],
      exclude: ["test/sdk/**", "test/browser/**", "test/node/**", "test/openapi-client/**"],
      setupFiles: ["./test/apply-migrations.ts"],
      // A real HTTP receiver for the webhook deliveries (test/support/webhook-receiver.ts).
      globalSetup: ["./test/support/webhook-receiver.ts"],
      testTimeout: 30_000,
    },
  };
});
