import type { TemplateEvent, ToolCall } from "@agentrt/core";
import type { CallerParams } from "./caller-params.js";
import type { ChatClient, ReplyPart } from "./chat-client.js";
import type { MemoryPolicy } from "./config-schema.js";
import type { ChatMessage } from "./input-schema.js";
import { buildModelInput } from "./model-input.js";

/** What a model call needs besides the history; fixed per agent instance. */
export interface ModelTurn {
  client: ChatClient;
  memory: MemoryPolicy;
  systemPrompt: string | undefined;
}

export type Usage = Extract<ReplyPart, { type: "usage" }>;

/**
 * One model call: trims the history per the memory policy and streams the reply's parts; the
 * caller's params (already checked against the agent's config) override the config's settings.
 */
export function streamModelTurn(
  turn: ModelTurn,
  history: ChatMessage[],
  params: CallerParams,
  signal: AbortSignal,
): AsyncGenerator<ReplyPart> {
  return turn.client.stream(buildModelInput(history, turn.memory, turn.systemPrompt), params, signal);
}

export interface AssistantOutput {
  role: "assistant";
  content: string;
  /** Calls of the caller's tools: the caller runs them and continues with `role: "tool"` messages. */
  tool_calls?: ToolCall[];
}

/** How every turn ends, with or without a thread: `usage` when the provider reported it, then `output`. */
export function* finalEvents(
  text: string,
  usage: Usage | undefined,
  toolCalls: ToolCall[] = [],
): Generator<TemplateEvent> {
  if (usage) yield usage;
  const output: AssistantOutput =
    toolCalls.length > 0
      ? { role: "assistant", content: text, tool_calls: toolCalls }
      : { role: "assistant", content: text };
  yield { type: "output", output };
}
