import type { Logger } from "@agentrt/core";
import type { Runtime } from "@agentrt/runtime";
import type { ServerConfig } from "../env.js";
import type { KeyResolver } from "./auth.js";
import type { Metrics } from "./metrics.js";
import type { KeyRateLimiter } from "./rate-limit.js";

/** What route factories get: everything built once at start-up. */
export interface AppServices {
  config: ServerConfig;
  /** The use cases (agents, runs, threads, chat) and what they run on. */
  runtime: Runtime;
  keys: KeyResolver;
  /** Requests per API key and scope class. */
  keyLimiter: KeyRateLimiter;
  logger: Logger;
  metrics: Metrics;
}
