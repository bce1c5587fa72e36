import { ErrorCode, type Logger } from "@agentrt/core";
import { RequestError } from "@hono/node-server";
import { internalProblem } from "./errors.js";
import type { Metrics } from "./metrics.js";
import { createProblem, type Problem } from "./problem.js";

/** A problem+json answer given outside the app (which writes its own with `problemResponse`). */
function hostProblem(problem: Problem, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(problem), {
    status: problem.status,
    headers: { "content-type": "application/problem+json", ...headers },
  });
}

/** The answer to a request that arrives on an open connection while the server shuts down. */
export function shuttingDown(metrics: Metrics): Response {
  metrics.unrouted(503);
  return hostProblem(
    createProblem(ErrorCode.NOT_READY, "the server is shutting down; retry on another node"),
    { connection: "close", "retry-after": "1" },
  );
}

/**
 * The answer to what failed before the app ran: @hono/node-server could not make a URL of the
 * request (no or a malformed `Host`, a bad request target), or, never expected, the app threw.
 * Without this the adapter answers a bare 400 or 500 with no body and no code.
 */
export function unanswered(error: unknown, logger: Logger, metrics: Metrics): Response {
  if (error instanceof RequestError) {
    metrics.unrouted(400);
    // Like the app's request lines (debug): a client's malformed request is not the server's fault.
    logger.debug("request rejected before routing", { status: 400, reason: error.message });
    return hostProblem(
      createProblem(
        ErrorCode.BAD_REQUEST,
        `the request has no valid URL (${error.message}): send a Host header with a host name and a path target`,
      ),
      { connection: "close" },
    );
  }
  metrics.unrouted(500);
  logger.error("request failed outside the app", {
    error: (error instanceof Error && error.stack) || String(error),
  });
  return hostProblem(internalProblem());
}
