import { AgentrtError, ErrorCode } from "@agentrt/core";
import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { ServerConfig } from "../env.js";
import { authenticate, type KeyResolver } from "./auth.js";
import { jsonBody } from "./json-body.js";
import type { KeyRateLimiter } from "./rate-limit.js";
import type { AppEnv } from "./types.js";

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
    bodyLimit({
      maxSize: config.bodyLimitBytes,
      onError: () => {
        throw new AgentrtError(
          ErrorCode.PAYLOAD_TOO_LARGE,
          `The request body exceeds ${config.bodyLimitBytes} bytes`,
        );
      },
    }),
    authenticate(keys),
    jsonBody(config.maxJsonDepth),
  ];
}
