import {
  AgentrtError,
  type ChatCapability,
  ErrorCode,
  type ChatMessage as HostChatMessage,
  type ToolCall,
} from "@agentrt/core";
import { type CallerParams, CLIENT_TOOL_PARAMS } from "./caller-params.js";
import type { ConversationConfig } from "./config-schema.js";
import type { ChatMessage, ConversationInput } from "./input-schema.js";
import type { AssistantOutput } from "./model-turn.js";

function invalid(message: string, path: (string | number)[]): AgentrtError {
  return new AgentrtError(ErrorCode.VALIDATION_FAILED, message, { issues: [{ path, message }] });
}

/** A host chat message as this template's input takes it. `developer` is OpenAI's newer name for the system role. */
function toConversationMessage(message: HostChatMessage, index: number): ChatMessage {
  const { role, content } = message;
  if (role === "tool") {
    if (!message.tool_call_id) {
      throw invalid("a tool message needs the tool_call_id of the call it answers", [
        "messages",
        index,
        "tool_call_id",
      ]);
    }
    return { role, content, tool_call_id: message.tool_call_id };
  }
  if (role === "assistant" && message.tool_calls?.length) {
    return { role, content, tool_calls: message.tool_calls };
  }
  return { role: role === "developer" ? "system" : role, content };
}

/** The trailing run of user and tool messages: what is new since the thread's last turn. */
function trailingNewMessages(messages: HostChatMessage[]): ChatMessage[] {
  let start = messages.length;
  while (start > 0 && (messages[start - 1]!.role === "user" || messages[start - 1]!.role === "tool")) start--;
  if (start === messages.length) {
    throw invalid("the last message must be a user message or a tool result", [
      "messages",
      messages.length - 1,
      "role",
    ]);
  }
  return messages.slice(start).map((message, i) => toConversationMessage(message, start + i));
}

/**
 * How `/v1/chat/completions` talks to a conversation agent. Stateless (no thread) the messages are
 * the whole history, tool calls and results included. On a thread only the trailing user and tool
 * messages are new (the results of the tool calls the last reply made, or the next question): the
 * thread holds the earlier turns, so the earlier messages of the request are not sent.
 */
export const chat: ChatCapability = {
  toInput(messages, { threadId, params }): ConversationInput {
    if (messages.length === 0) throw invalid("at least one message is required", ["messages"]);
    // The host passes only the params this agent's policy honours.
    const extra = Object.keys(params).length > 0 ? { params: params as CallerParams } : {};
    if (threadId !== undefined) return { messages: trailingNewMessages(messages), ...extra };
    return { messages: messages.map(toConversationMessage), stateless: true, ...extra };
  },

  /** The agent's `callerParams`, plus caller tools, which every conversation agent takes. */
  params(config) {
    const { allow, otherwise } = (config as Pick<ConversationConfig, "callerParams">).callerParams;
    return { honoured: [...new Set([...allow, ...CLIENT_TOOL_PARAMS])], otherwise };
  },

  /** A run's output is `{ role: "assistant", content }`; anything else is shown as text or JSON. */
  replyText(output) {
    if (typeof output === "string") return output;
    if (output === null || output === undefined) return "";
    const { role, content } = output as Partial<AssistantOutput>;
    if (role === "assistant" && typeof content === "string") return content;
    return JSON.stringify(output);
  },

  /** The caller-tool calls an assistant output hands back. */
  replyToolCalls(output): ToolCall[] {
    const { role, tool_calls } = (output ?? {}) as Partial<AssistantOutput>;
    return role === "assistant" && Array.isArray(tool_calls) ? tool_calls : [];
  },
};
