import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["*.test.ts"],
    // `pnpm registry` with the release flow: builds, lints, publishes every package (a few minutes).
    globalSetup: ["./global-setup.ts"],
    // One long scenario: installs from a real registry take tens of seconds each.
    testTimeout: 240_000,
    hookTimeout: 60_000,
    fileParallelism: false,
    // Read by scripts/test-summary.mjs next to the packages' reports.
    reporters: ["default", "json"],
    outputFile: { json: "coverage/test-report.json" },
  },
});
