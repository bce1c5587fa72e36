import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    // Scaffold tests build and test a generated package with real tsup and vitest processes.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    coverage: {
      provider: "v8",
      include: ["src/**/*.ts"],
      // bin.ts is the process entry point; it runs in the spawned CLI processes of test/bin.test.ts.
      exclude: ["src/**/*.test.ts", "src/bin.ts"],
      thresholds: { lines: 85 },
    },
  },
});
