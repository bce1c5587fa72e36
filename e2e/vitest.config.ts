import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["*.test.ts"],
    // `pnpm registry` with the release flow: builds, lints, publishes every package (a few minutes).
    globalSetup: ["./global-setup.ts"],
    // One long scenario: installs from a real registry take tens of seconds each.
    testTimeout: 240_000,
    hookTimeout: 120_000,
    // The two files share only the registry (own temp dirs, package names and ports) and spend most
    // of their time waiting on npm installs and child servers: run side by side, not one after the
    // other (vitest would give them one worker on a 2-core machine).
    maxWorkers: 2,
    // Read by scripts/test-summary.mjs next to the packages' reports.
    reporters: ["default", "json"],
    outputFile: { json: "coverage/test-report.json" },
  },
});
