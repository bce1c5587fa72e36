import { createFakeModelServer, testTemplateConformance } from "@agentrt/testing";
import { MemorySaver } from "@langchain/langgraph";
import { afterAll } from "vitest";

const SLOW = "tell me a long story";

// Registered at collection time, so the fake provider must exist before the suite is declared.
const server = await createFakeModelServer({
  tokenDelayMs: 10,
  reply: (request) => {
    const last = request.messages?.at(-1)?.content;
    return last === SLOW ? "once upon a time ".repeat(200) : "ok";
  },
});
afterAll(() => server.close());

// Loads the built package the way discovery does (run `build` first).
testTemplateConformance(new URL("..", import.meta.url), {
  config: { model: "fake-model", baseUrl: server.url },
  invalidConfigs: [
    { config: { baseUrl: server.url }, path: ["model"] },
    { config: { model: "fake-model", temperature: 5 }, path: ["temperature"] },
    { config: { model: "fake-model", apiKey: { env: "UNSET_PROVIDER_KEY" } }, path: ["apiKey", "env"] },
    { config: { model: "fake-model", memory: { strategy: "tokens" } }, path: ["memory", "maxTokens"] },
  ],
  expectedDefaults: {
    apiKey: { env: "OPENAI_API_KEY" },
    memory: { strategy: "messages", maxMessages: 50, trim: "oldest" },
    requestTimeoutMs: 60_000,
    maxRetries: 1,
  },
  input: "hello",
  slowInput: SLOW,
  // The checkpointer is a required service: the host always provides one.
  context: { env: { OPENAI_API_KEY: "sk-conformance" }, services: { checkpointer: new MemorySaver() } },
});
