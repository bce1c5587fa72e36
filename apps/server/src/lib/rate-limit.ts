import { AgentrtError, ErrorCode } from "@agentrt/core";
import type { ApiKeyRecord, ApiKeyScope, RateCounters, RateDecision } from "@agentrt/runtime";
import type { Context } from "hono";
import type { ServerConfig } from "../env.js";

/** Seconds, rounded up, never 0: a client told to wait 0 s would ask again at once. */
export const retryAfterSeconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

/**
 * The IETF RateLimit header fields (draft-ietf-httpapi-ratelimit-headers): the policy, quota `q`
 * per window `w` seconds, and what is left of it, `r` more requests, `t` seconds until reset.
 */
export function rateLimitHeaders(policy: string, decision: RateDecision, windowSeconds: number) {
  return {
    "ratelimit-policy": `"${policy}";q=${decision.limit};w=${windowSeconds}`,
    ratelimit: `"${policy}";r=${decision.remaining};t=${Math.ceil(decision.resetMs / 1000)}`,
  };
}

export interface KeyRateLimiter {
  /**
   * Takes one request of the key's budget for this scope class; sets the RateLimit headers, and
   * throws RATE_LIMITED (429, `Retry-After`) when the budget of this window is spent.
   */
  check(c: Context, key: ApiKeyRecord, scope: ApiKeyScope): Promise<void>;
}

/** Per API key and scope class: the key's own limit, else the server's default; 0 is unlimited. */
export function createKeyRateLimiter(
  limits: ServerConfig["rateLimits"],
  counters: RateCounters,
): KeyRateLimiter {
  const { windowSeconds } = limits;
  return {
    async check(c, key, scope) {
      const points = key.rateLimits[scope] ?? limits[scope];
      if (points === 0) return;
      const decision = await counters({ name: `key-${scope}`, points, windowSeconds }).take(key.id);
      for (const [name, value] of Object.entries(rateLimitHeaders(scope, decision, windowSeconds)))
        c.header(name, value);
      if (decision.allowed) return;
      throw new AgentrtError(
        ErrorCode.RATE_LIMITED,
        `API key "${key.name}" made its ${points} "${scope}" requests of this ${windowSeconds} s window; try again in ${retryAfterSeconds(decision.resetMs)} s`,
        {
          details: {
            scope,
            limit: points,
            windowSeconds,
            retryAfterSeconds: retryAfterSeconds(decision.resetMs),
          },
        },
      );
    },
  };
}
