import type { Runtime } from "@agentrt/runtime";
import { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../../lib/types.js";
import * as routes from "./stats.routes.js";

export function createStatsRoutes(runtime: Pick<Runtime, "usage">) {
  const app = new OpenAPIHono<AppEnv>();

  app.openapi(routes.templateStats, async (c) =>
    c.json({ window: "PT1H" as const, ...(await runtime.usage.template(c.req.valid("param").name)) }, 200),
  );

  app.openapi(routes.agentStats, async (c) =>
    c.json({ window: "PT1H" as const, ...(await runtime.usage.agent(c.req.valid("param").agent)) }, 200),
  );

  return app;
}
