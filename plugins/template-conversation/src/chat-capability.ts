import {
  AgentrtError,
  type ChatCapability,
  ErrorCode,
  type ChatMessage as HostChatMessage,
} from "@agentrt/core";
import type { CallerParams } from "./caller-params.js";
import type { ConversationConfig } from "./config-schema.js";
import type { ChatMessage, ConversationInput } from "./input-schema.js";
import type { AssistantOutput } from "./model-turn.js";

function invalid(message: string, path: (string | number)[]): AgentrtError {
  return new AgentrtError(ErrorCode.VALIDATION_FAILED, message, { issues: [{ path, message }] });
}

/**
 * A host chat message as this template's input takes it. `developer` is OpenAI's newer name for the
 * system role. `tool` messages are refused rather than dropped: the template never calls tools, so
 * a tool result in the history comes from a conversation this agent can't continue faithfully,
 * and silently leaving it out would answer a different conversation than the one sent.
 */
function toConversationMessage({ role, content }: HostChatMessage, index: number): ChatMessage {
  if (role === "tool") {
    throw invalid("tool messages are not supported: this agent does not call tools", [
      "messages",
      index,
      "role",
    ]);
  }
  return { role: role === "developer" ? "system" : role, content };
}

/** The trailing run of user messages: what is new since the thread's last turn. */
function trailingUserMessages(messages: HostChatMessage[]): ChatMessage[] {
  let start = messages.length;
  while (start > 0 && messages[start - 1]!.role === "user") start--;
  if (start === messages.length)
    throw invalid("the last message must be a user message", ["messages", messages.length - 1, "role"]);
  return messages.slice(start).map((message, i) => toConversationMessage(message, start + i));
}

/**
 * How `/v1/chat/completions` talks to a conversation agent. Stateless (no thread) the messages are
 * the whole history. On a thread only the trailing user message(s) are new: the thread holds the
 * earlier turns, so the earlier messages of the request (tool messages among them) are not sent.
 */
export const chat: ChatCapability = {
  toInput(messages, { threadId, params }): ConversationInput {
    if (messages.length === 0) throw invalid("at least one message is required", ["messages"]);
    // The host passes only the params this agent's policy honours.
    const extra = Object.keys(params).length > 0 ? { params: params as CallerParams } : {};
    if (threadId !== undefined) return { messages: trailingUserMessages(messages), ...extra };
    return { messages: messages.map(toConversationMessage), stateless: true, ...extra };
  },

  /** The agent's `callerParams`: what callers may set, and what happens to other sampling hints. */
  params(config) {
    const { allow, otherwise } = (config as Pick<ConversationConfig, "callerParams">).callerParams;
    return { honoured: allow, otherwise };
  },

  /** A run's output is `{ role: "assistant", content }`; anything else is shown as text or JSON. */
  replyText(output) {
    if (typeof output === "string") return output;
    if (output === null || output === undefined) return "";
    const { role, content } = output as Partial<AssistantOutput>;
    if (role === "assistant" && typeof content === "string") return content;
    return JSON.stringify(output);
  },
};
