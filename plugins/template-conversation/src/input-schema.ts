import { AgentrtError, ErrorCode } from "@agentrt/core";
import { AIMessage, type BaseMessage, HumanMessage, SystemMessage } from "@langchain/core/messages";
import { z } from "zod";

export const chatMessageSchema = z.strictObject({
  role: z.enum(["user", "system", "assistant"]),
  content: z.string(),
});
export type ChatMessage = z.infer<typeof chatMessageSchema>;

const messagesInputSchema = z.strictObject({
  messages: z.array(chatMessageSchema).min(1),
  stateless: z.boolean().optional(),
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

export interface ParsedInput {
  messages: BaseMessage[];
  stateless: boolean;
}

function toBaseMessage({ role, content }: ChatMessage): BaseMessage {
  if (role === "user") return new HumanMessage(content);
  if (role === "assistant") return new AIMessage(content);
  return new SystemMessage(content);
}

/** Parses run input; the engine validates it first, but `run()` may also be called directly. */
export function parseConversationInput(input: unknown): ParsedInput {
  const result = inputSchema.safeParse(input);
  if (!result.success) {
    throw new AgentrtError(
      ErrorCode.VALIDATION_FAILED,
      "input does not match the conversation input schema",
      {
        issues: result.error.issues.map((issue) => ({
          path: ["input", ...issue.path.map((p) => (typeof p === "symbol" ? String(p) : p))],
          message: issue.message,
        })),
      },
    );
  }
  return { messages: result.data.messages.map(toBaseMessage), stateless: result.data.stateless ?? false };
}
