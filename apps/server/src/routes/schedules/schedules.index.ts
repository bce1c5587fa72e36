import type { Runtime } from "@agentrt/runtime";
import { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../../lib/types.js";
import * as routes from "./schedules.routes.js";

export function createScheduleRoutes({
  store,
  agents,
  schedules,
}: Pick<Runtime, "store" | "agents" | "schedules">) {
  const app = new OpenAPIHono<AppEnv>();

  app.openapi(routes.createSchedule, async (c) => {
    const body = c.req.valid("json");
    const schedule = await schedules.create({
      ...body,
      input: body.input ?? null,
      webhookUrl: body.webhookUrl ?? null,
    });
    return c.json(schedule, 201, { location: `/v1/schedules/${schedule.id}` });
  });

  app.openapi(routes.listSchedules, async (c) => {
    const { limit, cursor, agent } = c.req.valid("query");
    const agentId = agent ? (await agents.get(agent)).id : undefined;
    const page = await store.schedules.list({ limit, cursor, agentId });
    return c.json({ data: page.items, nextCursor: page.nextCursor }, 200);
  });

  app.openapi(routes.getSchedule, async (c) => c.json(await schedules.get(c.req.valid("param").id), 200));

  app.openapi(routes.updateSchedule, async (c) =>
    c.json(await schedules.update(c.req.valid("param").id, c.req.valid("json")), 200),
  );

  app.openapi(routes.pauseSchedule, async (c) =>
    c.json(await schedules.update(c.req.valid("param").id, { enabled: false }), 200),
  );

  app.openapi(routes.resumeSchedule, async (c) =>
    c.json(await schedules.update(c.req.valid("param").id, { enabled: true }), 200),
  );

  app.openapi(routes.deleteSchedule, async (c) => {
    await schedules.delete(c.req.valid("param").id);
    return c.body(null, 204);
  });
  return app;
}
