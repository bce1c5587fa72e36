import { definePackageTests } from "../../config/vitest.base.js";

export default definePackageTests({
  // Python checks start a Pyodide interpreter on first use (2–5 s cold, more on a loaded machine).
  testTimeout: 30_000,
});
