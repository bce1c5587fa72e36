import type { ApiKeyRecord } from "@agentrt/runtime";
import type { HttpBindings } from "@hono/node-server";
import type { KeyRateLimiter } from "./rate-limit.js";

export interface AppEnv {
  /** What @hono/node-server hands every request: the Node request and response. */
  Bindings: HttpBindings;
  Variables: {
    apiKey: ApiKeyRecord;
    /** Set by the `/v1` guards; the route's scope check spends the key's budget for that scope. */
    keyLimiter: KeyRateLimiter;
  };
}
