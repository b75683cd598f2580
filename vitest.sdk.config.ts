// The official client (@licensespring/node-sdk: axios, node:crypto) is a Node library, so its
// tests run in Node against the service started locally in workerd by wrangler's dev server.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/sdk/**/*.test.ts", "test/browser/**/*.test.ts", "test/node/**/*.test.ts"],
    environment: "node",
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // One local service per file; files run one after another to keep the 2-core machines calm.
    fileParallelism: false,
  },
});
