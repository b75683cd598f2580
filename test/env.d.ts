declare namespace Cloudflare {
  interface Env {
    /** Set by vitest.config.ts: the D1 migrations, applied by test/apply-migrations.ts. */
    TEST_MIGRATIONS: import("cloudflare:test").D1Migration[];
  }
}
