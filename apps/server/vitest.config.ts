import { definePackageTests, postgresGlobalSetup } from "../../config/vitest.base.js";

export default definePackageTests({
  testTimeout: 30_000,
  hookTimeout: 30_000,
  // The multi-node, cluster-cache and tracing tests run on PostgreSQL.
  globalSetup: [postgresGlobalSetup],
  // main.ts is the process entry point; it runs in the spawned server processes of restart.test.ts.
  coverageExclude: ["src/main.ts"],
});
