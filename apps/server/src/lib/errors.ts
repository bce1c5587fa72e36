import { ErrorCode as Codes, type ErrorCode, isAgentrtError, type Logger } from "@agentrt/core";
import type { Hook } from "@hono/zod-openapi";
import type { Context, ErrorHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ZodError } from "zod";
import { createProblem, problemResponse } from "./problem.js";

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

/** zod-openapi validation failures → 422 with paths relative to the request part they address. */
// biome-ignore lint/suspicious/noExplicitAny: the hook is shared by every route, whatever its types
export const validationHook: Hook<any, any, any, any> = (result, c) => {
  if (result.success) return;
  const error = result.error as ZodError;
  const prefix = result.target === "json" ? [] : [result.target];
  const issues = error.issues.map((i) => ({
    path: [...prefix, ...i.path.map((p) => (typeof p === "symbol" ? String(p) : p))],
    message: i.message,
  }));
  const first = issues[0];
  const where = first && first.path.length > 0 ? `${first.path.join(".")}: ` : "";
  return problemResponse(
    c,
    createProblem(
      Codes.VALIDATION_FAILED,
      `Request ${result.target} is invalid: ${where}${first?.message ?? "invalid"}`,
      issues,
    ),
  );
};

/** Maps anything thrown by a handler to problem+json. Unknown errors are 500s and get logged. */
export function createErrorHandler(logger: Logger): ErrorHandler {
  return (error: Error, c: Context) => {
    if (isAgentrtError(error))
      return problemResponse(c, createProblem(error.code, error.message, error.issues));
    if (error instanceof HTTPException) {
      const code = CODE_BY_STATUS[error.status] ?? Codes.BAD_REQUEST;
      return problemResponse(c, createProblem(code, error.message || "Bad request"));
    }
    logger.error("unhandled error", {
      method: c.req.method,
      path: c.req.path,
      error: error.stack ?? String(error),
    });
    return problemResponse(
      c,
      createProblem(Codes.INTERNAL, "An internal error occurred; it has been logged"),
    );
  };
}

export function notFoundHandler(c: Context): Response {
  return problemResponse(c, createProblem(Codes.ROUTE_NOT_FOUND, `No route ${c.req.method} ${c.req.path}`));
}
