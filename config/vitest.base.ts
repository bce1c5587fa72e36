import { fileURLToPath } from "node:url";
import { defineConfig, type ViteUserConfig } from "vitest/config";

type TestOptions = NonNullable<ViteUserConfig["test"]>;

/**
 * The test setup every package shares: tests beside the code and in `test/`, v8 line coverage of
 * `src/` held at 85 %. `exclude` lists source files that only run in other processes.
 */
export function definePackageTests(
  options: Omit<TestOptions, "coverage"> & { coverageExclude?: string[] } = {},
) {
  const { coverageExclude = [], ...test } = options;
  return defineConfig({
    test: {
      include: ["src/**/*.test.ts", "test/**/*.test.ts"],
      // What a test polls for often crosses processes (NOTIFY, child servers): on a loaded CI
      // machine that takes longer than vitest's 1 s default. A poll that holds returns at once.
      expect: { poll: { timeout: 10_000 } },
      ...test,
      coverage: {
        provider: "v8",
        include: ["src/**/*.ts"],
        exclude: ["src/**/*.test.ts", ...coverageExclude],
        thresholds: { lines: 85 },
      },
    },
  });
}

/** The global setup of packages whose tests run on PostgreSQL: a throwaway server when none is named. */
export const postgresGlobalSetup = fileURLToPath(new URL("./throwaway-postgres.ts", import.meta.url));
