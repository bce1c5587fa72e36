import type { ApiKeyRecord } from "@agentrt/runtime";
import type { KeyRateLimiter } from "./rate-limit.js";

export interface AppEnv {
  Variables: {
    apiKey: ApiKeyRecord;
    /** Set by the `/v1` guards; the route's scope check spends the key's budget for that scope. */
    keyLimiter: KeyRateLimiter;
  };
}
