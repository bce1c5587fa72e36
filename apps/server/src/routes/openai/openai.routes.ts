import { ChatParamsSchema, ToolCallSchema } from "@agentrt/core";
import { z } from "@hono/zod-openapi";
import {
  defineApiRoute,
  jsonBody,
  jsonContent,
  MultitaskStrategySchema,
  OnDisconnectSchema,
  OPENAI_TOO_MANY_REQUESTS,
} from "../../lib/openapi.js";
import { chatFieldsTable } from "./chat-fields.js";

export const OPENAI_ERROR_SCHEMA = "OpenAIError";

/** OpenAI's error JSON: what every error on these routes looks like (problem+json elsewhere). */
export const OpenAiErrorSchema = z
  .object({
    error: z.object({
      message: z.string(),
      type: z.string().openapi({ example: "invalid_request_error" }),
      param: z.string().nullable(),
      code: z.string().nullable().openapi({ example: "model_not_found" }),
    }),
  })
  .openapi(OPENAI_ERROR_SCHEMA);

const error = (description: string) => jsonContent(OpenAiErrorSchema, description);

/** Replaces the problem+json error responses `defineApiRoute` documents by default. */
const openAiErrors = {
  400: error("Malformed or unsupported request (`invalid_request_error`, `param` names the field)"),
  401: error("Missing or invalid API key (`invalid_api_key`)"),
  403: error("The API key lacks the scope this route needs"),
  404: error("No such model (`model_not_found`) or thread (`thread_not_found`)"),
  429: OPENAI_TOO_MANY_REQUESTS,
} as const;

export const ModelSchema = z
  .object({
    id: z.string().openapi({
      description: "The agent's name; `name@revision` pins a config revision",
      example: "support-bot",
    }),
    object: z.literal("model"),
    created: z.number().int().openapi({ description: "Unix seconds" }),
    owned_by: z.literal("agentrt"),
    agentrt: z
      .object({
        template: z.string(),
        params: z.array(z.string()).openapi({ description: "Chat params callers may set for this agent" }),
        unsupported_params: z
          .enum(["ignore", "refuse"])
          .openapi({ description: "What happens to other sampling hints: ignored and named, or refused" }),
      })
      .optional()
      .openapi({ description: "agentrt's extension: how this agent treats request fields" }),
  })
  .openapi("Model");

const TextPartSchema = z.looseObject({ type: z.string(), text: z.string().optional() });

export const ChatMessageSchema = z.looseObject({
  role: z.enum(["system", "developer", "user", "assistant", "tool"]),
  content: z
    .union([z.string(), z.array(TextPartSchema)])
    .nullable()
    .optional()
    .openapi({ description: "Text, or text parts (other part types are refused)" }),
  name: z.string().optional(),
  tool_calls: z
    .array(ToolCallSchema)
    .nullable()
    .optional()
    .openapi({ description: "On an assistant message: the tool calls the agent handed back earlier" }),
  tool_call_id: z
    .string()
    .optional()
    .openapi({ description: "On a tool message: the id of the call this is the result of" }),
});

type ChatParamShape = typeof ChatParamsSchema.shape;
/** Clients send `null` for "not set", as OpenAI allows. */
const nullableChatParams = Object.fromEntries(
  Object.entries(ChatParamsSchema.shape).map(([name, schema]) => [name, schema.nullable()]),
) as { [K in keyof ChatParamShape]: z.ZodNullable<ChatParamShape[K]> };

export const ChatCompletionRequestSchema = z
  .looseObject({
    model: z
      .string()
      .min(1)
      .max(200)
      .openapi({ description: "Agent name (or id); `name@revision` runs that config revision" }),
    messages: z.array(ChatMessageSchema).min(1),
    stream: z.boolean().nullable().optional(),
    stream_options: z.looseObject({ include_usage: z.boolean().optional() }).nullable().optional(),
    store: z.boolean().nullable().optional().openapi({
      description:
        "`true` keeps a stateless completion as a run (`GET /v1/runs`); without it nothing is stored, as at OpenAI. Completions on a thread are always stored.",
    }),
    metadata: z
      .looseObject({
        thread_id: z.string().min(1).max(100).optional(),
        multitask_strategy: MultitaskStrategySchema.optional(),
        on_disconnect: OnDisconnectSchema.optional(),
      })
      .nullable()
      .optional()
      .openapi({
        description:
          "`thread_id` continues a thread; `multitask_strategy` and `on_disconnect` as the headers",
      }),
    // OpenAI's names and ranges for the fields an agent may honour, so a malformed one is a 400 here.
    ...nullableChatParams,
  })
  .openapi("ChatCompletionRequest", {
    description: `What agentrt does with each request field:\n\n${chatFieldsTable()}`,
  });

