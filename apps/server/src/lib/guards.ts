import { AgentrtError, ErrorCode } from "@agentrt/core";
import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { ServerConfig } from "../env.js";
import { authenticate, type KeyResolver } from "./auth.js";
import { jsonBody } from "./json-body.js";
import type { KeyRateLimiter } from "./rate-limit.js";
import type { AppEnv } from "./types.js";

/**
 * Refuses bodies over `maxBytes`. A body with a content length is judged by its header alone; only
 * a chunked one goes through Hono's counting `bodyLimit`, because that one reads `raw.body`, which
 * makes @hono/node-server build a full web Request (and body stream) for the request.
 */
function limitBody(maxBytes: number): MiddlewareHandler<AppEnv> {
  const tooLarge = () => {
    throw new AgentrtError(ErrorCode.PAYLOAD_TOO_LARGE, `The request body exceeds ${maxBytes} bytes`);
  };
  const counting = bodyLimit({ maxSize: maxBytes, onError: tooLarge });
  return (c, next) => {
    const { headers } = c.req.raw;
    if (headers.has("transfer-encoding")) return counting(c, next);
    const length = headers.get("content-length");
    if (length !== null && Number.parseInt(length, 10) > maxBytes) tooLarge();
    return next();
  };
}

/**
 * What every `/v1` request passes before its handler: body size limit, API key, JSON body (and
 * the route's scope check then spends the key's rate limit, through `keyLimiter`). Each
 * throws its refusal, so the sub-app it is mounted in (REST or OpenAI) answers in its own format.
 */
export function createGuards(
  config: Pick<ServerConfig, "bodyLimitBytes" | "maxJsonDepth">,
  keys: KeyResolver,
  keyLimiter: KeyRateLimiter,
): MiddlewareHandler<AppEnv>[] {
  return [
    async (c, next) => {
      c.set("keyLimiter", keyLimiter);
      await next();
    },
    limitBody(config.bodyLimitBytes),
    authenticate(keys),
    jsonBody(config.maxJsonDepth),
  ];
}
