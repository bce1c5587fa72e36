import { ChatOpenAICompletions } from "@langchain/openai";
import type { ConversationConfig } from "./config-schema.js";

/**
 * The provider client. Chat Completions specifically (not ChatOpenAI's automatic Responses API
 * routing) because that is the API every OpenAI-compatible server implements. The key is a
 * function, so it is looked up per request and never kept on the model object.
 */
export function createChatModel(
  config: ConversationConfig,
  apiKey: () => Promise<string>,
): ChatOpenAICompletions {
  return new ChatOpenAICompletions({
    model: config.model,
    apiKey,
    configuration: { baseURL: config.baseUrl },
    temperature: config.temperature,
    topP: config.topP,
    maxTokens: config.maxTokens,
    timeout: config.requestTimeoutMs,
    maxRetries: config.maxRetries,
    // Ask for `stream_options.include_usage` so streamed replies still report token usage.
    streamUsage: true,
  });
}
