import { AgentrtError, ErrorCode } from "@agentrt/core";
import { createCompileError, createEntryPointError } from "./compile-error.js";
import { checkDependencies } from "./dependencies.js";
import { checkPythonSource } from "./python-checker.js";
import type { CompileOptions } from "./types.js";

/** Python is checked, not transformed: the source is what runs. The entry point must be a top-level def. */
export async function compilePython(options: CompileOptions): Promise<{ code: string; entryPoint: string }> {
  const wanted = [...checkDependencies(options.dependencies, options.allowedDependencies)];
  // The interpreter ships only the standard library; accepting a package it cannot import would
  // fail every run instead of the create request.
  if (wanted.length > 0) {
    throw new AgentrtError(
      ErrorCode.DEPENDENCY_NOT_ALLOWED,
      `Python agents can import only the standard library in this build (requested: ${wanted.join(", ")})`,
      {
        issues: wanted.map((name) => ({
          path: ["dependencies"],
          message: `"${name}" is not available to Python code`,
        })),
        details: { dependencies: wanted },
      },
    );
  }
  const [kind, value] = await checkPythonSource(options.source, options.entryPoint);
  if (kind === "syntax") throw createCompileError([value]);
  if (kind === "no-entry") throw createEntryPointError(options.entryPoint, value);
  return { code: options.source, entryPoint: options.entryPoint };
}
