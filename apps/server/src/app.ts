import { OpenAPIHono } from "@hono/zod-openapi";
import { authenticate } from "./lib/auth.js";
import { createErrorHandler, notFoundHandler, validationHook } from "./lib/errors.js";
import { createGuards } from "./lib/guards.js";
import { createNotFoundHandler } from "./lib/method-not-allowed.js";
import { registerRateLimitComponents } from "./lib/openapi.js";
import { requestContext } from "./lib/request-context.js";
import type { AppServices } from "./lib/services.js";
import { traceRequests } from "./lib/trace-requests.js";
import type { AppEnv } from "./lib/types.js";
import { createAgentRoutes } from "./routes/agents/agents.index.js";
import { createApiKeyRoutes } from "./routes/api-keys/api-keys.index.js";
import { createConsoleRoutes } from "./routes/console/console.index.js";
import { createDocsRoutes } from "./routes/console/docs.index.js";
import { createHealthRoutes } from "./routes/health/health.index.js";
import { createMcpRoutes } from "./routes/mcp/mcp.index.js";
import { createMetricsRoutes } from "./routes/metrics/metrics.index.js";
import { createOpenAiRoutes } from "./routes/openai/openai.index.js";
import { OPENAI_ERROR_SCHEMA } from "./routes/openai/openai.routes.js";
import { createRunRoutes } from "./routes/runs/runs.index.js";
import { runFinishedWebhook } from "./routes/runs/runs.webhooks.js";
import { createScheduleRoutes } from "./routes/schedules/schedules.index.js";
import { createStatsRoutes } from "./routes/stats/stats.index.js";
import { createTemplateRoutes } from "./routes/templates/templates.index.js";
import { createThreadRoutes } from "./routes/threads/threads.index.js";
import { SERVER_VERSION } from "./version.js";

/** The REST areas, answering problem+json; the OpenAI sub-app guards and formats its own paths. */
const REST_PATHS = [
  "/v1/agents",
  "/v1/runs",
  "/v1/threads",
  "/v1/templates",
  "/v1/schedules",
  "/v1/api-keys",
];

/** Builds the HTTP app from services made at start-up; no I/O happens here. */
export function createApp(services: AppServices): OpenAPIHono<AppEnv> {
  const { runtime, logger } = services;
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  app.onError(createErrorHandler(logger, runtime.errorStatus));
  if (services.config.tracing) app.use("*", traceRequests());
  app.use("*", requestContext(logger, services.config.logLevel === "debug"));
  app.use("*", services.metrics.middleware);

  const guards = createGuards(services.config, services.keys, services.keyLimiter);
  for (const path of REST_PATHS) app.use(path, ...guards).use(`${path}/*`, ...guards);
  app.use("/metrics", authenticate(services.keys));

  app.route("/", createHealthRoutes(runtime, services.config.role));
  app.route("/", createMetricsRoutes(services.metrics));
  // A worker node executes runs and answers operations only; clients talk to the other nodes.
  if (services.config.role !== "worker") mountApi(app, services, guards);
  // Last, so it knows every route: a wrong method on a known path is a 405 with `Allow`.
  app.notFound(createNotFoundHandler(app.routes, notFoundHandler));
  return app;
}

/** The API areas, its OpenAPI document, docs and console: everything but operations. */
function mountApi(app: OpenAPIHono<AppEnv>, services: AppServices, guards: ReturnType<typeof createGuards>) {
  const { runtime } = services;
  app.route("/", createStatsRoutes(runtime));
  app.route("/", createTemplateRoutes({ registry: runtime.registry, config: services.config }));
  app.route("/", createAgentRoutes(runtime));
  app.route("/", createRunRoutes(services));
  app.route("/", createScheduleRoutes(runtime));
  app.route("/", createApiKeyRoutes(services));
  app.route("/", createThreadRoutes(runtime));
  app.route("/", createOpenAiRoutes(services, guards));
  app.route("/", createMcpRoutes(services, guards));

  app.openAPIRegistry.registerComponent("securitySchemes", "bearerAuth", {
    type: "http",
    scheme: "bearer",
    description: "An agentrt API key: `Authorization: Bearer art_...`",
  });
  registerRateLimitComponents(app.openAPIRegistry, OPENAI_ERROR_SCHEMA);
  // On the root app: a sub-app's webhooks would be merged under a path ("/run.finished").
  app.openAPIRegistry.registerWebhook(runFinishedWebhook);
  app.doc31("/openapi.json", {
    openapi: "3.1.0",
    info: {
      title: "agentrt API",
      version: SERVER_VERSION,
      description:
        "Manage agents built from installed templates, run them, and call them through an OpenAI-compatible API.",
    },
  });
  app.route("/", createDocsRoutes());
  if (services.config.console) app.route("/", createConsoleRoutes());
}
