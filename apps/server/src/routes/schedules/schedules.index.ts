import { AgentrtError, ErrorCode } from "@agentrt/core";
import { createId, nextFireTime, parseRunInput, parseSchedule, type Runtime } from "@agentrt/runtime";
import { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../../lib/types.js";
import * as routes from "./schedules.routes.js";

export function createScheduleRoutes({
  store,
  registry,
  agents,
  scheduler,
  engine,
}: Pick<Runtime, "store" | "registry" | "agents" | "scheduler" | "engine">) {
  const app = new OpenAPIHono<AppEnv>();

  app.openapi(routes.createSchedule, async (c) => {
    const body = c.req.valid("json");
    const agent = await agents.get(body.agent);
    parseSchedule(body.cron, body.timezone);
    const loaded = registry.get(agent.templateName, agent.templateVersion);
    const input = loaded ? parseRunInput(loaded.template, body.input ?? null) : (body.input ?? null);
    // Each run checks it again; refusing it here tells the caller now rather than at every tick.
    if (body.webhookUrl) await engine.checkWebhookUrl(body.webhookUrl);
    const schedule = await store.schedules.create({
      id: createId("sch"),
      agentId: agent.id,
      cron: body.cron,
      timezone: body.timezone,
      input,
      webhookUrl: body.webhookUrl ?? null,
      enabled: body.enabled,
      nextRunAt: body.enabled ? nextFireTime(body.cron, body.timezone) : null,
    });
    scheduler.wake();
    return c.json(schedule, 201, { location: `/v1/schedules/${schedule.id}` });
  });

  app.openapi(routes.listSchedules, async (c) => {
    const { limit, cursor, agent } = c.req.valid("query");
    const agentId = agent ? (await agents.get(agent)).id : undefined;
    const page = await store.schedules.list({ limit, cursor, agentId });
    return c.json({ data: page.items, nextCursor: page.nextCursor }, 200);
  });

  app.openapi(routes.getSchedule, async (c) => {
    const { id } = c.req.valid("param");
    const schedule = await store.schedules.get(id);
    if (!schedule) throw new AgentrtError(ErrorCode.SCHEDULE_NOT_FOUND, `no schedule with id "${id}"`);
    return c.json(schedule, 200);
  });

  app.openapi(routes.deleteSchedule, async (c) => {
    const { id } = c.req.valid("param");
    if (!(await store.schedules.delete(id)))
      throw new AgentrtError(ErrorCode.SCHEDULE_NOT_FOUND, `no schedule with id "${id}"`);
    return c.body(null, 204);
  });
  return app;
}
