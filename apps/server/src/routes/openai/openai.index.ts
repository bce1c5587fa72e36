import { AgentrtError, ErrorCode } from "@agentrt/core";
import { OpenAPIHono } from "@hono/zod-openapi";
import { hasScope } from "../../lib/auth.js";
import type { AppServices } from "../../lib/services.js";
import type { AppEnv } from "../../lib/types.js";
import { submitRun } from "../threads/threads.service.js";
import { type ChatEvent, chatEvents } from "./chat-events.js";
import { toRunInput } from "./chat-input.js";
import { type CompletionIdentity, chatCompletion, chatStreamResponse } from "./chat-stream.js";
import { getInvocableModel, listActiveAgents, modelNotFound, resolveModel, toModel } from "./models.js";
import * as routes from "./openai.routes.js";

export function createOpenAiRoutes(services: AppServices) {
  const { engine } = services;
  const app = new OpenAPIHono<AppEnv>();

  // A model is an agent this key may invoke; a read-only key may invoke none.
  app.openapi(routes.listModels, async (c) => {
    const agents = hasScope(c.get("apiKey").scopes, "invoke") ? await listActiveAgents(services) : [];
    return c.json({ object: "list" as const, data: agents.map((agent) => toModel(agent)) }, 200);
  });

  app.openapi(routes.getModel, async (c) => {
    const { model } = c.req.valid("param");
    // Like OpenAI for a model the key can't use: the same answer as for a missing one.
    if (!hasScope(c.get("apiKey").scopes, "invoke"))
      throw modelNotFound(model, "this API key may not invoke agents");
    return c.json(toModel(await getInvocableModel(services, model), model), 200);
  });

  app.openapi(routes.createChatCompletion, async (c) => {
    const body = c.req.valid("json");
    const headers = c.req.valid("header");
    // A paused agent is not listed as a model, but calling it says why it can't answer (409 agent_paused).
    const agent = await resolveModel(services, body.model);
    const threadId = headers["x-agentrt-thread-id"] ?? body.metadata?.thread_id;
    const input = toRunInput(agent.templateName, body.messages, threadId !== undefined);
    const { run } = await submitRun(
      services,
      { agent, input, threadId: threadId ?? null },
      headers["x-agentrt-multitask-strategy"] ?? body.metadata?.multitask_strategy,
    );

    // A client that goes away cancels the run, which aborts the agent's upstream model request.
    const abort = new AbortController();
    const requestSignal = c.req.raw.signal;
    const cancel = () => {
      requestSignal.removeEventListener("abort", cancel);
      if (abort.signal.aborted) return;
      abort.abort();
      engine.cancel(run.id).catch(() => {});
    };
    requestSignal.addEventListener("abort", cancel);
    if (requestSignal.aborted) cancel();
    const stopWatching = () => requestSignal.removeEventListener("abort", cancel);

    const identity: CompletionIdentity = {
      id: `chatcmpl-${run.id}`,
      created: Math.floor(Date.now() / 1000),
      model: body.model,
    };
    const responseHeaders: Record<string, string> = {
      "x-agentrt-run-id": run.id,
      ...(threadId ? { "x-agentrt-thread-id": threadId } : {}),
    };
    const events = chatEvents(engine.follow(run.id, 0, abort.signal));

    if (!body.stream) {
      let end: Extract<ChatEvent, { type: "end" }> | undefined;
      try {
        for await (const event of events) if (event.type === "end") end = event;
      } finally {
        stopWatching();
      }
      // Only a client that went away stops following before the end; nobody reads this answer.
      if (!end) throw new AgentrtError(ErrorCode.RUN_CANCELLED, "the client closed the connection");
      return c.json(chatCompletion(identity, end.text, end.usage), 200, responseHeaders);
    }

    // Waiting for the first event keeps a run that fails before any text an HTTP error.
    let first: IteratorResult<ChatEvent>;
    try {
      first = await events.next();
    } catch (error) {
      stopWatching();
      throw error;
    }
    return chatStreamResponse(identity, first, events, {
      includeUsage: body.stream_options?.include_usage === true,
      headers: responseHeaders,
      onCancel: cancel,
    }) as never;
  });
  return app;
}