export const ChatHeadersSchema = z.object({
  "x-agentrt-thread-id": z.string().min(1).max(100).optional().openapi({
    description: "Continue this thread: its memory is used and extended; send only the new user message(s)",
  }),
  "x-agentrt-multitask-strategy": MultitaskStrategySchema.optional(),
  "x-agentrt-on-disconnect": OnDisconnectSchema.optional(),
});

const UsageSchema = z.object({
  prompt_tokens: z.number().int(),
  completion_tokens: z.number().int(),
  total_tokens: z.number().int(),
});

export const ChatCompletionSchema = z
  .object({
    id: z.string().openapi({ description: "`chatcmpl-` + the run id" }),
    object: z.literal("chat.completion"),
    created: z.number().int(),
    model: z.string(),
    system_fingerprint: z.null(),
    choices: z.array(
      z.object({
        index: z.number().int(),
        message: z.object({
          role: z.literal("assistant"),
          content: z.string().nullable().openapi({ description: "`null` when the reply only calls tools" }),
          refusal: z.null(),
          tool_calls: z
            .array(ToolCallSchema)
            .optional()
            .openapi({ description: "Calls of the tools the request declared: run them, send the results" }),
        }),
        logprobs: z.null(),
        finish_reason: z.enum(["stop", "tool_calls"]),
      }),
    ),
    usage: UsageSchema,
  })
  .openapi("ChatCompletion");

const tags = ["OpenAI-compatible"];

export const listModels = defineApiRoute({
  method: "get",
  path: "/v1/models",
  tags,
  scope: "read",
  openAiErrors: true,
  summary: "Agents as OpenAI models: every active agent this key may invoke",
  responses: {
    ...openAiErrors,
    200: jsonContent(
      z.object({ object: z.literal("list"), data: z.array(ModelSchema) }).openapi("ModelList"),
      "The models",
    ),
  },
});

export const getModel = defineApiRoute({
  method: "get",
  path: "/v1/models/{model}",
  tags,
  scope: "read",
  openAiErrors: true,
  summary: "One agent as an OpenAI model",
  request: {
    params: z.object({
      model: z
        .string()
        .min(1)
        .max(200)
        .openapi({ param: { name: "model", in: "path" } }),
    }),
  },
  responses: { ...openAiErrors, 200: jsonContent(ModelSchema, "The model") },
});

export const createChatCompletion = defineApiRoute({
  method: "post",
  path: "/v1/chat/completions",
  tags,
  scope: "invoke",
  openAiErrors: true,
  summary: "Talk to an agent through OpenAI's Chat Completions API",
  description: [
    "`model` is the agent. Without a thread the request is stateless: `messages` is the whole history.",
    "With a thread (header `X-Agentrt-Thread-Id` or `metadata.thread_id`) the thread's memory is used and extended, and only the trailing user and tool message(s) are taken from `messages`.",
    '`tools` the request declares are the caller\'s: when the model calls one the answer carries `tool_calls` with `finish_reason: "tool_calls"`; the next request brings the results as `role: "tool"` messages and the run continues.',
    "Agents other than conversation agents get the last user message's text as input; their output is the reply.",
    "`stream: true` answers with `chat.completion.chunk` SSE events and `data: [DONE]`.",
    "Like OpenAI, a stateless completion is not stored unless the request says `store: true` (or the agent's `retention.storeCompletions` does): it still counts in metrics, traces, rate limits and the agent's limits, but leaves no run behind (no `x-agentrt-run-id` header). A completion on a thread is always stored as a run.",
    "Request fields the agent ignored are named in the `x-agentrt-ignored-params` response header; the full table is in the `ChatCompletionRequest` schema.",
  ].join("\n\n"),
  request: { headers: ChatHeadersSchema, body: jsonBody(ChatCompletionRequestSchema) },
  responses: {
    ...openAiErrors,
    200: {
      description: "The completion, or with `stream: true` its chunks as SSE",
      content: {
        "application/json": { schema: ChatCompletionSchema },
        "text/event-stream": {
          schema: z
            .string()
            .openapi({ description: "`data: <chat.completion.chunk>` lines, then `data: [DONE]`" }),
        },
      },
    },
    409: error("The agent is paused (`agent_paused`) or the thread is busy (`thread_busy`)"),
    422: error(
      "The agent's run failed (`run_failed`, or the template's own code); `x-should-retry: false`: retrying would run it again",
    ),
    502: error(
      "The agent's model provider failed (`upstream_error`); retryable (`x-should-retry: true`) only when it could not be reached before the run did anything",
    ),
    504: error("The run timed out (`run_timeout`)"),
  },
});
