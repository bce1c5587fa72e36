import { definePackageTests } from "../../config/vitest.base.js";

export default definePackageTests({
  // Each file starts real sandbox processes (Pyodide loads in ~2-5 s); allow for a loaded machine.
  testTimeout: 30_000,
  hookTimeout: 60_000,
  // The child entries run in separate sandbox processes (and a worker thread), which v8 coverage of
  // the test process cannot see; the hostile and pool tests exercise them end to end.
  coverageExclude: ["src/js-child.ts", "src/py-child.ts", "src/py-worker.ts"],
});
