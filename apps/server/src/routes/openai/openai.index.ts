import { AgentrtError, ErrorCode, isAgentrtError } from "@agentrt/core";
import { modelNotFound } from "@agentrt/runtime";
import { OpenAPIHono } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import { hasScope } from "../../lib/auth.js";
import { createErrorHandler, validationHook } from "../../lib/errors.js";
import { DEFAULT_ON_DISCONNECT, RUN_ID_HEADER } from "../../lib/openapi.js";
import { openAiErrorResponse } from "../../lib/problem.js";
import type { AppServices } from "../../lib/services.js";
import type { AppEnv } from "../../lib/types.js";
import { type ChatEvent, chatReader, nextChatEvent } from "./chat-events.js";
import { sortChatRequest } from "./chat-fields.js";
import { toChatMessages } from "./chat-messages.js";
import { type CompletionIdentity, chatCompletion, chatStreamResponse } from "./chat-stream.js";
import { toModel } from "./models.js";
import * as routes from "./openai.routes.js";
import { runFailureAnswer } from "./run-failure.js";

/**
 * The OpenAI-compatible API. Its clients parse OpenAI's error JSON, so this sub-app has its own
 * guards and error handler: every refusal on its paths, from a missing key to a failed run, is
 * written in OpenAI's shape.
 */
export function createOpenAiRoutes(services: AppServices, guards: MiddlewareHandler<AppEnv>[]) {
  const { runtime } = services;
  const { chat } = runtime;
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  app.onError(createErrorHandler(services.logger, runtime.errorStatus, openAiErrorResponse));
  app
    .use("/v1/chat/*", ...guards)
    .use("/v1/models", ...guards)
    .use("/v1/models/*", ...guards);

  // A model is an agent this key may invoke; a read-only key may invoke none.
  app.openapi(routes.listModels, async (c) => {
    const agents = hasScope(c.get("apiKey").scopes, "invoke") ? await chat.listModels() : [];
    return c.json(
      { object: "list" as const, data: agents.map((agent) => toModel(agent, chat.policyFor(agent))) },
      200,
    );
  });

  app.openapi(routes.getModel, async (c) => {
    const { model } = c.req.valid("param");
    // Like OpenAI for a model the key can't use: the same answer as for a missing one.
    if (!hasScope(c.get("apiKey").scopes, "invoke"))
      throw modelNotFound(model, "this API key may not invoke agents");
    const agent = await chat.resolveModel(model);
    // Paused agents are not listed as models.
    if (agent.status !== "active") throw modelNotFound(model, `agent "${agent.name}" is paused`);
    return c.json(toModel(agent, chat.policyFor(agent), model), 200);
  });

  app.openapi(routes.createChatCompletion, async (c) => {
    const body = c.req.valid("json");
    const headers = c.req.valid("header");
    // A paused agent is not listed as a model, but calling it says why it can't answer (409 agent_paused).
    const agent = await chat.resolveModel(body.model);
    const threadId = headers["x-agentrt-thread-id"] ?? body.metadata?.thread_id;
    const sorted = sortChatRequest(body);
    const prepared = chat.prepare(agent, toChatMessages(body.messages), { threadId, params: sorted.params });
    const run = await chat.start(agent, prepared, {
      threadId,
      store: body.store ?? undefined,
      multitaskStrategy: headers["x-agentrt-multitask-strategy"] ?? body.metadata?.multitask_strategy,
      stream: body.stream === true,
    });
    const ignored = [...sorted.ignored, ...prepared.ignored];
    // `store: false` can't take a thread's turn (or an agent that keeps completions) out of the journal.
    if (body.store === false && run.stored) ignored.push("store");

    // A client that goes away stops the following and, unless it chose `continue`, cancels the
    // run, which aborts the agent's upstream model request.
    const onDisconnect =
      headers["x-agentrt-on-disconnect"] ?? body.metadata?.on_disconnect ?? DEFAULT_ON_DISCONNECT;
    const abort = new AbortController();
    const requestSignal = c.req.raw.signal;
    const cancel = () => {
      requestSignal.removeEventListener("abort", cancel);
      if (abort.signal.aborted) return;
      abort.abort();
      if (onDisconnect === "cancel") run.cancel();
    };
    requestSignal.addEventListener("abort", cancel);
    if (requestSignal.aborted) cancel();
    const stopWatching = () => requestSignal.removeEventListener("abort", cancel);

    const identity: CompletionIdentity = {
      id: `chatcmpl-${run.runId}`,
      created: Math.floor(Date.now() / 1000),
      model: body.model,
    };
    const responseHeaders: Record<string, string> = {};
    // Only a stored run can be looked up by its id.
    if (run.stored) responseHeaders[RUN_ID_HEADER] = run.runId;
    if (threadId) responseHeaders["x-agentrt-thread-id"] = threadId;
    // Never silent: what the request asked for that this answer does not reflect.
    if (ignored.length > 0) responseHeaders["x-agentrt-ignored-params"] = ignored.join(", ");
    const followed = run.events(abort.signal);
    const read = chatReader(prepared);
    // A failed run is answered so that no client retries what the run already did.
    const failed = (error: unknown) => {
      const answer =
        isAgentrtError(error) &&
        runFailureAnswer(error, run.stored ? run.runId : undefined, runtime.errorStatus);
      if (!answer) throw error;
      return c.json(answer.body, answer.status, { ...responseHeaders, ...answer.headers });
    };

    if (!body.stream) {
      let end: Extract<ChatEvent, { type: "end" }> | undefined;
      try {
        for await (const event of followed) {
          const chat = read(event);
          if (chat?.type === "end") end = chat;
        }
      } catch (error) {
        return failed(error) as never;
      } finally {
        stopWatching();
      }
      // Only a client that went away stops following before the end; nobody reads this answer.
      if (!end) throw new AgentrtError(ErrorCode.RUN_CANCELLED, "the client closed the connection");
      return c.json(chatCompletion(identity, end), 200, responseHeaders);
    }

    // Waiting for the first event keeps a run that fails before any text an HTTP error.
    const events = followed[Symbol.asyncIterator]();
    let first: ChatEvent | undefined;
    try {
      first = await nextChatEvent(events, read);
    } catch (error) {
      stopWatching();
      void events.return?.(undefined);
      return failed(error) as never;
    }
    return (await chatStreamResponse(identity, first, events, read, {
      includeUsage: body.stream_options?.include_usage === true,
      headers: responseHeaders,
      onCancel: cancel,
      onEnd: stopWatching,
      templateStatus: runtime.errorStatus,
    })) as never;
  });
  return app;
}
