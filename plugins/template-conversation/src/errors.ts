import { errorCodes } from "@agentrt/core";

/** The template's own error codes (clients see `conversation.<CODE>`) with the status the host answers. */
export const CONVERSATION_ERRORS = {
  TOOL_ROUNDS_EXCEEDED: {
    status: 502,
    description: "The model kept calling tools: it asked for more tool rounds than the agent's maxToolRounds",
  },
} as const;

export const ConversationError = errorCodes(CONVERSATION_ERRORS);
