import { defineTemplate } from "@agentrt/core";
import { checkApiKey } from "./api-key.js";
import { chat } from "./chat-capability.js";
import { configSchema } from "./config-schema.js";
import { CONVERSATION_ERRORS } from "./errors.js";
import { inputSchema } from "./input-schema.js";
import { services } from "./services.js";
import { checkHttpUrls, checkMcpServers } from "./settings.js";
import { threads } from "./thread-memory.js";

export type { ApiKeyRef, CheckpointSaver, SecretStore } from "@agentrt/core";
export type { ConversationConfig, MemoryPolicy } from "./config-schema.js";
export type { ChatMessage, ConversationInput } from "./input-schema.js";
export type { AssistantOutput } from "./model-turn.js";
export type { ConversationContext, ConversationServices } from "./services.js";

// LangChain costs hundreds of milliseconds to import; the server imports every template at start,
// so it is loaded with the first agent instead (one promise, shared by concurrent creates). The
// capabilities need none of it: chat maps plain messages, threads decode the checkpoint structurally.
let agentModule: Promise<typeof import("./create-agent.js")> | undefined;
const loadAgentModule = () => (agentModule ??= import("./create-agent.js"));

/** A chat agent on LangGraph.js: any OpenAI-compatible provider, thread memory in the host's checkpointer. */
export default defineTemplate({
  name: "conversation",
  description: "Chat agent on LangGraph.js with thread memory, over any OpenAI-compatible model API",
  configSchema,
  inputSchema,
  services,
  errors: CONVERSATION_ERRORS,
  validate: async (config, ctx) => [
    ...(await checkApiKey(config.apiKey, ctx)),
    ...checkMcpServers(config.tools, ctx.settings),
    ...checkHttpUrls(config.tools, ctx.settings),
  ],
  create: async (config, ctx) => (await loadAgentModule()).createConversationAgent(config, ctx),
  chat,
  threads,
});
