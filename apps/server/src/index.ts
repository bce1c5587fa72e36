export { createApp } from "./app.js";
export { EnvSchema, parseEnv, type ServerConfig } from "./env.js";
export { generateApiKey, hashApiKey } from "./lib/auth.js";
export { createLogger, type LogLevel } from "./lib/logger.js";
export { STATUS_BY_CODE } from "./lib/problem.js";
export type { AppServices } from "./lib/services.js";
export { type RunServerOptions, runServer } from "./run-server.js";
export { type RunningServer, type StartOptions, startServer } from "./server.js";
export { SERVER_VERSION } from "./version.js";
