import { AIMessage, type BaseMessage, HumanMessage, SystemMessage } from "@langchain/core/messages";
import type { ChatMessage } from "./input-schema.js";

/** Input messages as the thread's LangGraph messages state keeps them. */
export function toBaseMessage({ role, content }: ChatMessage): BaseMessage {
  if (role === "user") return new HumanMessage(content);
  if (role === "assistant") return new AIMessage(content);
  return new SystemMessage(content);
}

const ROLE_BY_TYPE: Partial<Record<string, ChatMessage["role"]>> = {
  ai: "assistant",
  system: "system",
};

/** A stored message as the model API takes it. The state only ever holds human, AI and system messages. */
export function toChatMessage(message: BaseMessage): ChatMessage {
  return { role: ROLE_BY_TYPE[message.getType()] ?? "user", content: message.text };
}
