import type { Runtime } from "@agentrt/runtime";
import { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../../lib/types.js";
import * as routes from "./threads.routes.js";

export function createThreadRoutes({
  threads,
  agents,
  store,
}: Pick<Runtime, "threads" | "agents" | "store">) {
  const app = new OpenAPIHono<AppEnv>();

  app.openapi(routes.createThread, async (c) => {
    const { agent, metadata } = c.req.valid("json");
    const agentId = agent ? (await agents.get(agent)).id : null;
    const thread = await threads.create({ agentId, metadata: metadata ?? {} });
    c.header("location", `/v1/threads/${thread.id}`);
    return c.json(thread, 201);
  });

  app.openapi(routes.listThreads, async (c) => {
    const { limit, cursor, agent } = c.req.valid("query");
    const agentId = agent ? (await agents.get(agent)).id : undefined;
    const page = await store.threads.list({ limit, cursor, agentId });
    return c.json({ data: page.items, nextCursor: page.nextCursor }, 200);
  });

  app.openapi(routes.getThread, async (c) => c.json(await threads.get(c.req.valid("param").id), 200));

  app.openapi(routes.listThreadMessages, async (c) =>
    c.json({ data: await threads.messages(c.req.valid("param").id) }, 200),
  );

  app.openapi(routes.deleteThread, async (c) => {
    await threads.delete(c.req.valid("param").id);
    return c.body(null, 204);
  });
  return app;
}
