const OPERATOR_ERROR = Symbol.for("agentrt.operatorError");

/**
 * A start-up problem the operator fixes (a bad setting, a port in use): the process prints its
 * message, one line per problem, and exits non-zero without a stack trace.
 */
export function operatorError(message: string, cause?: unknown): Error {
  const error = new Error(message, cause === undefined ? undefined : { cause });
  return Object.assign(error, { [OPERATOR_ERROR]: true });
}

export function isOperatorError(error: unknown): error is Error {
  return error instanceof Error && (error as unknown as Record<symbol, unknown>)[OPERATOR_ERROR] === true;
}
