import { ApiKeyRefSchema } from "@agentrt/core";
import { type PathCheck, requestTemplateIssues } from "@agentrt/egress";
import { z } from "zod";
import { callerParamsPolicySchema } from "./caller-params.js";

/** How much history the model sees each turn. The thread itself always keeps every message. */
export const memorySchema = z
  .strictObject({
    /** `messages` counts messages; `tokens` estimates tokens (about 4 characters per token). */
    strategy: z.enum(["messages", "tokens"]).default("messages"),
    /** With `messages`: how many of the most recent conversation messages are sent. */
    maxMessages: z.int().min(1).max(10_000).default(50),
    /** With `tokens`: the token budget for the history including the system prompt. */
    maxTokens: z.int().min(1).optional(),
    /** `oldest`: drop the oldest messages first; the system prompt and the newest message always stay. */
    trim: z.literal("oldest").default("oldest"),
  })
  .refine((memory) => memory.strategy !== "tokens" || memory.maxTokens !== undefined, {
    path: ["maxTokens"],
    message: 'memory.maxTokens is required when memory.strategy is "tokens"',
  });
export type MemoryPolicy = z.infer<typeof memorySchema>;

/** What an http tool's placeholders may read: the model's arguments, `args`. */
export const TOOL_ARGUMENTS: PathCheck = (segments, text) =>
  segments[0] === "args" ? undefined : `"${text}" must start with "args" (the model's arguments)`;

/**
 * A server-side tool: the agent runs it itself and gives the model its result. `agent` calls another
 * agent by name through the host (the agent-call depth limit applies); the model sees that agent's
 * input schema as the tool's parameters (an object schema as it is, any other as an `input`
 * argument, none as one `input` string) unless `parameters` replaces it.
 * `http` renders a request template (`@agentrt/egress`'s, shared with the task template's http
 * step) from the model's arguments and gives it the answer. `mcp` offers the tools of an
 * MCP server the operator configured.
 */
export const serverToolSchema = z.discriminatedUnion("type", [
  z.strictObject({
    type: z.literal("agent"),
    /** The tool's name as the model sees it. */
    name: z.string().regex(/^[\w-]{1,64}$/),
    description: z.string().min(1).max(2000),
    /** The agent to call, by name or id. */
    agent: z.string().min(1).max(200),
    /**
     * JSON Schema (an object schema) the model's arguments follow instead of the called agent's
     * input schema; the arguments object is then the agent's input.
     */
    parameters: z.record(z.string(), z.unknown()).optional(),
  }),
  z
    .strictObject({
      type: z.literal("http"),
      name: z.string().regex(/^[\w-]{1,64}$/),
      description: z.string().min(1).max(2000),
      /** JSON Schema of the arguments the model sends (an object schema). */
      parameters: z.record(z.string(), z.unknown()).default({ type: "object", properties: {} }),
      method: z.enum(["GET", "POST", "PUT", "PATCH", "DELETE"]).default("POST"),
      /**
       * Where the request goes: a written-out http(s) origin, then a path and query that may hold
       * `{{args.x}}` placeholders (percent-encoded, they never change the origin). The operator's
       * egress policy applies (no internal address unless allowed).
       */
      url: z.string().min(1).max(4000),
      /**
       * Request headers: text that may hold placeholders, or a value from an env variable or a
       * secret (`{ "env": … }` / `{ "secret": … }`), read per call.
       */
      headers: z.record(z.string(), z.union([z.string(), ApiKeyRefSchema])).default({}),
      /**
       * The body: a string is sent as text, any other JSON value as JSON, a string that is exactly
       * one placeholder (`"{{args.items}}"`) keeping the argument's JSON type.
       */
      body: z.json().optional(),
    })
    .superRefine((tool, ctx) => {
      for (const issue of requestTemplateIssues(tool, { check: TOOL_ARGUMENTS })) {
        ctx.addIssue({ code: "custom", ...issue });
      }
    }),
  z.strictObject({
    type: z.literal("mcp"),
    /** An MCP server from the operator's settings (`mcpServers`), by name; never a URL. */
    server: z.string().min(1).max(200),
    /** When set, only these of the server's tools (after the operator's allow-list). */
    tools: z.array(z.string().min(1)).min(1).optional(),
  }),
]);
export type ServerToolConfig = z.infer<typeof serverToolSchema>;

export const configSchema = z.strictObject({
  /** Model name as the provider knows it, e.g. `gpt-4o-mini` or `llama3.1`. */
  model: z.string().min(1),
  /** Base URL of any OpenAI-compatible API (OpenAI, Ollama, vLLM, a gateway), ending in `/v1` usually. */
  baseUrl: z.url({ protocol: /^https?$/ }).default("https://api.openai.com/v1"),
  apiKey: ApiKeyRefSchema.default({ env: "OPENAI_API_KEY" }),
  systemPrompt: z.string().min(1).optional(),
  temperature: z.number().min(0).max(2).optional(),
  topP: z.number().min(0).max(1).optional(),
  /** Upper bound on completion tokens per reply. */
  maxTokens: z.int().min(1).optional(),
  memory: memorySchema.prefault({}),
  /** Which OpenAI request fields callers may set per request (chat completions or a run's `params`). */
  callerParams: callerParamsPolicySchema,
  /** How long to wait for the provider to start answering (per attempt); the run timeout bounds the rest. */
  requestTimeoutMs: z.int().min(1).max(3_600_000).default(60_000),
  /** Retries of a failed upstream request before any token arrived (5xx, 429, network errors). */
  maxRetries: z.int().min(0).max(10).default(1),
  /** Tools the agent runs itself; the model may call several at once (they run in parallel). */
  tools: z
    .array(serverToolSchema)
    .max(64)
    .default([])
    .refine(
      (tools) => {
        const names = tools.flatMap((tool) => (tool.type === "mcp" ? [] : [tool.name]));
        return new Set(names).size === names.length;
      },
      { message: "tool names must be unique" },
    ),
  /** Model calls with tool results per run before the run fails with `conversation.TOOL_ROUNDS_EXCEEDED`. */
  maxToolRounds: z.int().min(1).max(100).default(8),
  /** How long one tool call may take; past it the model gets a timeout error as the result. */
  toolTimeoutMs: z.int().min(1).max(600_000).default(30_000),
  /** Longer tool results are cut to this many characters (with a note) before the model sees them. */
  maxToolResultChars: z.int().min(100).max(1_000_000).default(20_000),
});
export type ConversationConfig = z.infer<typeof configSchema>;
