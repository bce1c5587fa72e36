import { definePackageTests } from "../../config/vitest.base.js";

export default definePackageTests({
  testTimeout: 30_000,
  hookTimeout: 30_000,
  // Generated types: nothing executes.
  coverageExclude: ["src/generated/**"],
});
