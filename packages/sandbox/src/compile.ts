import { createHash } from "node:crypto";
import { AgentrtError } from "@agentrt/core";
import { compileJavaScript } from "./compile-js.js";
import { compilePython } from "./compile-python.js";
import { SandboxErrorCode } from "./errors.js";
import type { CompiledCode, CompileOptions } from "./types.js";

/**
 * Checks and prepares user code once, at agent create/upgrade time, so that runs only execute.
 * Throws CODE_COMPILE_ERROR (with line and column), ENTRYPOINT_NOT_FOUND or DEPENDENCY_NOT_ALLOWED.
 */
export async function compileUserCode(options: CompileOptions): Promise<CompiledCode> {
  if (!/^[A-Za-z_$][\w$]*$/.test(options.entryPoint)) {
    throw new AgentrtError(
      SandboxErrorCode.ENTRYPOINT_NOT_FOUND,
      `entry point "${options.entryPoint}" is not a valid name`,
      {
        issues: [{ path: ["entryPoint"], message: "must be an identifier" }],
      },
    );
  }
  const compiled =
    options.language === "python" ? await compilePython(options) : await compileJavaScript(options);
  return {
    language: options.language,
    ...compiled,
    sha256: createHash("sha256").update(compiled.code).digest("hex"),
  };
}
