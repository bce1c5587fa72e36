import { ChatParamsSchema, ToolCallSchema } from "@agentrt/core";
import { z } from "zod";

/**
 * One message of the history: OpenAI's roles. An assistant message may carry the tool calls the
 * model made; a tool message is the result of one of them (`tool_call_id`).
 */
export const chatMessageSchema = z.discriminatedUnion("role", [
  z.strictObject({ role: z.literal("user"), content: z.string() }),
  z.strictObject({ role: z.literal("system"), content: z.string() }),
  z.strictObject({
    role: z.literal("assistant"),
    content: z.string(),
    tool_calls: z.array(ToolCallSchema).min(1).optional(),
  }),
  z.strictObject({ role: z.literal("tool"), content: z.string(), tool_call_id: z.string().min(1) }),
]);
export type ChatMessage = z.infer<typeof chatMessageSchema>;

const messagesInputSchema = z.strictObject({
  messages: z.array(chatMessageSchema).min(1),
  stateless: z.boolean().optional(),
  /**
   * Per-request model settings; only those the agent's `callerParams.allow` lists are accepted,
   * except caller tools (`tools`, `tool_choice`, `parallel_tool_calls`), which every agent takes.
   */
  params: ChatParamsSchema.optional(),
});

/**
 * Run input: `{ messages, stateless? }`, or a plain string meaning one user message. With a thread
 * only new messages are sent; without one (or with `stateless: true`) they are the whole history.
 * A preprocess rather than a union, so a bad message is reported at its own path.
 */
export const inputSchema = z.preprocess(
  (input) => (typeof input === "string" ? { messages: [{ role: "user", content: input }] } : input),
  messagesInputSchema,
);
export type ConversationInput = string | z.input<typeof messagesInputSchema>;
