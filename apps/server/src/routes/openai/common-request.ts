/** The roles `ChatMessageSchema` takes. */
const ROLES: ReadonlySet<unknown> = new Set(["system", "developer", "user", "assistant", "tool"]);

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** `{ role, content: "text" }`: a message as most clients send it. */
function isTextMessage(message: unknown): boolean {
  if (!isObject(message) || !ROLES.has(message.role) || typeof message.content !== "string") return false;
  for (const key in message) if (key !== "role" && key !== "content") return false;
  return true;
}

function isBooleanOrNull(value: unknown): boolean {
  return value === null || typeof value === "boolean";
}

/**
 * Whether a Chat Completions body is of the common shape that `ChatCompletionRequestSchema` passes
 * unchanged: a model, text messages, and at most `stream`, `stream_options.include_usage` and
 * `store`. Anything else (other fields, parts, tool calls, a bad value) is left to zod.
 */
export function isCommonChatRequest(body: unknown): boolean {
  if (!isObject(body)) return false;
  const { model, messages } = body;
  if (typeof model !== "string" || model.length === 0 || model.length > 200) return false;
  if (!Array.isArray(messages) || messages.length === 0) return false;
  for (const key in body) {
    const value = body[key];
    if (key === "model" || key === "messages") continue;
    if (key === "stream" || key === "store") {
      if (!isBooleanOrNull(value)) return false;
    } else if (key === "stream_options") {
      if (value === null) continue;
      if (!isObject(value)) return false;
      for (const option in value) if (option !== "include_usage") return false;
      if (value.include_usage !== undefined && typeof value.include_usage !== "boolean") return false;
    } else return false;
  }
  return messages.every(isTextMessage);
}
