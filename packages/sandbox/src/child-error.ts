import { AgentrtError, isErrorCode } from "@agentrt/core";
import { isSandboxErrorCode, SandboxErrorCode } from "./errors.js";
import type { ChildError } from "./protocol.js";

/** Turns an error reported by a child into the AgentrtError callers see; unknown codes mean a broken child. */
export function toRunError(error: ChildError): AgentrtError {
  const known = isErrorCode(error.code) || isSandboxErrorCode(error.code);
  const code = known ? error.code : SandboxErrorCode.SANDBOX_CRASHED;
  return new AgentrtError(
    code,
    String(error.message).slice(0, 2000),
    error.details ? { details: error.details } : {},
  );
}
