import { defineTemplate } from "@agentrt/core";
import { checkApiKey, resolveApiKey } from "./api-key.js";
import { createChatModel } from "./chat-model.js";
import { resolveCheckpointer } from "./checkpointer.js";
import { configSchema } from "./config-schema.js";
import { createConversationGraph } from "./conversation-graph.js";
import { inputSchema } from "./input-schema.js";
import { CORE_API_RANGE, PACKAGE_VERSION } from "./package-manifest.js";
import { runConversation } from "./run-conversation.js";

export type { SecretStore } from "./api-key.js";
export type { ApiKeyRef, ConversationConfig, MemoryPolicy } from "./config-schema.js";
export type { ChatMessage, ConversationInput } from "./input-schema.js";
export type { AssistantOutput } from "./run-conversation.js";

/** A chat agent on LangGraph.js: any OpenAI-compatible provider, thread memory via a checkpointer. */
export default defineTemplate({
  name: "conversation",
  version: PACKAGE_VERSION,
  coreApi: CORE_API_RANGE,
  description: "Chat agent on LangGraph.js with thread memory, over any OpenAI-compatible model API",
  configSchema,
  inputSchema,
  validate: (config, ctx) => checkApiKey(config.apiKey, ctx),
  create(config, ctx) {
    const model = createChatModel(config, () => resolveApiKey(config.apiKey, ctx));
    const options = { model, memory: config.memory, systemPrompt: config.systemPrompt };
    // Compiled once per agent instance and reused by every run.
    const graphs = {
      threaded: createConversationGraph({ ...options, checkpointer: resolveCheckpointer(ctx) }),
      stateless: createConversationGraph(options),
    };
    return { run: (input, runCtx) => runConversation(graphs, input, runCtx) };
  },
});
