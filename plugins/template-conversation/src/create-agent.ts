import type { AgentInstance, TemplateContext } from "@agentrt/core";
import { resolveApiKey } from "./api-key.js";
import { createChatModel } from "./chat-model.js";
import { resolveCheckpointer } from "./checkpointer.js";
import type { ConversationConfig } from "./config-schema.js";
import { createConversationGraph } from "./conversation-graph.js";
import { runConversation } from "./run-conversation.js";

/**
 * The template's `create`: everything that needs LangChain/LangGraph. The entry module imports this
 * file only when the first agent is built, so discovering the template stays cheap.
 */
export function createConversationAgent(config: ConversationConfig, ctx: TemplateContext): AgentInstance {
  const model = createChatModel(config, () => resolveApiKey(config.apiKey, ctx));
  const options = { model, memory: config.memory, systemPrompt: config.systemPrompt };
  // Compiled once per agent instance and reused by every run.
  const graphs = {
    threaded: createConversationGraph({ ...options, checkpointer: resolveCheckpointer(ctx) }),
    stateless: createConversationGraph(options),
  };
  return { run: (input, runCtx) => runConversation(graphs, input, runCtx) };
}
