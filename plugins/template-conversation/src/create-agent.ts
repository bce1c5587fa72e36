import type { AgentInstance } from "@agentrt/core";
import { resolveApiKey } from "./api-key.js";
import { CLIENT_TOOL_PARAMS } from "./caller-params.js";
import { createChatClient } from "./chat-client.js";
import { resolveCheckpointer } from "./checkpointer.js";
import type { ConversationConfig } from "./config-schema.js";
import { createConversationGraph } from "./conversation-graph.js";
import { runConversation } from "./run-conversation.js";
import { createServerTools } from "./server-tools.js";
import type { ConversationContext } from "./services.js";

/**
 * The template's `create`: everything that needs LangChain/LangGraph. The entry module imports this
 * file only when the first agent is built, so discovering the template stays cheap.
 */
export function createConversationAgent(config: ConversationConfig, ctx: ConversationContext): AgentInstance {
  const turn = {
    client: createChatClient(config, () => resolveApiKey(config.apiKey, ctx)),
    model: config.model,
    memory: config.memory,
    systemPrompt: config.systemPrompt,
  };
  const tools = createServerTools(config.tools, ctx);
  const toolSetup = {
    load: tools.load,
    limits: { timeoutMs: config.toolTimeoutMs, maxResultChars: config.maxToolResultChars },
    maxRounds: config.maxToolRounds,
  };
  // Compiled once per agent instance and reused by every run; threads live in the host's saver.
  const agent = {
    turn,
    toolSetup,
    allowedParams: new Set<string>([...config.callerParams.allow, ...CLIENT_TOOL_PARAMS]),
    graph: createConversationGraph(turn, toolSetup, resolveCheckpointer(ctx)),
  };
  return { run: (input, runCtx) => runConversation(agent, input, runCtx), dispose: tools.close };
}
