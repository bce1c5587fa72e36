import { fileURLToPath } from "node:url";
import { CORE_API_VERSION, type TemplateContext } from "@agentrt/core";
import { type InstalledTemplate, loadTemplateModule, readTemplateManifest } from "@agentrt/runtime";
import {
  checkConfigDefaults,
  checkConfigJsonSchema,
  checkInvalidConfig,
  checkMigrations,
  checkValidConfig,
} from "./config-checks.js";
import type { ConformanceInputs } from "./conformance-inputs.js";
import { checkTemplateBrand, checkTemplateErrors, checkTemplateName } from "./metadata-checks.js";
import { checkCancellation, checkDispose, checkRun, createCheckedInstance } from "./run-checks.js";

export interface ConformanceCheck {
  name: string;
  /** Throws an Error saying what is wrong. */
  run(): Promise<unknown>;
  /** Extra time the check may take (the cancellation bound). */
  timeoutMs?: number;
}

/** The template a package provides, loaded the way discovery loads it: manifest first, then the entry. */
export async function loadTemplatePackage(packageDir: string | URL): Promise<InstalledTemplate> {
  const dir = typeof packageDir === "string" ? packageDir : fileURLToPath(packageDir);
  const manifest = readTemplateManifest(dir, CORE_API_VERSION);
  if (!manifest)
    throw new Error('not a template package: no "agentrt-template" keyword and no "agentrt" field');
  return (await loadTemplateModule(manifest)).template;
}

/**
 * The one list of conformance checks, run by `testTemplateConformance` (vitest) and by
 * `agentrt templates validate` (CLI). The first check loads the package; the others use it.
 */
export function conformanceChecks(packageDir: string | URL, inputs: ConformanceInputs): ConformanceCheck[] {
  let loading: Promise<InstalledTemplate> | undefined;
  const load = () => (loading ??= loadTemplatePackage(packageDir));
  const context: Partial<TemplateContext> = inputs.context ?? {};
  const { config } = inputs;
  const check = (name: string, run: (template: InstalledTemplate) => unknown, timeoutMs?: number) => ({
    name,
    run: async () => run(await load()),
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
  });

  const checks: ConformanceCheck[] = [
    check("package.json declares a template this core can load, and its entry exports it", () => {}),
    check("branded by defineTemplate with a known spec version", (t) => checkTemplateBrand(t)),
    check("name is a lower-case slug", (t) => checkTemplateName(t)),
    check("its own error codes are well formed", (t) => checkTemplateErrors(t)),
    check("config schema converts to JSON Schema", (t) => checkConfigJsonSchema(t)),
    check("accepts the config", (t) => checkValidConfig(t, config, context)),
  ];
  const expected = inputs.expectedDefaults;
  if (expected)
    checks.push(check("fills in defaults", (t) => checkConfigDefaults(t, config, expected, context)));
  for (const [i, invalid] of (inputs.invalidConfigs ?? []).entries()) {
    checks.push(
      check(`rejects invalid config #${i + 1} at ${JSON.stringify(invalid.path)}`, (t) =>
        checkInvalidConfig(t, invalid.config, invalid.path, context),
      ),
    );
  }
  checks.push(
    check("migrations carry older configs to one this version accepts", (t) =>
      checkMigrations(t, inputs.previousConfigs ?? [], context),
    ),
    check("runs to well-formed events with exactly one output", (t) =>
      checkRun(t, config, inputs.input, context),
    ),
  );
  if (inputs.slowInput !== undefined) {
    const within = inputs.cancelWithinMs ?? 1000;
    checks.push(
      check(
        `stops within ${within} ms when cancelled`,
        (t) => checkCancellation(t, config, inputs.slowInput, { cancelWithinMs: within, context }),
        within,
      ),
    );
  }
  checks.push(
    check("disposes, and a second dispose does not throw", async (t) =>
      checkDispose(await createCheckedInstance(t, config, context)),
    ),
  );
  return checks;
}
