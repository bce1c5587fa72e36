import { ErrorCode, type Store, type TemplateRegistry } from "@agentrt/core";
import { OpenAPIHono } from "@hono/zod-openapi";
import { createProblem, problemResponse } from "../../lib/problem.js";
import type { AppEnv } from "../../lib/types.js";
import * as routes from "./health.routes.js";

export function createHealthRoutes(deps: { store: Store; registry: TemplateRegistry }) {
  const app = new OpenAPIHono<AppEnv>();
  app.openapi(routes.health, (c) => c.json({ status: "ok" as const }, 200));
  app.openapi(routes.ready, async (c) => {
    try {
      await deps.store.ping();
    } catch (error) {
      return problemResponse(
        c,
        createProblem(
          ErrorCode.NOT_READY,
          `store unavailable: ${error instanceof Error ? error.message : String(error)}`,
        ),
      ) as never;
    }
    return c.json(
      {
        status: "ready" as const,
        store: deps.store.kind,
        templates: { loaded: deps.registry.size(), rejected: deps.registry.rejected().length },
      },
      200,
    );
  });
  return app;
}
