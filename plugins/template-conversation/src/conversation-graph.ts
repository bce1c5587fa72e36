import type { ToolCall } from "@agentrt/core";
import { type BaseCheckpointSaver, END, MessagesAnnotation, START, StateGraph } from "@langchain/langgraph";
import type { CallerParams } from "./caller-params.js";
import { aiMessage, toChatMessage } from "./messages.js";
import { type ModelTurn, streamModelTurn, type Usage } from "./model-turn.js";

/** The graph's only node: asks the model with the trimmed history and appends its reply. */
export const MODEL_NODE = "model";

/**
 * A one-node StateGraph over the messages state, for runs on a thread: the checkpointer loads the
 * thread's history and stores the new messages with the reply. The checkpoint keeps the full
 * history; trimming only decides what each model call sees, so the transcript stays complete.
 * The node streams text through LangGraph's `custom` stream mode (`config.writer`).
 */
export function createConversationGraph(turn: ModelTurn, checkpointer: BaseCheckpointSaver) {
  return new StateGraph(MessagesAnnotation)
    .addNode(MODEL_NODE, async (state, config) => {
      let text = "";
      let usage: Usage | undefined;
      let toolCalls: ToolCall[] = [];
      const params = (config.configurable?.params ?? {}) as CallerParams;
      for await (const part of streamModelTurn(
        turn,
        state.messages.map(toChatMessage),
        params,
        config.signal!,
      )) {
        if (part.type === "usage") usage = part;
        else if (part.type === "tool_calls") toolCalls = part.calls;
        else {
          text += part.text;
          config.writer?.(part.text);
        }
      }
      const reply = aiMessage(text, toolCalls, {
        ...(usage && {
          usage_metadata: {
            input_tokens: usage.promptTokens,
            output_tokens: usage.completionTokens,
            total_tokens: usage.promptTokens + usage.completionTokens,
          },
        }),
      });
      return { messages: [reply] };
    })
    .addEdge(START, MODEL_NODE)
    .addEdge(MODEL_NODE, END)
    .compile({ checkpointer });
}

export type ConversationGraph = ReturnType<typeof createConversationGraph>;
