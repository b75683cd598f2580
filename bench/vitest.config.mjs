// The bench's own unit tests (`npm test` in bench/), in Node; the product's tests never run them.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    environment: "node",
  },
});
