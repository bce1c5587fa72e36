import { isAgentrtError } from "@agentrt/core";
import type { ConformanceInputs } from "@agentrt/testing";

export interface CheckResult {
  name: string;
  ok: boolean;
  /** What failed; absent for passing checks. */
  message?: string;
  /** The failure's stable code, when it has one (e.g. TEMPLATE_INCOMPATIBLE). */
  code?: string;
}

type ConformanceKit = Pick<typeof import("@agentrt/testing"), "conformanceChecks">;

/**
 * The checks live in @agentrt/testing, which needs vitest installed (both are a template's dev
 * dependencies); loaded on use so the CLI's other commands work without them.
 */
async function loadKit(): Promise<ConformanceKit> {
  try {
    return await import("@agentrt/testing");
  } catch (error) {
    throw new Error(
      `templates validate needs @agentrt/testing and vitest installed: ${(error as Error).message}`,
    );
  }
}

async function attempt(name: string, run: () => unknown): Promise<CheckResult> {
  try {
    await run();
    return { name, ok: true };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return isAgentrtError(error)
      ? { name, ok: false, message, code: error.code }
      : { name, ok: false, message };
  }
}

/**
 * Runs @agentrt/testing's conformance checks (the list `testTemplateConformance` registers in
 * vitest) on the package at `packageDir`, in order, one result per check. The first check loads the
 * package the way discovery does; when it fails the others would only repeat its reason, so the
 * results stop there.
 */
export async function runConformanceChecks(
  packageDir: string,
  inputs: ConformanceInputs,
): Promise<CheckResult[]> {
  const { conformanceChecks } = await loadKit();
  const results: CheckResult[] = [];
  for (const check of conformanceChecks(packageDir, inputs)) {
    const result = await attempt(check.name, () => check.run());
    results.push(result);
    if (!result.ok && results.length === 1) break;
  }
  return results;
}
