import { AgentrtError, ErrorCode, parseRunInput, type RunRecord } from "@agentrt/core";
import { OpenAPIHono } from "@hono/zod-openapi";
import type { AppServices } from "../../lib/services.js";
import { createSseResponse } from "../../lib/sse.js";
import type { AppEnv } from "../../lib/types.js";
import { getAgentOrThrow } from "../agents/agents.service.js";
import { submitRun } from "../threads/threads.service.js";
import * as routes from "./runs.routes.js";

export function toRunResponse(run: RunRecord) {
  return { ...run, input: run.input ?? null, output: run.output ?? null };
}

async function getRunOrThrow(services: AppServices, id: string): Promise<RunRecord> {
  const run = await services.store.runs.get(id);
  if (!run) throw new AgentrtError(ErrorCode.RUN_NOT_FOUND, `no run with id "${id}"`);
  return run;
}

export function createRunRoutes(services: AppServices) {
  const { store, engine, registry, config } = services;
  const app = new OpenAPIHono<AppEnv>();

  app.openapi(routes.createRun, async (c) => {
    const agent = await getAgentOrThrow(services, c.req.valid("param").agent);
    const body = c.req.valid("json");
    const loaded = registry.get(agent.templateName, agent.templateVersion);
    if (!loaded) {
      throw new AgentrtError(
        ErrorCode.TEMPLATE_VERSION_NOT_FOUND,
        `template ${agent.templateName}@${agent.templateVersion} is not installed; upgrade the agent`,
      );
    }
    const input = parseRunInput(loaded.template, body.input ?? null);
    const { run } = await submitRun(
      services,
      {
        agent,
        input,
        threadId: body.threadId ?? null,
        idempotencyKey: body.idempotencyKey ?? null,
        webhookUrl: body.webhookUrl ?? null,
        ...(body.timeoutMs !== undefined ? { timeoutMs: body.timeoutMs } : {}),
      },
      body.multitaskStrategy,
    );
    const location = { location: `/v1/runs/${run.id}` };
    if (body.mode === "background") return c.json(toRunResponse(run), 202, location);
    if (body.mode === "stream") {
      return createSseResponse((signal) => engine.follow(run.id, 0, signal), {
        heartbeatMs: config.sseHeartbeatMs,
        headers: { ...location, "x-run-id": run.id },
      }) as never;
    }
    return c.json(toRunResponse(await engine.wait(run.id, c.req.raw.signal)), 200, location);
  });

  app.openapi(routes.listRuns, async (c) => {
    const { limit, cursor, agent, status, thread } = c.req.valid("query");
    const agentId = agent ? (await getAgentOrThrow(services, agent)).id : undefined;
    const page = await store.runs.list({ limit, cursor, agentId, status, threadId: thread });
    return c.json({ data: page.items.map(toRunResponse), nextCursor: page.nextCursor }, 200);
  });

  app.openapi(routes.getRun, async (c) =>
    c.json(toRunResponse(await getRunOrThrow(services, c.req.valid("param").id)), 200),
  );

  app.openapi(routes.cancelRun, async (c) =>
    c.json(toRunResponse(await engine.cancel(c.req.valid("param").id)), 200),
  );

  app.openapi(routes.runEvents, async (c) => {
    const { id } = c.req.valid("param");
    await getRunOrThrow(services, id);
    const lastEventId = c.req.valid("header")["last-event-id"];
    const after = lastEventId !== undefined ? Number(lastEventId) : (c.req.valid("query").after ?? 0);
    return createSseResponse((signal) => engine.follow(id, after, signal), {
      heartbeatMs: config.sseHeartbeatMs,
    }) as never;
  });
  return app;
}
