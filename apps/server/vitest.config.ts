import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    coverage: {
      provider: "v8",
      include: ["src/**/*.ts"],
      // main.ts is the process entry point; it runs in the spawned server processes of restart.test.ts.
      exclude: ["src/**/*.test.ts", "src/main.ts"],
      thresholds: { lines: 85 },
    },
  },
});
