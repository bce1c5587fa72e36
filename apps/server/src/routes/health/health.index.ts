import { ErrorCode } from "@agentrt/core";
import type { Runtime } from "@agentrt/runtime";
import { OpenAPIHono } from "@hono/zod-openapi";
import { createProblem, problemResponse } from "../../lib/problem.js";
import type { AppEnv } from "../../lib/types.js";
import * as routes from "./health.routes.js";

export function createHealthRoutes(
  { store, registry }: Pick<Runtime, "store" | "registry">,
  role: "all" | "api" | "worker" = "all",
) {
  const app = new OpenAPIHono<AppEnv>();
  app.openapi(routes.health, (c) => c.json({ status: "ok" as const }, 200));
  app.openapi(routes.ready, async (c) => {
    try {
      await store.ping();
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
        store: store.kind,
        role,
        templates: { loaded: registry.size(), rejected: registry.rejected().length },
      },
      200,
    );
  });
  return app;
}
