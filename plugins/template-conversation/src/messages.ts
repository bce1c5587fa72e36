import type { ToolCall } from "@agentrt/core";
import {
  AIMessage,
  type BaseMessage,
  HumanMessage,
  SystemMessage,
  ToolMessage,
} from "@langchain/core/messages";
import type { ChatMessage } from "./input-schema.js";

type LangChainToolCall = NonNullable<AIMessage["tool_calls"]>[number];
type InvalidToolCall = NonNullable<AIMessage["invalid_tool_calls"]>[number];

/** An AI message with OpenAI tool calls, as LangChain keeps them: parsed arguments, the raw calls kept too. */
export function aiMessage(content: string, toolCalls: ToolCall[] = [], extra: object = {}): AIMessage {
  if (toolCalls.length === 0) return new AIMessage({ content, ...extra });
  const tool_calls: LangChainToolCall[] = [];
  const invalid_tool_calls: InvalidToolCall[] = [];
  for (const { id, function: fn } of toolCalls) {
    try {
      const args: unknown = JSON.parse(fn.arguments || "{}");
      if (typeof args !== "object" || args === null || Array.isArray(args)) throw new Error("not an object");
      tool_calls.push({ id, name: fn.name, args: args as Record<string, unknown>, type: "tool_call" });
    } catch (error) {
      invalid_tool_calls.push({
        id,
        name: fn.name,
        args: fn.arguments,
        error: (error as Error).message,
        type: "invalid_tool_call",
      });
    }
  }
  // `additional_kwargs.tool_calls` keeps the arguments exactly as the model wrote them.
  return new AIMessage({
    content,
    tool_calls,
    invalid_tool_calls,
    additional_kwargs: { tool_calls: toolCalls },
    ...extra,
  });
}

/** Input messages as the thread's LangGraph messages state keeps them. */
export function toBaseMessage(message: ChatMessage): BaseMessage {
  switch (message.role) {
    case "user":
      return new HumanMessage(message.content);
    case "assistant":
      return aiMessage(message.content, message.tool_calls);
    case "tool":
      return new ToolMessage({ content: message.content, tool_call_id: message.tool_call_id });
    default:
      return new SystemMessage(message.content);
  }
}

/** The OpenAI tool calls of a stored AI message: the raw calls when kept, else LangChain's parsed ones. */
export function toolCallsOf(message: BaseMessage): ToolCall[] {
  const raw = message.additional_kwargs?.tool_calls as ToolCall[] | undefined;
  if (Array.isArray(raw) && raw.length > 0) return raw;
  const parsed = AIMessage.isInstance(message) ? (message.tool_calls ?? []) : [];
  return parsed.map((call) => ({
    id: call.id ?? "",
    type: "function",
    function: { name: call.name, arguments: JSON.stringify(call.args) },
  }));
}

/** A stored message as the model API takes it. */
export function toChatMessage(message: BaseMessage): ChatMessage {
  const type = message.getType();
  if (type === "ai") {
    const toolCalls = toolCallsOf(message);
    return toolCalls.length > 0
      ? { role: "assistant", content: message.text, tool_calls: toolCalls }
      : { role: "assistant", content: message.text };
  }
  if (type === "tool") {
    return { role: "tool", content: message.text, tool_call_id: (message as ToolMessage).tool_call_id };
  }
  if (type === "system") return { role: "system", content: message.text };
  return { role: "user", content: message.text };
}
