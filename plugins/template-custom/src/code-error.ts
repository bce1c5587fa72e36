import { AgentrtError, type AnyErrorCode, ErrorCode, type FieldIssue, isAgentrtError } from "@agentrt/core";
import { CustomErrorCode } from "./errors.js";

/**
 * An error about the agent's code source, already carrying its config issue. Issue messages start
 * with the error code because the host reports every config issue under `CONFIG_INVALID`; the prefix
 * keeps e.g. `PATH_NOT_ALLOWED` visible to clients.
 */
export function createCodeError(
  code: CustomErrorCode,
  message: string,
  details: Record<string, unknown> = {},
  path: FieldIssue["path"] = ["content"],
): AgentrtError {
  return new AgentrtError(code, message, {
    issues: [{ path, message: `${code}: ${message}` }],
    details: { ...details, code },
  });
}

/** Where an error from the sandbox compiler belongs in the config when it names no field itself. */
const defaultPaths = new Map<AnyErrorCode, FieldIssue["path"]>([
  [CustomErrorCode.ENTRYPOINT_NOT_FOUND, ["entryPoint"]],
  [CustomErrorCode.DEPENDENCY_NOT_ALLOWED, ["dependencies"]],
]);

/** Codes that mean "the agent author's code or source is wrong", i.e. a 422, not a server fault. */
const configErrorCodes = new Set<AnyErrorCode>([
  CustomErrorCode.PATH_NOT_ALLOWED,
  CustomErrorCode.URL_NOT_ALLOWED,
  CustomErrorCode.CODE_FETCH_FAILED,
  CustomErrorCode.CODE_COMPILE_ERROR,
  CustomErrorCode.ENTRYPOINT_NOT_FOUND,
  CustomErrorCode.DEPENDENCY_NOT_ALLOWED,
  ErrorCode.CONFIG_INVALID,
]);

/** Turns an error from loading or compiling code into config issues; any other error is rethrown. */
export function toConfigIssues(error: unknown): FieldIssue[] {
  if (!isAgentrtError(error) || !configErrorCodes.has(error.code)) throw error;
  const prefix = `${error.code}: `;
  const issues = error.issues?.length
    ? error.issues
    : [{ path: defaultPaths.get(error.code) ?? ["content"], message: error.message }];
  return issues.map((issue) => ({
    path: issue.path,
    message: issue.message.startsWith(prefix) ? issue.message : prefix + issue.message,
  }));
}
