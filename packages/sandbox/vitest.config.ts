import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    // Each file starts real sandbox processes (Pyodide loads in ~2-5 s); allow for a loaded machine.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    coverage: {
      provider: "v8",
      include: ["src/**/*.ts"],
      // The child entries run in separate sandbox processes (and a worker thread), which v8 coverage of
      // the test process cannot see; the hostile and pool tests exercise them end to end.
      exclude: ["src/**/*.test.ts", "src/js-child.ts", "src/py-child.ts", "src/py-worker.ts"],
      thresholds: { lines: 85 },
    },
  },
});
