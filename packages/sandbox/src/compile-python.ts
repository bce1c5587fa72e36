import { createCompileError, createEntryPointError } from "./compile-error.js";
import { checkDependencies } from "./dependencies.js";
import { checkPythonSource } from "./python-checker.js";
import type { CompileOptions } from "./types.js";

/** Python is checked, not transformed: the source is what runs. The entry point must be a top-level def. */
export async function compilePython(options: CompileOptions): Promise<{ code: string; entryPoint: string }> {
  checkDependencies(options.dependencies, options.allowedDependencies);
  const [kind, value] = await checkPythonSource(options.source, options.entryPoint);
  if (kind === "syntax") throw createCompileError([value]);
  if (kind === "no-entry") throw createEntryPointError(options.entryPoint, value);
  return { code: options.source, entryPoint: options.entryPoint };
}
