import { z } from "zod";
import type { ServiceRefs } from "./services.js";
import type { TemplateContext } from "./template.js";

/** A function call a model made, in OpenAI's shape: `arguments` is JSON text as the model wrote it. */
export const ToolCallSchema = z.object({
  id: z.string().min(1).max(200),
  type: z.literal("function"),
  function: z.object({ name: z.string().min(1).max(200), arguments: z.string() }),
});
export type ToolCall = z.infer<typeof ToolCallSchema>;

/** A chat message as hosts hand it to templates: OpenAI's roles, content already reduced to text. */
export const ChatMessageSchema = z.object({
  role: z.enum(["system", "developer", "user", "assistant", "tool"]),
  content: z.string(),
  /** On an assistant message: the tools the model called. */
  tool_calls: z.array(ToolCallSchema).optional(),
  /** On a tool message: the call whose result it is. */
  tool_call_id: z.string().optional(),
});
export type ChatMessage = z.infer<typeof ChatMessageSchema>;

/** A tool a caller declares for the model to call (OpenAI's function tool); the caller runs it. */
export const ToolDefinitionSchema = z.object({
  type: z.literal("function"),
  function: z.looseObject({
    name: z.string().regex(/^[\w-]{1,64}$/),
    description: z.string().optional(),
    /** JSON Schema of the arguments. */
    parameters: z.record(z.string(), z.unknown()).optional(),
    strict: z.boolean().nullable().optional(),
  }),
});
export type ToolDefinition = z.infer<typeof ToolDefinitionSchema>;

/** One message of a thread's transcript, as `GET /v1/threads/{id}/messages` shows it. */
export const ThreadMessageSchema = z.object({
  id: z.string().nullable(),
  role: z.enum(["user", "assistant", "system", "tool"]),
  content: z.string(),
});
export type ThreadMessage = z.infer<typeof ThreadMessageSchema>;

/**
 * Chat Completions request fields whose outcome depends on the agent: sampling hints and the output
 * format, with OpenAI's names and ranges. The host handles every other field itself.
 */
export const ChatParamsSchema = z
  .strictObject({
    temperature: z.number().min(0).max(2),
    top_p: z.number().min(0).max(1),
    max_tokens: z.int().min(1),
    max_completion_tokens: z.int().min(1),
    stop: z.union([z.string(), z.array(z.string()).max(4)]),
    seed: z.int(),
    frequency_penalty: z.number().min(-2).max(2),
    presence_penalty: z.number().min(-2).max(2),
    logit_bias: z.record(z.string(), z.number().min(-100).max(100)),
    reasoning_effort: z.enum(["minimal", "low", "medium", "high"]),
    verbosity: z.enum(["low", "medium", "high"]),
    response_format: z.discriminatedUnion("type", [
      z.looseObject({ type: z.literal("text") }),
      z.looseObject({ type: z.literal("json_object") }),
      z.looseObject({
        type: z.literal("json_schema"),
        json_schema: z.looseObject({
          name: z.string().regex(/^[\w-]{1,64}$/),
          schema: z.record(z.string(), z.unknown()).optional(),
        }),
      }),
    ]),
    /** Client-side tools: the model may call them; the reply hands the calls back to the caller. */
    tools: z.array(ToolDefinitionSchema).max(128),
    tool_choice: z.union([
      z.enum(["none", "auto", "required"]),
      z.object({ type: z.literal("function"), function: z.object({ name: z.string() }) }),
    ]),
    parallel_tool_calls: z.boolean(),
  })
  .partial();
export type ChatParams = z.infer<typeof ChatParamsSchema>;

/** The names of the chat params. */
export const ChatParamSchema = ChatParamsSchema.keyof();
export type ChatParam = z.infer<typeof ChatParamSchema>;

/** What an agent does with the chat params a caller sends. */
export interface ChatParamPolicy {
  /** Passed to `toInput` when sent. */
  honoured: readonly ChatParam[];
  /**
   * Any other sampling hint: `refuse` answers 400 `unsupported_parameter`; `ignore` runs without it
   * and names it in the response's `x-agentrt-ignored-params` header. An output format
   * (`response_format` other than text) that is not honoured is always refused.
   */
  otherwise: "refuse" | "ignore";
}

/**
 * The template speaks chat: the host's OpenAI-compatible API turns chat messages into this
 * template's run input and its output into the reply. Without it, agents get the last user
 * message's text and their output is shown as text (JSON for anything but a string).
 */
export interface ChatCapability {
  /**
   * The run input for a chat request. On a thread (`threadId` set) the thread already holds the
   * earlier turns. `params` holds the honoured chat params the caller sent. Throw
   * `VALIDATION_FAILED` with issue paths like `["messages", 2, "role"]`.
   */
  toInput(messages: ChatMessage[], options: { threadId: string | undefined; params: ChatParams }): unknown;
  /** The assistant's reply text in a succeeded run's output. */
  replyText(output: unknown): string;
  /**
   * The calls of caller-declared tools (`tools` param) a succeeded run's output hands back; the
   * reply then ends with `finish_reason: "tool_calls"`. Without it: none.
   */
  replyToolCalls?(output: unknown): ToolCall[];
  /** Which chat params an agent with this config honours. Without it: none, the others ignored. */
  params?(config: Record<string, unknown>): ChatParamPolicy;
}

/** The template keeps thread memory: the host reads and deletes it through the template. */
export interface ThreadsCapability<Services extends ServiceRefs = ServiceRefs> {
  /** The thread's transcript, oldest first; empty when nothing ran on it. */
  messages(threadId: string, ctx: TemplateContext<Services>): Promise<ThreadMessage[]>;
  /** Forgets the thread; called after its runs ended. Deleting an unknown thread is not an error. */
  delete(threadId: string, ctx: TemplateContext<Services>): Promise<void>;
}
