import type { RunRecord, Runtime } from "@agentrt/runtime";
import { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import { DEFAULT_ON_DISCONNECT, RUN_ID_HEADER } from "../../lib/openapi.js";
import type { AppServices } from "../../lib/services.js";
import { createSseResponse } from "../../lib/sse.js";
import type { AppEnv } from "../../lib/types.js";
import * as routes from "./runs.routes.js";

export function toRunResponse(run: RunRecord) {
  // The invokeAgent depth, the stored trace context and request id are the engine's bookkeeping,
  // not part of the API's run.
  const { invokeDepth: _depth, traceParent: _parent, traceState: _state, requestId: _request, ...rest } = run;
  return { ...rest, input: run.input ?? null, output: run.output ?? null };
}

export function createRunRoutes({
  runtime,
  config,
  logger,
}: Pick<AppServices, "runtime" | "config" | "logger">) {
  const { store, engine, agents, runs }: Runtime = runtime;
  const app = new OpenAPIHono<AppEnv>();
  const sseOptions = (c: Context<AppEnv>, runId: string) => ({
    heartbeatMs: config.sseHeartbeatMs,
    stallMs: config.sseStallMs,
    disconnect() {
      logger.warn("closed a run's event stream: its client took nothing for AGENTRT_SSE_STALL_MS", { runId });
      c.env.outgoing.destroy();
    },
  });

  app.openapi(routes.createRun, async (c) => {
    const agent = await agents.get(c.req.valid("param").agent);
    const body = c.req.valid("json");
    const { run } = await runs.submit({
      agent,
      input: body.input ?? null,
      threadId: body.threadId ?? null,
      idempotencyKey: body.idempotencyKey ?? null,
      webhookUrl: body.webhookUrl ?? null,
      multitaskStrategy: body.multitaskStrategy,
      ...(body.timeoutMs !== undefined ? { timeoutMs: body.timeoutMs } : {}),
    });
    const headers = { location: `/v1/runs/${run.id}`, [RUN_ID_HEADER]: run.id };
    if (body.mode === "background") return c.json(toRunResponse(run), 202, headers);
    // A run that has finished is not cancellable any more; that refusal is expected here.
    const onDisconnect = () => {
      if ((body.onDisconnect ?? DEFAULT_ON_DISCONNECT) === "cancel") engine.cancel(run.id).catch(() => {});
    };
    if (body.mode === "stream") {
      return createSseResponse((signal) => engine.followBatches(run.id, 0, signal), {
        ...sseOptions(c, run.id),
        headers,
        onCancel: onDisconnect,
      }) as never;
    }
    const signal = c.req.raw.signal;
    signal.addEventListener("abort", onDisconnect);
    try {
      return c.json(toRunResponse(await engine.wait(run.id, signal)), 200, headers);
    } finally {
      signal.removeEventListener("abort", onDisconnect);
    }
  });

  app.openapi(routes.listRuns, async (c) => {
    const { limit, cursor, agent, status, thread } = c.req.valid("query");
    const agentId = agent ? (await agents.get(agent)).id : undefined;
    const page = await store.runs.list({ limit, cursor, agentId, status, threadId: thread });
    return c.json({ data: page.items.map(toRunResponse), nextCursor: page.nextCursor }, 200);
  });

  app.openapi(routes.getRun, async (c) =>
    c.json(toRunResponse(await runs.get(c.req.valid("param").id)), 200),
  );

  app.openapi(routes.cancelRun, async (c) => {
    // Through the use case first, so a removed run answers RUN_EXPIRED / RUN_DELETED here too.
    const { id } = await runs.get(c.req.valid("param").id);
    return c.json(toRunResponse(await engine.cancel(id)), 200);
  });

  app.openapi(routes.runEvents, async (c) => {
    const { id } = await runs.get(c.req.valid("param").id);
    const lastEventId = c.req.valid("header")["last-event-id"];
    const after = lastEventId !== undefined ? Number(lastEventId) : (c.req.valid("query").after ?? 0);
    return createSseResponse((signal) => engine.followBatches(id, after, signal), sseOptions(c, id)) as never;
  });

  app.openapi(routes.deleteRun, async (c) => {
    await runs.delete(c.req.valid("param").id);
    return c.body(null, 204);
  });

  app.openapi(routes.deleteAgentRuns, async (c) => {
    const agent = await agents.get(c.req.valid("param").agent);
    const before = new Date(c.req.valid("query").before).toISOString();
    return c.json({ deleted: await runs.deleteBefore(agent.id, before) }, 200);
  });
  return app;
}
