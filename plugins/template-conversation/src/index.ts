import { defineTemplate } from "@agentrt/core";
import { checkApiKey } from "./api-key.js";
import { configSchema } from "./config-schema.js";
import { inputSchema } from "./input-schema.js";
import { CORE_API_RANGE, PACKAGE_VERSION } from "./package-manifest.js";

export type { ApiKeyRef, SecretStore } from "@agentrt/core";
export type { ConversationConfig, MemoryPolicy } from "./config-schema.js";
export type { ChatMessage, ConversationInput } from "./input-schema.js";
export type { AssistantOutput } from "./model-turn.js";

// LangChain costs hundreds of milliseconds to import; the server imports every template at start,
// so it is loaded with the first agent instead (one promise, shared by concurrent creates).
let agentModule: Promise<typeof import("./create-agent.js")> | undefined;
const loadAgentModule = () => (agentModule ??= import("./create-agent.js"));

/** A chat agent on LangGraph.js: any OpenAI-compatible provider, thread memory via a checkpointer. */
export default defineTemplate({
  name: "conversation",
  version: PACKAGE_VERSION,
  coreApi: CORE_API_RANGE,
  description: "Chat agent on LangGraph.js with thread memory, over any OpenAI-compatible model API",
  configSchema,
  inputSchema,
  validate: (config, ctx) => checkApiKey(config.apiKey, ctx),
  create: async (config, ctx) => (await loadAgentModule()).createConversationAgent(config, ctx),
});
