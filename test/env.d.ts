declare namespace Cloudflare {
  interface Env {
    /** Set by vitest.config.ts: the D1 migrations, applied by test/apply-migrations.ts. */
    TEST_MIGRATIONS: import("cloudflare:test").D1Migration[];
    /** Set by vitest.config.ts: the audit dead-letter queue, to send to it directly. */
    AUDIT_DEAD_LETTER_QUEUE: Queue;
    /** Set by vitest.config.ts: an audit queue whose messages move to the dead-letter queue after 2 retries. */
    AUDIT_SHORT_RETRY_QUEUE: Queue;
    /** Set by vitest.config.ts: Cloudflare Access switched on for a test team (test/support/access-team.mjs). */
    ACCESS_TEAM_DOMAIN: string;
    ACCESS_AUDIENCE: string;
    ACCESS_ROLES: string;
    /** Set by vitest.config.ts: the test team's private keys, JSON { current, next } (JWKs with kid). */
    TEST_ACCESS_SIGNING_KEYS: string;
    /** Set by vitest.config.ts: a webhook queue whose messages move to the webhook dead-letter queue after 1 retry. */
    WEBHOOK_SHORT_RETRY_QUEUE: Queue;
  }
}
