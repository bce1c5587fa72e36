import { AgentrtError, ErrorCode, toFieldIssues } from "@agentrt/core";
import type { CallerParams } from "./caller-params.js";
import { type ChatMessage, inputSchema } from "./input-schema.js";

export interface ParsedInput {
  messages: ChatMessage[];
  stateless: boolean;
  params: CallerParams;
}

/** Parses run input; the engine validates it first, but `run()` may also be called directly. */
export function parseConversationInput(input: unknown): ParsedInput {
  const result = inputSchema.safeParse(input);
  if (!result.success) {
    throw new AgentrtError(
      ErrorCode.VALIDATION_FAILED,
      "input does not match the conversation input schema",
      { issues: toFieldIssues(result.error, ["input"]) },
    );
  }
  const { messages, stateless = false, params = {} } = result.data;
  return { messages, stateless, params };
}
