import { createFakeModelServer, testTemplateConformance } from "@agentrt/testing";
import { afterAll } from "vitest";
import template from "../src/index.js";

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

testTemplateConformance(template, {
  validConfig: { model: "fake-model", baseUrl: server.url },
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
  runInput: "hello",
  slowRunInput: SLOW,
  context: { env: { OPENAI_API_KEY: "sk-conformance" } },
});
