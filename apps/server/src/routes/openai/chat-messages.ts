import { AgentrtError, type ChatMessage, ErrorCode } from "@agentrt/core";
import type { z } from "@hono/zod-openapi";
import type { ChatMessageSchema } from "./openai.routes.js";

type RequestMessage = z.infer<typeof ChatMessageSchema>;

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

/** OpenAI request messages as templates take them: roles and tool call links kept, content reduced to text. */
export function toChatMessages(messages: RequestMessage[]): ChatMessage[] {
  return messages.map((message, index) => {
    const chat: ChatMessage = { role: message.role, content: textOf(message, index) };
    if (message.tool_calls?.length) chat.tool_calls = message.tool_calls;
    if (message.tool_call_id !== undefined) chat.tool_call_id = message.tool_call_id;
    return chat;
  });
}
