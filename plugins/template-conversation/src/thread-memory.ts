import type { ThreadMessage, ThreadsCapability } from "@agentrt/core";
import { resolveCheckpointer } from "./checkpointer.js";
import type { ConversationServices } from "./services.js";

/**
 * A LangChain message as the checkpointer restores it, read structurally: the saver revives its
 * own copy of @langchain/core's classes, and this module must not load LangChain (the entry
 * imports it).
 */
interface StoredMessage {
  id?: unknown;
  type?: unknown;
  getType?(): string;
  text?: unknown;
  content?: unknown;
}

const ROLE_BY_TYPE: Partial<Record<string, ThreadMessage["role"]>> = {
  human: "user",
  ai: "assistant",
  system: "system",
  tool: "tool",
};

function typeOf(message: StoredMessage): unknown {
  return typeof message.getType === "function" ? message.getType() : message.type;
}

/** Text of LangChain content: a string, or the text parts of a content array. */
function contentText(content: unknown): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) {
    return content
      .map((part: unknown) => {
        if (typeof part === "string") return part;
        const { type, text } = (part ?? {}) as { type?: unknown; text?: unknown };
        return type === "text" && typeof text === "string" ? text : "";
      })
      .join("");
  }
  return content === undefined || content === null ? "" : JSON.stringify(content);
}

/** One stored message as the threads API shows it; `undefined` for what is not a message. */
export function toThreadMessage(value: unknown): ThreadMessage | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const message = value as StoredMessage;
  const type = typeOf(message);
  const role = typeof type === "string" ? ROLE_BY_TYPE[type] : undefined;
  if (!role) return undefined;
  return {
    id: typeof message.id === "string" ? message.id : null,
    role,
    content: typeof message.text === "string" ? message.text : contentText(message.content),
  };
}

/**
 * Thread memory lives in the host's checkpointer under LangGraph's `thread_id` = the agentrt
 * thread id: the transcript is the latest checkpoint's `messages` channel (the complete history;
 * trimming only shapes what the model sees), and deleting a thread deletes its checkpoints.
 */
export const threads: ThreadsCapability<ConversationServices> = {
  async messages(threadId, ctx) {
    const tuple = await resolveCheckpointer(ctx).getTuple({ configurable: { thread_id: threadId } });
    const stored: unknown = tuple?.checkpoint.channel_values.messages;
    if (!Array.isArray(stored)) return [];
    return stored.map(toThreadMessage).filter((message) => message !== undefined);
  },

  async delete(threadId, ctx) {
    await resolveCheckpointer(ctx).deleteThread(threadId);
  },
};
