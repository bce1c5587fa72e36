import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { type BaseCheckpointSaver, END, MessagesAnnotation, START, StateGraph } from "@langchain/langgraph";
import type { MemoryPolicy } from "./config-schema.js";
import { buildModelInput } from "./model-input.js";

/** The graph's only node: trims the history per the memory policy and asks the model. */
export const MODEL_NODE = "model";

export interface ConversationGraphOptions {
  model: BaseChatModel;
  memory: MemoryPolicy;
  systemPrompt: string | undefined;
  /** Persists each thread's messages; without one the graph forgets everything after a run. */
  checkpointer?: BaseCheckpointSaver;
}

/**
 * A one-node StateGraph over the messages state. The checkpoint keeps the full history; trimming
 * only decides what each model call sees, so the thread's transcript stays complete.
 */
export function createConversationGraph(options: ConversationGraphOptions) {
  return new StateGraph(MessagesAnnotation)
    .addNode(MODEL_NODE, async (state, config) => {
      const input = await buildModelInput(state.messages, options.memory, options.systemPrompt);
      return { messages: [await options.model.invoke(input, config)] };
    })
    .addEdge(START, MODEL_NODE)
    .addEdge(MODEL_NODE, END)
    .compile(options.checkpointer ? { checkpointer: options.checkpointer } : {});
}

export type ConversationGraph = ReturnType<typeof createConversationGraph>;
