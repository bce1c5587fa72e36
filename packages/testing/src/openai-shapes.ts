/**
 * The OpenAI chat-completions wire shapes the fake model server speaks. Hand-written on purpose:
 * the fake must not depend on an OpenAI SDK, and it only needs the fields clients read.
 */

export interface ChatMessage {
  role: string;
  /** A string, or content parts of which only `text` parts count for replies and usage. */
  content?: string | { type: string; text?: string }[] | null;
  [key: string]: unknown;
}

export interface ChatCompletionRequestBody {
  model: string;
  messages: ChatMessage[];
  stream?: boolean | null;
  stream_options?: { include_usage?: boolean | null } | null;
  [key: string]: unknown;
}

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

/** A function call as OpenAI's chat completions carry it: arguments are a JSON string. */
export interface ToolCall {
  id: string;
  type: "function";
  function: { name: string; arguments: string };
}

/** What a completion is built from, after the reply has been decided. */
export interface CompletionParts {
  id: string;
  created: number;
  model: string;
  content: string;
  /** When non-empty the reply ends with `finish_reason: "tool_calls"`. */
  toolCalls?: ToolCall[];
  usage: Usage;
}

const finishReason = (parts: CompletionParts) => (parts.toolCalls?.length ? "tool_calls" : "stop");

export type OpenAIErrorBody = {
  error: { message: string; type: string; param: string | null; code: string | null };
};

/** Splits text into word-ish tokens (leading whitespace sticks to the next word, like BPE tokens). */
export function splitTokens(text: string): string[] {
  return text.match(/\s*\S+|\s+/g) ?? [];
}

/** Text of a message: its string content or the concatenation of its text parts. */
export function messageText(message: ChatMessage | undefined): string {
  const content = message?.content;
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  let text = "";
  for (const part of content) if (typeof part?.text === "string") text += part.text;
  return text;
}

/** Rough token count: one per word-ish piece. Cheap enough to run on every request. */
export function countTokens(text: string): number {
  return splitTokens(text).length;
}

export function promptTokens(messages: readonly ChatMessage[]): number {
  let total = 0;
  for (const message of messages) total += countTokens(messageText(message));
  return total;
}

export function lastUserMessage(messages: readonly ChatMessage[]): ChatMessage | undefined {
  for (let i = messages.length - 1; i >= 0; i--) if (messages[i]?.role === "user") return messages[i];
  return undefined;
}

export function createCompletion(parts: CompletionParts): Record<string, unknown> {
  return {
    id: parts.id,
    object: "chat.completion",
    created: parts.created,
    model: parts.model,
    choices: [
      {
        index: 0,
        message: {
          role: "assistant",
          // OpenAI sends `content: null` for a reply that only calls tools.
          content: parts.toolCalls?.length && parts.content === "" ? null : parts.content,
          refusal: null,
          ...(parts.toolCalls?.length ? { tool_calls: parts.toolCalls } : {}),
        },
        logprobs: null,
        finish_reason: finishReason(parts),
      },
    ],
    usage: parts.usage,
    system_fingerprint: null,
  };
}

/** Argument text in pieces of up to 8 characters, the way OpenAI streams a call's arguments. */
function argumentPieces(text: string): string[] {
  const pieces: string[] = [];
  for (let at = 0; at < text.length; at += 8) pieces.push(text.slice(at, at + 8));
  return pieces;
}

/**
 * The SSE frames of a streamed completion, in order: a role chunk, one chunk per token, for each
 * tool call a chunk with its index, id, type and name (arguments `""`) then chunks of argument
 * text under the same index, a chunk with the finish reason (`stop` or `tool_calls`), the usage
 * chunk when asked for, then `[DONE]`. With `include_usage` every chunk carries `usage: null`, as
 * OpenAI's do.
 */
export function createStreamFrames(parts: CompletionParts, includeUsage: boolean): string[] {
  const head = `data: {"id":${JSON.stringify(parts.id)},"object":"chat.completion.chunk","created":${parts.created},"model":${JSON.stringify(parts.model)},"system_fingerprint":null,`;
  const tail = includeUsage ? `,"usage":null}\n\n` : "}\n\n";
  const choice = (delta: string, finish: string) =>
    `${head}"choices":[{"index":0,"delta":${delta},"logprobs":null,"finish_reason":${finish}}]${tail}`;

  const toolCalls = parts.toolCalls ?? [];
  const roleContent = toolCalls.length > 0 && parts.content === "" ? "null" : `""`;
  const frames = [choice(`{"role":"assistant","content":${roleContent},"refusal":null}`, "null")];
  for (const token of splitTokens(parts.content)) {
    frames.push(choice(`{"content":${JSON.stringify(token)}}`, "null"));
  }
  const toolDelta = (call: Record<string, unknown>) => choice(JSON.stringify({ tool_calls: [call] }), "null");
  toolCalls.forEach((call, index) => {
    const { id, type, function: fn } = call;
    frames.push(toolDelta({ index, id, type, function: { name: fn.name, arguments: "" } }));
    for (const piece of argumentPieces(fn.arguments)) {
      frames.push(toolDelta({ index, function: { arguments: piece } }));
    }
  });
  frames.push(choice("{}", `"${finishReason(parts)}"`));
  if (includeUsage) frames.push(`${head}"choices":[],"usage":${JSON.stringify(parts.usage)}}\n\n`);
  frames.push("data: [DONE]\n\n");
  return frames;
}

const ERROR_TYPES: Record<number, { type: string; code: string | null }> = {
  400: { type: "invalid_request_error", code: null },
  401: { type: "invalid_request_error", code: "invalid_api_key" },
  403: { type: "invalid_request_error", code: "unsupported_country_region_territory" },
  404: { type: "invalid_request_error", code: "model_not_found" },
  429: { type: "requests", code: "rate_limit_exceeded" },
};

/** An error body in OpenAI's shape, typed by status the way OpenAI types them. */
export function createErrorBody(status: number, message: string, code?: string | null): OpenAIErrorBody {
  const known = ERROR_TYPES[status] ?? {
    type: status >= 500 ? "server_error" : "invalid_request_error",
    code: null,
  };
  return { error: { message, type: known.type, param: null, code: code === undefined ? known.code : code } };
}
