import {
  AgentrtError,
  ErrorCode as Codes,
  type ErrorCode,
  isAgentrtError,
  type Logger,
  toFieldIssues,
} from "@agentrt/core";
import type { Hook } from "@hono/zod-openapi";
import type { Context, ErrorHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ZodError } from "zod";
import { createProblem, type Problem, problemResponse, type TemplateStatusLookup } from "./problem.js";

const CODE_BY_STATUS: Partial<Record<number, ErrorCode>> = {
  400: Codes.BAD_REQUEST,
  401: Codes.UNAUTHORIZED,
  403: Codes.FORBIDDEN,
  404: Codes.ROUTE_NOT_FOUND,
  405: Codes.METHOD_NOT_ALLOWED,
  413: Codes.PAYLOAD_TOO_LARGE,
  415: Codes.UNSUPPORTED_MEDIA_TYPE,
  429: Codes.RATE_LIMITED,
};

/**
 * zod-openapi validation failures → VALIDATION_FAILED with paths relative to the request part they
 * address. Thrown, so each sub-app's own error handler writes it in that sub-app's format.
 */
// biome-ignore lint/suspicious/noExplicitAny: the hook is shared by every route, whatever its types
export const validationHook: Hook<any, any, any, any> = (result) => {
  if (result.success) return;
  const issues = toFieldIssues(result.error as ZodError, result.target === "json" ? [] : [result.target]);
  const first = issues[0];
  const where = first && first.path.length > 0 ? `${first.path.join(".")}: ` : "";
  throw new AgentrtError(
    Codes.VALIDATION_FAILED,
    `Request ${result.target} is invalid: ${where}${first?.message ?? "invalid"}`,
    { issues },
  );
};

/** The answer to an error nobody expected; its stack goes to the log, never to the caller. */
export function internalProblem(): Problem {
  return createProblem(Codes.INTERNAL, "An internal error occurred; it has been logged");
}

/**
 * An error handler for one sub-app: maps anything thrown to a problem and lets `respond` write it in
 * the sub-app's format. Unknown errors are 500s and get logged.
 */
export function createErrorHandler(
  logger: Logger,
  templateStatus: TemplateStatusLookup,
  respond: (c: Context, problem: Problem) => Response = problemResponse,
): ErrorHandler {
  return (error: Error, c: Context) => {
    if (isAgentrtError(error)) {
      // Refusals that will pass with time (rate limits, a full queue) say when to ask again.
      const retryAfter = error.details?.retryAfterSeconds;
      if (typeof retryAfter === "number") c.header("retry-after", String(retryAfter));
      return respond(c, createProblem(error.code, error.message, error.issues, templateStatus));
    }
    if (error instanceof HTTPException) {
      const code = CODE_BY_STATUS[error.status] ?? Codes.BAD_REQUEST;
      return respond(c, createProblem(code, error.message || "Bad request"));
    }
    logger.error("unhandled error", {
      method: c.req.method,
      path: c.req.path,
      error: error.stack ?? String(error),
    });
    return respond(c, internalProblem());
  };
}

export function notFoundHandler(c: Context): Response {
  return problemResponse(c, createProblem(Codes.ROUTE_NOT_FOUND, `No route ${c.req.method} ${c.req.path}`));
}
