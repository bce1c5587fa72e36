import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { Logger } from "@agentrt/core";
import { createFakeModelServer, type FakeModelServer } from "@agentrt/testing";
import { createTestHost, serverDir, startTestServer, type TestServer } from "./helpers.js";

/** The upstream key the agents reference by variable name; the fake model records it. */
export const FAKE_KEY = "sk-fake-upstream-key";
process.env.FAKE_KEY = FAKE_KEY;

const conversationDir = dirname(
  createRequire(join(serverDir, "package.json")).resolve("@agentrt/template-conversation/package.json"),
);

/** A host with the fixture templates plus the real conversation template. */
export const createConversationHost = () =>
  createTestHost({ "@agentrt/template-conversation": conversationDir });

/** Config of a conversation agent talking to the fake model. */
export function conversationConfig(fake: FakeModelServer, extra: Record<string, unknown> = {}) {
  return { model: "fake-model", baseUrl: fake.url, apiKey: { env: "FAKE_KEY" }, maxRetries: 0, ...extra };
}

export interface ChatHarness {
  fake: FakeModelServer;
  server: TestServer;
  hostDir: string;
  close(): Promise<void>;
}

/** A real agentrt server whose conversation agents talk to a fake model server. */
export async function startChatHarness(
  env: Record<string, string> = {},
  logger?: Logger,
): Promise<ChatHarness> {
  const fake = await createFakeModelServer();
  const hostDir = createConversationHost();
  const server = await startTestServer(
    {
      AGENTRT_HOST_DIR: hostDir,
      AGENTRT_SSE_HEARTBEAT_MS: "200",
      ...env,
    },
    logger,
  );
  return {
    fake,
    server,
    hostDir,
    async close() {
      await server.stop();
      await fake.close();
    },
  };
}

/** Creates an agent through the API and fails the test with the answer when that goes wrong. */
export async function createAgentOk(
  server: TestServer,
  body: Record<string, unknown>,
): Promise<{ id: string; name: string }> {
  const res = await server.call("POST", "/v1/agents", body);
  if (res.status !== 201)
    throw new Error(`agent ${String(body.name)}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}
