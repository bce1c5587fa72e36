// Adds up the vitest JSON reports every package wrote during `pnpm test` and prints one closing
// line, "N passed, N failed", so CI can read the whole run's result in one place.
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
let passed = 0;
let failed = 0;
let skipped = 0;
for (const group of ["packages", "plugins", "apps"]) {
  const groupDir = join(root, group);
  if (!existsSync(groupDir)) continue;
  for (const name of readdirSync(groupDir)) {
    const report = join(groupDir, name, "coverage", "test-report.json");
    if (!existsSync(report)) continue;
    const result = JSON.parse(readFileSync(report, "utf8"));
    passed += result.numPassedTests;
    failed += result.numFailedTests;
    skipped += result.numPendingTests + result.numTodoTests;
    console.log(`  ${group}/${name}: ${result.numPassedTests} passed, ${result.numFailedTests} failed`);
  }
}
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
