import { randomUUID } from "node:crypto";
import type { Logger } from "@agentrt/core";
import { withLogFields } from "@agentrt/runtime";
import type { MiddlewareHandler } from "hono";
import { routePath } from "hono/route";

/** A caller's `x-request-id` is kept when it is a plain token; anything else gets a fresh id. */
const REQUEST_ID = /^[\w.:-]{1,128}$/;

/**
 * Gives every request an id (the caller's `x-request-id`, or a new one), echoed in the response and
 * carried on every log line written while the request (and any run it submits) is handled. With
 * `logRequests` (level debug) each request gets a line of its own; otherwise nothing is built for it.
 */
export function requestContext(logger: Logger, logRequests: boolean): MiddlewareHandler {
  return async (c, next) => {
    const given = c.req.header("x-request-id");
    const requestId = given && REQUEST_ID.test(given) ? given : randomUUID();
    const started = performance.now();
    await withLogFields({ requestId }, next);
    // On the response as made: `c.header` now would copy it into a new one.
    c.res.headers.set("x-request-id", requestId);
    if (!logRequests) return;
    logger.debug("request", {
      requestId,
      method: c.req.method,
      route: routePath(c, -1),
      status: c.res.status,
      ms: Math.round(performance.now() - started),
      headers: Object.fromEntries(c.req.raw.headers),
    });
  };
}
