import type { AgentRecord, Runtime } from "@agentrt/runtime";
import { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../../lib/types.js";
import * as routes from "./agents.routes.js";

export function toAgentResponse(agent: AgentRecord) {
  return {
    id: agent.id,
    name: agent.name,
    description: agent.description,
    template: { name: agent.templateName, version: agent.templateVersion, range: agent.templateRange },
    config: agent.config,
    revision: agent.revision,
    status: agent.status,
    retention: agent.retention,
    limits: agent.limits,
    createdAt: agent.createdAt,
    updatedAt: agent.updatedAt,
  };
}

export function createAgentRoutes({ agents, store }: Pick<Runtime, "agents" | "store">) {
  const app = new OpenAPIHono<AppEnv>();

  app.openapi(routes.createAgent, async (c) => {
    const agent = await agents.create(c.req.valid("json"));
    c.header("location", `/v1/agents/${agent.id}`);
    return c.json(toAgentResponse(agent), 201);
  });

  app.openapi(routes.listAgents, async (c) => {
    const { limit, cursor, template, status } = c.req.valid("query");
    const page = await store.agents.list({ limit, cursor, templateName: template, status });
    return c.json({ data: page.items.map(toAgentResponse), nextCursor: page.nextCursor }, 200);
  });

  app.openapi(routes.getAgent, async (c) =>
    c.json(toAgentResponse(await agents.get(c.req.valid("param").agent)), 200),
  );

  app.openapi(routes.updateAgent, async (c) =>
    c.json(toAgentResponse(await agents.update(c.req.valid("param").agent, c.req.valid("json"))), 200),
  );

  app.openapi(routes.deleteAgent, async (c) => {
    await agents.delete(c.req.valid("param").agent);
    return c.body(null, 204);
  });

  app.openapi(routes.listRevisions, async (c) => {
    const agent = await agents.get(c.req.valid("param").agent);
    const { limit, cursor } = c.req.valid("query");
    const page = await store.agents.revisions(agent.id, { limit, cursor });
    return c.json(
      {
        data: page.items.map(({ revision, templateVersion, config, createdAt }) => ({
          revision,
          templateVersion,
          config,
          createdAt,
        })),
        nextCursor: page.nextCursor,
      },
      200,
    );
  });

  for (const [route, status] of [
    [routes.pauseAgent, "paused"],
    [routes.resumeAgent, "active"],
  ] as const) {
    app.openapi(route, async (c) =>
      c.json(toAgentResponse(await agents.setStatus(c.req.valid("param").agent, status)), 200),
    );
  }

  app.openapi(routes.upgradeAgent, async (c) => {
    const { to, dryRun } = c.req.valid("json");
    const { agent, ...result } = await agents.upgrade(c.req.valid("param").agent, to, dryRun);
    return c.json({ ...result, ...(agent ? { agent: toAgentResponse(agent) } : {}) }, 200);
  });

  app.openapi(routes.rollbackAgent, async (c) =>
    c.json(
      toAgentResponse(await agents.rollback(c.req.valid("param").agent, c.req.valid("json").revision)),
      200,
    ),
  );
  return app;
}
