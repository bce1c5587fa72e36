import { AgentrtError, ErrorCode } from "@agentrt/core";
import { type ChatMessage, inputSchema } from "./input-schema.js";

export interface ParsedInput {
  messages: ChatMessage[];
  stateless: boolean;
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
  return { messages: result.data.messages, stateless: result.data.stateless ?? false };
}
