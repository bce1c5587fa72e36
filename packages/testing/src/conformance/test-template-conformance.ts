import { describe, it } from "vitest";
import { conformanceChecks } from "./conformance-checks.js";
import type { ConformanceInputs } from "./conformance-inputs.js";

/** Extra time a test gets beyond a check's own bound, for create and the first event. */
const TEST_TIMEOUT_SLACK_MS = 5000;

/**
 * Registers the conformance checks for the template package at `packageDir` (e.g.
 * `new URL("..", import.meta.url)`) as vitest tests: the same list `agentrt templates validate` runs.
 */
export function testTemplateConformance(packageDir: string | URL, inputs: ConformanceInputs): void {
  describe(`template conformance: ${String(packageDir)}`, () => {
    for (const check of conformanceChecks(packageDir, inputs)) {
      it(check.name, () => check.run(), check.timeoutMs && check.timeoutMs + TEST_TIMEOUT_SLACK_MS);
    }
  });
}
