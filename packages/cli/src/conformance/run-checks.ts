import { loadTemplateModule, readTemplateManifest, type Template, type TemplateContext } from "@agentrt/core";
import type { ConformanceInputs } from "./conformance-inputs.js";

export interface CheckResult {
  name: string;
  ok: boolean;
  /** What failed; absent for passing checks. */
  message?: string;
}

interface Check {
  name: string;
  run(): unknown;
}

type Kit = typeof import("@agentrt/testing");

/** The conformance kit lives in @agentrt/testing, which needs vitest installed (it is a template dev dependency). */
async function loadKit(): Promise<Kit> {
  try {
    return await import("@agentrt/testing");
  } catch (error) {
    throw new Error(
      `templates validate needs @agentrt/testing and vitest installed: ${(error as Error).message}`,
    );
  }
}

function kitChecks(
  kit: Kit,
  template: Template,
  inputs: ConformanceInputs,
  context: Partial<TemplateContext>,
): Check[] {
  const { config } = inputs;
  const checks: Check[] = [
    {
      name: "branded by defineTemplate with a known spec version",
      run: () => kit.checkTemplateBrand(template),
    },
    { name: "name is a lower-case slug", run: () => kit.checkTemplateName(template) },
    { name: "version is valid semver", run: () => kit.checkTemplateVersion(template) },
    { name: "coreApi is a range this core satisfies", run: () => kit.checkTemplateCoreApi(template) },
    { name: "config schema converts to JSON Schema", run: () => kit.checkConfigJsonSchema(template) },
    { name: "accepts the config", run: () => kit.checkValidConfig(template, config, context) },
  ];
  if (inputs.expectedDefaults) {
    const expected = inputs.expectedDefaults;
    checks.push({
      name: "fills in defaults",
      run: () => kit.checkConfigDefaults(template, config, expected, context),
    });
  }
  for (const [i, invalid] of (inputs.invalidConfigs ?? []).entries()) {
    checks.push({
      name: `rejects invalid config #${i + 1} at ${JSON.stringify(invalid.path)}`,
      run: () => kit.checkInvalidConfig(template, invalid.config, invalid.path, context),
    });
  }
  checks.push({
    name: "runs to well-formed events with exactly one output",
    run: () => kit.checkRun(template, config, inputs.input, context),
  });
  if (inputs.slowInput !== undefined) {
    const within = inputs.cancelWithinMs ?? 1000;
    checks.push({
      name: `stops within ${within} ms when cancelled`,
      run: () =>
        kit.checkCancellation(template, config, inputs.slowInput, { cancelWithinMs: within, context }),
    });
  }
  checks.push({
    name: "disposes, and a second dispose does not throw",
    run: async () => kit.checkDispose(await kit.createCheckedInstance(template, config, context)),
  });
  return checks;
}

async function attempt(name: string, run: () => unknown): Promise<CheckResult> {
  try {
    await run();
    return { name, ok: true };
  } catch (error) {
    return { name, ok: false, message: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * Loads the package the way discovery does (metadata first, then the entry) and runs the
 * conformance kit's checks on it, one result per check. Stops after a failed load.
 */
export async function runConformanceChecks(
  packageDir: string,
  inputs: ConformanceInputs,
  context: Partial<TemplateContext> = {},
): Promise<CheckResult[]> {
  let template: Template | undefined;
  const results = [
    await attempt("package.json declares a template compatible with this core", () => {
      if (!readTemplateManifest(packageDir)) {
        throw new Error('not a template package: no "agentrt-template" keyword and no "agentrt" field');
      }
    }),
  ];
  if (!results[0]!.ok) return results;
  results.push(
    await attempt("its entry exports a template matching package.json", async () => {
      template = (await loadTemplateModule(readTemplateManifest(packageDir)!)).template;
    }),
  );
  if (!template) return results;
  const kit = await loadKit();
  for (const check of kitChecks(kit, template, inputs, context))
    results.push(await attempt(check.name, check.run));
  return results;
}
