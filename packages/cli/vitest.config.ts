import { definePackageTests } from "../../config/vitest.base.js";

export default definePackageTests({
  // Scaffold tests build and test a generated package with real tsup and vitest processes.
  testTimeout: 120_000,
  hookTimeout: 120_000,
  // bin.ts is the process entry point; it runs in the spawned CLI processes of test/bin.test.ts.
  coverageExclude: ["src/bin.ts"],
});
