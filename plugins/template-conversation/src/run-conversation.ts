import type { RunContext, TemplateEvent } from "@agentrt/core";
import { AIMessage, AIMessageChunk, type BaseMessage } from "@langchain/core/messages";
import { type ConversationGraph, MODEL_NODE } from "./conversation-graph.js";
import { parseConversationInput } from "./parse-input.js";
import { toUpstreamError } from "./upstream-error.js";

export interface ConversationGraphs {
  /** Compiled with the checkpointer: runs on a thread extend its stored history. */
  threaded: ConversationGraph;
  /** Compiled without one: the input is the whole history and nothing is kept. */
  stateless: ConversationGraph;
}

export interface AssistantOutput {
  role: "assistant";
  content: string;
}

/**
 * One turn: streams each token as `output.delta`, then `usage` when the provider reported it, then
 * the reply as `output`. `runCtx.signal` reaches the HTTP request, so aborting closes it.
 */
export async function* runConversation(
  graphs: ConversationGraphs,
  input: unknown,
  runCtx: RunContext,
): AsyncGenerator<TemplateEvent> {
  const { messages, stateless } = parseConversationInput(input);
  const threadId = stateless ? undefined : runCtx.threadId;
  const graph = threadId === undefined ? graphs.stateless : graphs.threaded;
  let reply: BaseMessage | undefined;
  try {
    const stream = await graph.stream(
      { messages },
      {
        configurable: threadId === undefined ? {} : { thread_id: threadId },
        streamMode: ["messages", "updates"],
        signal: runCtx.signal,
      },
    );
    for await (const [mode, chunk] of stream) {
      if (mode === "messages") {
        const [message, metadata] = chunk;
        if (metadata.langgraph_node !== MODEL_NODE || !AIMessageChunk.isInstance(message)) continue;
        if (message.text) yield { type: "output.delta", text: message.text };
      } else if (mode === "updates") {
        reply = chunk[MODEL_NODE]?.messages?.at(-1) ?? reply;
      }
    }
  } catch (error) {
    throw toUpstreamError(error, runCtx.signal);
  }
  const usage = reply && AIMessage.isInstance(reply) ? reply.usage_metadata : undefined;
  if (usage) {
    yield { type: "usage", promptTokens: usage.input_tokens, completionTokens: usage.output_tokens };
  }
  const output: AssistantOutput = { role: "assistant", content: reply?.text ?? "" };
  yield { type: "output", output };
}
