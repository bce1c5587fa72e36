import { AgentrtError } from "@agentrt/core";
import { SandboxErrorCode } from "./errors.js";

export interface SourceProblem {
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
  message: string;
}

/** The 422 a caller shows for code that does not compile: every problem pinned to `content`. */
export function createCompileError(problems: SourceProblem[]): AgentrtError {
  const first = problems[0] ?? { line: 1, column: 1, message: "code does not compile" };
  const issues = problems.map((p) => ({
    path: ["content"],
    message: `line ${p.line}, column ${p.column}: ${p.message}`,
  }));
  return new AgentrtError(
    SandboxErrorCode.CODE_COMPILE_ERROR,
    `code does not compile: ${issues[0]?.message}`,
    {
      issues,
      details: { line: first.line, column: first.column },
    },
  );
}

export function createEntryPointError(entryPoint: string, available: string[]): AgentrtError {
  const list = available.length > 0 ? available.join(", ") : "none";
  return new AgentrtError(
    SandboxErrorCode.ENTRYPOINT_NOT_FOUND,
    `entry point "${entryPoint}" is not exported by the code (exports: ${list})`,
    {
      issues: [{ path: ["entryPoint"], message: `"${entryPoint}" is not exported by the code` }],
      details: { entryPoint, available },
    },
  );
}
