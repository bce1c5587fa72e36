import { ErrorCode } from "@agentrt/core";
import { OpenAPIHono } from "@hono/zod-openapi";
import { Scalar } from "@scalar/hono-api-reference";
import { bodyLimit } from "hono/body-limit";
import { authenticate } from "./lib/auth.js";
import { createErrorHandler, notFoundHandler, validationHook } from "./lib/errors.js";
import { jsonBody } from "./lib/json-body.js";
import { createHttpMetrics } from "./lib/metrics.js";
import { createProblem, problemResponse } from "./lib/problem.js";
import type { AppServices } from "./lib/services.js";
import type { AppEnv } from "./lib/types.js";
import { createAgentRoutes } from "./routes/agents/agents.index.js";
import { createApiKeyRoutes } from "./routes/api-keys/api-keys.index.js";
import { createHealthRoutes } from "./routes/health/health.index.js";
import { createMetricsRoutes } from "./routes/metrics/metrics.index.js";
import { createOpenAiRoutes } from "./routes/openai/openai.index.js";
import { createRunRoutes } from "./routes/runs/runs.index.js";
import { createScheduleRoutes } from "./routes/schedules/schedules.index.js";
import { createTemplateRoutes } from "./routes/templates/templates.index.js";
import { createThreadRoutes } from "./routes/threads/threads.index.js";
import { SERVER_VERSION } from "./version.js";

/** Builds the HTTP app from services made at start-up; no I/O happens here. */
export function createApp(services: AppServices): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  app.onError(createErrorHandler(services.logger));
  app.notFound(notFoundHandler);
  const metrics = createHttpMetrics();
  app.use("*", metrics.middleware);

  app.use(
    "*",
    bodyLimit({
      maxSize: services.config.bodyLimitBytes,
      onError: (c) =>
        problemResponse(
          c,
          createProblem(
            ErrorCode.PAYLOAD_TOO_LARGE,
            `The request body exceeds ${services.config.bodyLimitBytes} bytes`,
          ),
        ),
    }),
  );
  app.use("/v1/*", authenticate(services.keys));
  app.use("/metrics", authenticate(services.keys));
  app.use("/v1/*", jsonBody(services.config.maxJsonDepth));

  app.route("/", createHealthRoutes(services));
  app.route("/", createMetricsRoutes(services, metrics));
  app.route("/", createTemplateRoutes(services));
  app.route("/", createAgentRoutes(services));
  app.route("/", createRunRoutes(services));
  app.route("/", createScheduleRoutes(services));
  app.route("/", createApiKeyRoutes(services));
  app.route("/", createThreadRoutes(services));
  app.route("/", createOpenAiRoutes(services));

  app.openAPIRegistry.registerComponent("securitySchemes", "bearerAuth", {
    type: "http",
    scheme: "bearer",
    description: "An agentrt API key: `Authorization: Bearer art_...`",
  });
  app.doc31("/openapi.json", {
    openapi: "3.1.0",
    info: {
      title: "agentrt API",
      version: SERVER_VERSION,
      description:
        "Manage agents built from installed templates, run them, and call them through an OpenAI-compatible API.",
    },
  });
  app.get("/docs", Scalar({ url: "/openapi.json", pageTitle: "agentrt API" }));
  return app;
}
