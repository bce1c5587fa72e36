import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { ConformanceInputs } from "@agentrt/testing";
import { UsageError } from "../exit-codes.js";

export interface InputOverrides {
  /** `--config`: replaces the declared config. */
  config?: unknown;
  /** `--input`: replaces the declared input. */
  input?: unknown;
  /** The environment templates see while checked (the CLI's own); declared `context.env` wins. */
  env?: Readonly<Record<string, string | undefined>>;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** The declared field's problem, if its shape is not what @agentrt/testing's checks take. */
function shapeProblem(declared: Record<string, unknown>): string | undefined {
  const { invalidConfigs, expectedDefaults, cancelWithinMs, context, previousConfigs } = declared;
  if (
    invalidConfigs !== undefined &&
    !(Array.isArray(invalidConfigs) && invalidConfigs.every((c) => isRecord(c) && Array.isArray(c.path)))
  ) {
    return 'invalidConfigs must be an array of { "config": …, "path": [ … ] }';
  }
  if (expectedDefaults !== undefined && !isRecord(expectedDefaults))
    return "expectedDefaults must be an object";
  if (cancelWithinMs !== undefined && !(typeof cancelWithinMs === "number" && cancelWithinMs > 0)) {
    return "cancelWithinMs must be a positive number";
  }
  if (context !== undefined && !isRecord(context)) return "context must be an object";
  if (
    previousConfigs !== undefined &&
    !(
      Array.isArray(previousConfigs) &&
      previousConfigs.every((p) => isRecord(p) && typeof p.version === "string" && isRecord(p.config))
    )
  ) {
    return 'previousConfigs must be an array of { "version": "1.2.0", "config": { … } }';
  }
  return undefined;
}

/**
 * What `templates validate` runs the checks of @agentrt/testing with: the package.json's
 * `agentrt.conformance` (testing's `ConformanceInputs`, as far as JSON holds them), `--config` and
 * `--input` on top, and the CLI's environment as the templates' env.
 */
export function readConformanceInputs(packageDir: string, overrides: InputOverrides = {}): ConformanceInputs {
  const file = join(packageDir, "package.json");
  const manifest = JSON.parse(readFileSync(file, "utf8")) as { agentrt?: { conformance?: unknown } };
  const declared = manifest.agentrt?.conformance ?? {};
  if (!isRecord(declared)) throw new Error(`"agentrt.conformance" in ${file} must be an object`);
  const problem = shapeProblem(declared);
  if (problem) throw new Error(`"agentrt.conformance" in ${file}: ${problem}`);
  const config = overrides.config === undefined ? declared.config : overrides.config;
  const input = overrides.input === undefined ? declared.input : overrides.input;
  if (config === undefined || input === undefined) {
    throw new UsageError(
      `no ${config === undefined ? "config" : "input"} to validate with: pass --config <json> and --input <json>, or declare "agentrt.conformance": { "config": …, "input": … } in ${file}`,
    );
  }
  const context = (declared.context ?? {}) as NonNullable<ConformanceInputs["context"]>;
  return {
    ...(declared as Partial<ConformanceInputs>),
    config,
    input,
    context: { ...context, env: { ...overrides.env, ...context.env } },
  };
}
