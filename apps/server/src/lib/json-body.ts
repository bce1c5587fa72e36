import { AgentrtError, ErrorCode } from "@agentrt/core";
import type { MiddlewareHandler } from "hono";

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

/**
 * Recursive without allocating: it stops one level past `max` (at most 512, see
 * AGENTRT_MAX_JSON_DEPTH), so the input it rejects can't make it overflow the stack.
 */
function depthExceeds(value: unknown, max: number, depth = 1): boolean {
  if (typeof value !== "object" || value === null) return false;
  if (depth > max) return true;
  if (Array.isArray(value)) {
    for (const child of value) if (depthExceeds(child, max, depth + 1)) return true;
  } else {
    for (const key in value)
      if (depthExceeds((value as Record<string, unknown>)[key], max, depth + 1)) return true;
  }
  return false;
}

/** Whether a request carries a body; one without passes `jsonBody` unparsed. */
export function hasBody(headers: Headers): boolean {
  const length = headers.get("content-length");
  return (length !== null && length !== "0") || headers.has("transfer-encoding");
}

/**
 * Parses JSON request bodies once, before validation: wrong media type → 415, malformed → 400,
 * nesting deeper than `maxDepth` → 422. Later `c.req.json()` calls reuse Hono's cached result.
 */
export function jsonBody(maxDepth: number): MiddlewareHandler {
  return async (c, next) => {
    if (
      c.req.method === "GET" ||
      c.req.method === "HEAD" ||
      c.req.method === "DELETE" ||
      !hasBody(c.req.raw.headers)
    ) {
      return next();
    }
    const type = c.req.header("content-type") ?? "";
    if (!JSON_TYPE.test(type)) {
      throw new AgentrtError(
        ErrorCode.UNSUPPORTED_MEDIA_TYPE,
        `Send the body as application/json (got ${type ? JSON.stringify(type) : "no content type"})`,
      );
    }
    let body: unknown;
    try {
      body = await c.req.json();
    } catch (error) {
      // Only syntax errors are the client's JSON; anything else (e.g. the body limit) goes up.
      if (!(error instanceof SyntaxError)) throw error;
      throw new AgentrtError(ErrorCode.MALFORMED_JSON, `The body is not valid JSON: ${error.message}`);
    }
    if (depthExceeds(body, maxDepth)) {
      throw new AgentrtError(
        ErrorCode.VALIDATION_FAILED,
        `The body is nested deeper than ${maxDepth} levels`,
      );
    }
    await next();
  };
}
