import { ChatParamsSchema } from "@agentrt/core";
import { z } from "zod";

export const chatMessageSchema = z.strictObject({
  role: z.enum(["user", "system", "assistant"]),
  content: z.string(),
});
export type ChatMessage = z.infer<typeof chatMessageSchema>;

const messagesInputSchema = z.strictObject({
  messages: z.array(chatMessageSchema).min(1),
  stateless: z.boolean().optional(),
  /** Per-request model settings; only those the agent's `callerParams.allow` lists are accepted. */
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
