import { OpenAPIHono } from "@hono/zod-openapi";
import type { AppServices } from "../../lib/services.js";
import type { AppEnv } from "../../lib/types.js";
import * as routes from "./agents.routes.js";
import {
  createAgent,
  getAgentOrThrow,
  toAgentResponse,
  updateAgent,
  upgradeAgent,
} from "./agents.service.js";

export function createAgentRoutes(services: AppServices) {
  const { store } = services;
  const app = new OpenAPIHono<AppEnv>();

  app.openapi(routes.createAgent, async (c) => {
    const agent = await createAgent(services, c.req.valid("json"));
    c.header("location", `/v1/agents/${agent.id}`);
    return c.json(toAgentResponse(agent), 201);
  });

  app.openapi(routes.listAgents, async (c) => {
    const { limit, cursor, template, status } = c.req.valid("query");
    const page = await store.agents.list({ limit, cursor, templateName: template, status });
    return c.json({ data: page.items.map(toAgentResponse), nextCursor: page.nextCursor }, 200);
  });

  app.openapi(routes.getAgent, async (c) =>
    c.json(toAgentResponse(await getAgentOrThrow(services, c.req.valid("param").agent)), 200),
  );

  app.openapi(routes.updateAgent, async (c) => {
    const agent = await getAgentOrThrow(services, c.req.valid("param").agent);
    return c.json(toAgentResponse(await updateAgent(services, agent, c.req.valid("json"))), 200);
  });

  app.openapi(routes.deleteAgent, async (c) => {
    const agent = await getAgentOrThrow(services, c.req.valid("param").agent);
    await services.engine.invalidateAgent(agent.id);
    await store.agents.delete(agent.id);
    return c.body(null, 204);
  });

  app.openapi(routes.listRevisions, async (c) => {
    const agent = await getAgentOrThrow(services, c.req.valid("param").agent);
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
    app.openapi(route, async (c) => {
      const agent = await getAgentOrThrow(services, c.req.valid("param").agent);
      return c.json(toAgentResponse(await store.agents.update(agent.id, { status })), 200);
    });
  }

  app.openapi(routes.upgradeAgent, async (c) => {
    const agent = await getAgentOrThrow(services, c.req.valid("param").agent);
    const { to, dryRun } = c.req.valid("json");
    return c.json(await upgradeAgent(services, agent, to, dryRun), 200);
  });
  return app;
}
