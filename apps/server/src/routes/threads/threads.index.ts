import { createId } from "@agentrt/core";
import { OpenAPIHono } from "@hono/zod-openapi";
import type { AppServices } from "../../lib/services.js";
import type { AppEnv } from "../../lib/types.js";
import { getAgentOrThrow } from "../agents/agents.service.js";
import * as routes from "./threads.routes.js";
import { deleteThread, getThreadOrThrow, readThreadMessages } from "./threads.service.js";

export function createThreadRoutes(services: AppServices) {
  const { store } = services;
  const app = new OpenAPIHono<AppEnv>();

  app.openapi(routes.createThread, async (c) => {
    const { agent, metadata } = c.req.valid("json");
    const agentId = agent ? (await getAgentOrThrow(services, agent)).id : null;
    const thread = await store.threads.create({ id: createId("thr"), agentId, metadata: metadata ?? {} });
    c.header("location", `/v1/threads/${thread.id}`);
    return c.json(thread, 201);
  });

  app.openapi(routes.listThreads, async (c) => {
    const { limit, cursor, agent } = c.req.valid("query");
    const agentId = agent ? (await getAgentOrThrow(services, agent)).id : undefined;
    const page = await store.threads.list({ limit, cursor, agentId });
    return c.json({ data: page.items, nextCursor: page.nextCursor }, 200);
  });

  app.openapi(routes.getThread, async (c) =>
    c.json(await getThreadOrThrow(services, c.req.valid("param").id), 200),
  );

  app.openapi(routes.listThreadMessages, async (c) => {
    const { id } = await getThreadOrThrow(services, c.req.valid("param").id);
    return c.json({ data: await readThreadMessages(services, id) }, 200);
  });

  app.openapi(routes.deleteThread, async (c) => {
    const { id } = await getThreadOrThrow(services, c.req.valid("param").id);
    await deleteThread(services, id);
    return c.body(null, 204);
  });
  return app;
}
