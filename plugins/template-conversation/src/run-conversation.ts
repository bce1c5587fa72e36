import { AgentrtError, ErrorCode, type RunContext, type TemplateEvent } from "@agentrt/core";
import { AIMessage, type BaseMessage } from "@langchain/core/messages";
import type { CallerParams } from "./caller-params.js";
import { type ConversationGraph, MODEL_NODE } from "./conversation-graph.js";
import type { ChatMessage } from "./input-schema.js";
import { toBaseMessage, toolCallsOf } from "./messages.js";
import { type ModelTurn, modelStep, outputEvent } from "./model-turn.js";
import { parseConversationInput } from "./parse-input.js";
import { runToolCalls } from "./run-tools.js";
import type { ToolMap } from "./server-tools.js";
import { checkRounds, splitCalls, type ToolSetup, withServerTools } from "./tool-loop.js";

export interface ConversationAgent {
  turn: ModelTurn;
  toolSetup: ToolSetup;
  /** The caller params this agent takes (`callerParams.allow` and caller tools). */
  allowedParams: ReadonlySet<string>;
  /** Compiled with the checkpointer: runs on a thread extend its stored history. */
  graph: ConversationGraph;
}

/**
 * One turn: streams each token as `output.delta`, `usage` after each model call when the provider
 * reported it, `tool.call` / `tool.result` for the agent's own tools, then the reply as `output`.
 * `runCtx.signal` reaches the HTTP request and the tool calls, so aborting closes them.
 */
export async function* runConversation(
  agent: ConversationAgent,
  input: unknown,
  runCtx: RunContext,
): AsyncGenerator<TemplateEvent> {
  const { messages, stateless, params } = parseConversationInput(input);
  checkAllowed(params, agent.allowedParams);
  const tools = await agent.toolSetup.load();
  const modelParams = withServerTools(params, tools);
  const threadId = stateless ? undefined : runCtx.threadId;
  if (threadId === undefined) yield* runStateless(agent, tools, messages, params, modelParams, runCtx);
  else yield* runOnThread(agent.graph, tools, messages, params, modelParams, threadId, runCtx);
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
 * graph to manage: the same loop as the graph's nodes (model, the agent's tools, model, …) runs
 * directly, minus LangGraph's per-run bookkeeping. Calls of the caller's tools end the run.
 */
async function* runStateless(
  agent: ConversationAgent,
  tools: ToolMap,
  messages: ChatMessage[],
  params: CallerParams,
  modelParams: CallerParams,
  runCtx: RunContext,
): AsyncGenerator<TemplateEvent> {
  const history = [...messages];
  for (let rounds = 0; ; rounds++) {
    const reply = yield* modelStep(
      agent.turn,
      history,
      modelParams,
      runCtx.signal,
      runCtx.outputDeltas !== false,
    );
    const { server, client } = splitCalls(reply.toolCalls, params);
    if (server.length > 0) {
      checkRounds(rounds, agent.toolSetup);
      history.push({ role: "assistant", content: reply.text, tool_calls: reply.toolCalls });
      history.push(...(yield* runToolCalls(server, tools, runCtx, agent.toolSetup.limits)));
    }
    if (server.length === 0 || client.length > 0) {
      yield outputEvent(reply.text, client);
      return;
    }
  }
}

/** With a thread the graph loads its history, runs the loop and checkpoints the new messages. */
async function* runOnThread(
  graph: ConversationGraph,
  tools: ToolMap,
  messages: ChatMessage[],
  params: CallerParams,
  modelParams: CallerParams,
  threadId: string,
  runCtx: RunContext,
): AsyncGenerator<TemplateEvent> {
  let reply: BaseMessage | undefined;
  const stream = await graph.stream(
    { messages: messages.map(toBaseMessage), toolRounds: 0 },
    {
      configurable: { thread_id: threadId, params: modelParams, callerParams: params, runCtx, tools },
      streamMode: ["custom", "updates"],
      signal: runCtx.signal,
    },
  );
  for await (const [mode, chunk] of stream) {
    if (mode === "custom") yield chunk as TemplateEvent;
    else reply = chunk[MODEL_NODE]?.messages?.at(-1) ?? reply;
  }
  const calls = reply && AIMessage.isInstance(reply) ? toolCallsOf(reply) : [];
  yield outputEvent(reply?.text ?? "", splitCalls(calls, params).client);
}
