import { readFileSync } from "node:fs";
import { join } from "node:path";
import { UsageError } from "../exit-codes.js";

/** What the checks run with: the `agentrt.conformance` field of the package.json, or flags. */
export interface ConformanceInputs {
  config: unknown;
  input: unknown;
  /** A run slow enough to be cancelled; without it the cancellation check is skipped. */
  slowInput?: unknown;
  invalidConfigs?: { config: unknown; path: (string | number)[] }[];
  expectedDefaults?: Record<string, unknown>;
  cancelWithinMs?: number;
}

export function readConformanceInputs(
  packageDir: string,
  overrides: { config?: unknown; input?: unknown },
): ConformanceInputs {
  const manifest = JSON.parse(readFileSync(join(packageDir, "package.json"), "utf8")) as {
    agentrt?: { conformance?: Partial<ConformanceInputs> };
  };
  const declared = manifest.agentrt?.conformance ?? {};
  const inputs = {
    ...declared,
    ...(overrides.config === undefined ? {} : { config: overrides.config }),
    ...(overrides.input === undefined ? {} : { input: overrides.input }),
  };
  if (inputs.config === undefined || inputs.input === undefined) {
    throw new UsageError(
      `no ${inputs.config === undefined ? "config" : "input"} to validate with: pass --config <json> and --input <json>, or declare "agentrt.conformance": { "config": …, "input": … } in ${join(packageDir, "package.json")}`,
    );
  }
  return inputs as ConformanceInputs;
}
