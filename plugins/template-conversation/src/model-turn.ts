import type { TemplateEvent, ToolCall } from "@agentrt/core";
import type { CallerParams } from "./caller-params.js";
import type { ChatClient, ReplyPart } from "./chat-client.js";
import type { MemoryPolicy } from "./config-schema.js";
import type { ChatMessage } from "./input-schema.js";
import { buildModelInput } from "./model-input.js";

/** What a model call needs besides the history; fixed per agent instance. */
export interface ModelTurn {
  client: ChatClient;
  /** The configured model, named in usage events. */
  model: string;
  memory: MemoryPolicy;
  systemPrompt: string | undefined;
}

export type Usage = Extract<ReplyPart, { type: "usage" }>;

/** One model reply: its text and the tool calls it made. */
export interface ModelReply {
  text: string;
  toolCalls: ToolCall[];
  usage: Usage | undefined;
}

/**
 * One model call: trims the history per the memory policy and streams the reply, yielding each
 * token as `output.delta` and then `usage` when the provider reported it; returns the reply.
 * Without `deltas` the reply is asked for whole, and only `usage` is yielded. The
 * caller's params (already checked against the agent's config) override the config's settings.
 */
export async function* modelStep(
  turn: ModelTurn,
  history: ChatMessage[],
  params: CallerParams,
  signal: AbortSignal,
  deltas = true,
): AsyncGenerator<TemplateEvent, ModelReply> {
  const input = buildModelInput(history, turn.memory, turn.systemPrompt);
  if (!deltas) {
    // Nobody reads the deltas: one JSON answer costs less than a stream to reassemble.
    const whole = await turn.client.complete(input, params, signal);
    if (whole.usage) yield whole.usage;
    return whole;
  }
  const reply: ModelReply = { text: "", toolCalls: [], usage: undefined };
  for await (const part of turn.client.stream(input, params, signal)) {
    if (part.type === "usage") reply.usage = part;
    else if (part.type === "tool_calls") reply.toolCalls = part.calls;
    else {
      reply.text += part.text;
      yield { type: "output.delta", text: part.text };
    }
  }
  if (reply.usage) yield reply.usage;
  return reply;
}

export interface AssistantOutput {
  role: "assistant";
  content: string;
  /** Calls of the caller's tools: the caller runs them and continues with `role: "tool"` messages. */
  tool_calls?: ToolCall[];
}

/** How every turn ends, with or without a thread: the reply as `output`. */
export function outputEvent(text: string, toolCalls: ToolCall[] = []): TemplateEvent {
  const output: AssistantOutput =
    toolCalls.length > 0
      ? { role: "assistant", content: text, tool_calls: toolCalls }
      : { role: "assistant", content: text };
  return { type: "output", output };
}
