import { createCompileError, createEntryPointError } from "./compile-error.js";
import { checkDependencies, dependencyNotAllowed } from "./dependencies.js";
import { checkPythonSource } from "./python-checker.js";
import { collectPythonPackages } from "./python-packages.js";
import type { CompileOptions, PythonPackageBundle } from "./types.js";

/**
 * Python is checked, not transformed: the source is what runs. The entry point must be a top-level
 * def, and every import must be the standard library or a module of a declared, installed package.
 */
export async function compilePython(
  options: CompileOptions,
): Promise<{ code: string; entryPoint: string; pythonPackages?: PythonPackageBundle }> {
  const wanted = [...checkDependencies(options.dependencies, options.allowedDependencies)];
  const packages = wanted.length > 0 ? await collectPythonPackages(options.resolveDir, wanted) : undefined;
  const [kind, value] = await checkPythonSource(options.source, options.entryPoint, packages?.modules ?? []);
  if (kind === "syntax") throw createCompileError([value]);
  if (kind === "no-entry") throw createEntryPointError(options.entryPoint, value);
  if (kind === "imports") {
    throw dependencyNotAllowed(
      value,
      "is imported but is neither standard library nor a declared dependency",
    );
  }
  return {
    code: options.source,
    entryPoint: options.entryPoint,
    ...(packages ? { pythonPackages: packages } : {}),
  };
}
