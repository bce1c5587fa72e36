import { type CompiledCode, compileUserCode } from "@agentrt/sandbox";
import type { CustomConfig } from "./config-schema.js";
import type { CustomSettings } from "./settings.js";

/** Compiles an agent's code with the operator's dependency rules (esbuild bundles JS/TS; Python is checked and gets its pure-Python packages). */
export function compileCode(
  config: Pick<CustomConfig, "language" | "entryPoint" | "dependencies">,
  source: string,
  settings: CustomSettings,
): Promise<CompiledCode> {
  const resolveDir = config.language === "python" ? settings.pythonDependencyDir : settings.dependencyDir;
  return compileUserCode({
    language: config.language,
    source,
    entryPoint: config.entryPoint,
    dependencies: config.dependencies,
    allowedDependencies: settings.allowedDependencies,
    ...(resolveDir ? { resolveDir } : {}),
  });
}
