// Adds up the vitest JSON reports every package (and the e2e suite) wrote during `pnpm test` and
// prints one closing line, "N passed, N failed", so CI can read the whole run's result in one place.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const suites = ["packages", "plugins", "apps"].flatMap((group) =>
  existsSync(join(root, group)) ? readdirSync(join(root, group)).map((name) => `${group}/${name}`) : [],
);
let passed = 0;
let failed = 0;
let skipped = 0;
for (const suite of [...suites, "e2e"]) {
  const report = join(root, suite, "coverage", "test-report.json");
  if (!existsSync(report)) continue;
  const result = JSON.parse(readFileSync(report, "utf8"));
  passed += result.numPassedTests;
  failed += result.numFailedTests;
  skipped += result.numPendingTests + result.numTodoTests;
  console.log(`  ${suite}: ${result.numPassedTests} passed, ${result.numFailedTests} failed`);
}
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
