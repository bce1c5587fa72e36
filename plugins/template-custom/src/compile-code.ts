import { type CompiledCode, compileUserCode } from "@agentrt/sandbox";
import type { CustomConfig } from "./config-schema.js";
import type { CustomSettings } from "./settings.js";

/** Compiles an agent's code with the operator's dependency rules (esbuild for JS/TS, a check for Python). */
export function compileCode(
  config: Pick<CustomConfig, "language" | "entryPoint" | "dependencies">,
  source: string,
  settings: CustomSettings,
): Promise<CompiledCode> {
  return compileUserCode({
    language: config.language,
    source,
    entryPoint: config.entryPoint,
    dependencies: config.dependencies,
    allowedDependencies: settings.allowedDependencies,
    ...(settings.dependencyDir ? { resolveDir: settings.dependencyDir } : {}),
  });
}
