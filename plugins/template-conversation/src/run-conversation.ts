import { AgentrtError, ErrorCode, type RunContext, type TemplateEvent, type ToolCall } from "@agentrt/core";
import { AIMessage, type BaseMessage } from "@langchain/core/messages";
import type { CallerParams } from "./caller-params.js";
import { type ConversationGraph, MODEL_NODE } from "./conversation-graph.js";
import type { ChatMessage } from "./input-schema.js";
import { toBaseMessage, toolCallsOf } from "./messages.js";
import { finalEvents, type ModelTurn, streamModelTurn, type Usage } from "./model-turn.js";
import { parseConversationInput } from "./parse-input.js";

export interface ConversationAgent {
  turn: ModelTurn;
  /** The caller params this agent takes (`callerParams.allow`). */
  allowedParams: ReadonlySet<string>;
  /** Compiled with the checkpointer: runs on a thread extend its stored history. */
  graph: ConversationGraph;
}

/**
 * One turn: streams each token as `output.delta`, then `usage` when the provider reported it, then
 * the reply as `output`. `runCtx.signal` reaches the HTTP request, so aborting closes it.
 */
export async function* runConversation(
  agent: ConversationAgent,
  input: unknown,
  runCtx: RunContext,
): AsyncGenerator<TemplateEvent> {
  const { messages, stateless, params } = parseConversationInput(input);
  checkAllowed(params, agent.allowedParams);
  const threadId = stateless ? undefined : runCtx.threadId;
  if (threadId === undefined) yield* runStateless(agent.turn, messages, params, runCtx.signal);
  else yield* runOnThread(agent.graph, messages, params, threadId, runCtx.signal);
}

/** A run's params, however submitted, are only those the agent's config lets callers set. */
function checkAllowed(params: CallerParams, allowed: ReadonlySet<string>): void {
  const refused = Object.keys(params).filter((name) => !allowed.has(name));
  if (refused.length === 0) return;
  const message = `this agent does not let callers set ${refused.join(", ")} (callerParams.allow)`;
  throw new AgentrtError(ErrorCode.VALIDATION_FAILED, message, {
    issues: refused.map((name) => ({ path: ["input", "params", name], message })),
  });
}

/**
 * Without a thread the input is the whole history and nothing is kept, so there is no state for a
 * graph to manage: the model is called directly, with the same trimming, events and errors as the
 * graph's node, minus LangGraph's per-run bookkeeping.
 */
async function* runStateless(
  turn: ModelTurn,
  messages: ChatMessage[],
  params: CallerParams,
  signal: AbortSignal,
): AsyncGenerator<TemplateEvent> {
  let text = "";
  let usage: Usage | undefined;
  let toolCalls: ToolCall[] = [];
  for await (const part of streamModelTurn(turn, messages, params, signal)) {
    if (part.type === "usage") usage = part;
    else if (part.type === "tool_calls") toolCalls = part.calls;
    else {
      text += part.text;
      yield { type: "output.delta", text: part.text };
    }
  }
  yield* finalEvents(text, usage, toolCalls);
}

/** With a thread the graph loads its history, runs the model node and checkpoints the new messages. */
async function* runOnThread(
  graph: ConversationGraph,
  messages: ChatMessage[],
  params: CallerParams,
  threadId: string,
  signal: AbortSignal,
): AsyncGenerator<TemplateEvent> {
  let reply: BaseMessage | undefined;
  const stream = await graph.stream(
    { messages: messages.map(toBaseMessage) },
    { configurable: { thread_id: threadId, params }, streamMode: ["custom", "updates"], signal },
  );
  for await (const [mode, chunk] of stream) {
    if (mode === "custom") yield { type: "output.delta", text: chunk as string };
    else reply = chunk[MODEL_NODE]?.messages?.at(-1) ?? reply;
  }
  const usage = reply && AIMessage.isInstance(reply) ? reply.usage_metadata : undefined;
  yield* finalEvents(
    reply?.text ?? "",
    usage && { type: "usage", promptTokens: usage.input_tokens, completionTokens: usage.output_tokens },
    reply ? toolCallsOf(reply) : [],
  );
}
