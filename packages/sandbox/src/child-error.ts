import { AgentrtError, ErrorCode, isErrorCode } from "@agentrt/core";
import type { ChildError } from "./protocol.js";

/** Turns an error reported by a child into the AgentrtError callers see; unknown codes mean a broken child. */
export function toRunError(error: ChildError): AgentrtError {
  const code = isErrorCode(error.code) ? error.code : ErrorCode.SANDBOX_CRASHED;
  return new AgentrtError(
    code,
    String(error.message).slice(0, 2000),
    error.details ? { details: error.details } : {},
  );
}
