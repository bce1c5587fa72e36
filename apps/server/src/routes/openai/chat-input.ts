import { AgentrtError, ErrorCode } from "@agentrt/core";
import type { z } from "@hono/zod-openapi";
import type { ChatMessageSchema } from "./openai.routes.js";

type RequestMessage = z.infer<typeof ChatMessageSchema>;

/** Agents of this template take chat messages as input and keep thread memory. */
const CONVERSATION_TEMPLATE = "conversation";

interface ConversationMessage {
  role: "user" | "assistant" | "system";
  content: string;
}

function invalid(message: string, path: (string | number)[]): AgentrtError {
  return new AgentrtError(ErrorCode.VALIDATION_FAILED, message, { issues: [{ path, message }] });
}

/** A message's text; content parts other than text can't be passed to an agent. */
function textOf(message: RequestMessage, index: number): string {
  const { content } = message;
  if (content === undefined || content === null) return "";
  if (typeof content === "string") return content;
  return content
    .map((part, at) => {
      if (part.type !== "text" || typeof part.text !== "string") {
        throw invalid(`messages[${index}].content[${at}]: only text content is supported`, [
          "messages",
          index,
          "content",
          at,
        ]);
      }
      return part.text;
    })
    .join("\n");
}

function toConversationMessage(message: RequestMessage, index: number): ConversationMessage {
  // `developer` is OpenAI's newer name for the system role.
  const role = message.role === "developer" ? "system" : message.role;
  return { role, content: textOf(message, index) };
}

/** The trailing run of user messages: what is new since the thread's last turn. */
function trailingUserMessages(messages: RequestMessage[]): ConversationMessage[] {
  let start = messages.length;
  while (start > 0 && messages[start - 1]!.role === "user") start--;
  if (start === messages.length)
    throw invalid("the last message must be a user message", ["messages", messages.length - 1, "role"]);
  return messages.slice(start).map((message, i) => toConversationMessage(message, start + i));
}

/**
 * The run input for a chat request. Conversation agents get messages: the whole history when
 * stateless, only the new user turn(s) on a thread (the thread holds the rest). Any other agent
 * gets the last user message's text.
 */
export function toRunInput(templateName: string, messages: RequestMessage[], onThread: boolean): unknown {
  if (templateName === CONVERSATION_TEMPLATE) {
    if (onThread) return { messages: trailingUserMessages(messages) };
    return { messages: messages.map(toConversationMessage), stateless: true };
  }
  const index = messages.findLastIndex((message) => message.role === "user");
  if (index === -1) throw invalid("at least one user message is required", ["messages"]);
  return textOf(messages[index]!, index);
}

/** The reply text of a run's output: conversation agents answer `{ role, content }`, others anything. */
export function replyText(output: unknown): string {
  if (typeof output === "string") return output;
  if (output === null || output === undefined) return "";
  const content = (output as { content?: unknown }).content;
  if ((output as { role?: unknown }).role === "assistant" && typeof content === "string") return content;
  return JSON.stringify(output);
}
