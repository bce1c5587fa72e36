import { AgentrtError, ErrorCode } from "@agentrt/core";
import type { Runtime } from "@agentrt/runtime";
import { OpenAPIHono } from "@hono/zod-openapi";
import type { RunStats } from "../../lib/run-stats.js";
import type { AppEnv } from "../../lib/types.js";
import * as routes from "./stats.routes.js";

export function createStatsRoutes(runtime: Pick<Runtime, "agents" | "registry">, stats: RunStats) {
  const app = new OpenAPIHono<AppEnv>();

  app.openapi(routes.templateStats, (c) => {
    const { name } = c.req.valid("param");
    const versions = runtime.registry.versions(name);
    if (versions.length === 0)
      throw new AgentrtError(ErrorCode.TEMPLATE_NOT_FOUND, `no template named "${name}" is installed`);
    return c.json(
      {
        name,
        window: "PT1H" as const,
        versions: versions.map(({ template }) => ({
          version: template.version,
          ...stats.template(name, template.version),
        })),
      },
      200,
    );
  });

  app.openapi(routes.agentStats, async (c) => {
    const agent = await runtime.agents.get(c.req.valid("param").agent);
    return c.json({ agentId: agent.id, window: "PT1H" as const, ...stats.agent(agent.id) }, 200);
  });

  return app;
}
