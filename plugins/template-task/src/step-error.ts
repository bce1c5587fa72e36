import { AgentrtError, type ErrorCode, isAgentrtError } from "@agentrt/core";
import type { TaskErrorCode } from "./errors.js";

/**
 * A step failure. `retryable: false` marks failures another attempt cannot fix (a 4xx, a response
 * over the size limit, a missing API key), so retries are spent only where they can help.
 */
export function createStepError(
  code: ErrorCode | TaskErrorCode,
  message: string,
  options: { retryable: boolean; cause?: unknown; details?: Record<string, unknown> },
): AgentrtError {
  return new AgentrtError(code, message, {
    details: { ...options.details, retryable: options.retryable },
    cause: options.cause,
  });
}

export function isRetryable(error: unknown): boolean {
  return !(isAgentrtError(error) && error.details?.retryable === false);
}
