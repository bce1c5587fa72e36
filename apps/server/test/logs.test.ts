import { withLogFields } from "@agentrt/runtime";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger, REDACTED_PATHS } from "../src/lib/logger.js";
import {
  type ChatHarness,
  conversationConfig,
  createAgentOk,
  FAKE_KEY,
  startChatHarness,
} from "./conversation-host.js";
import { createFullHost } from "./full-host.js";
import { ADMIN_KEY } from "./helpers.js";
import { captureLogs } from "./log-capture.js";
import { startUpstream, type Upstream } from "./upstream.js";

describe("the pino logger", () => {
  it("writes one JSON object per line with the level name, time and the current log fields", () => {
    const out = captureLogs();
    const logger = createLogger({ level: "debug", destination: out.stream });
    withLogFields({ requestId: "req-1" }, () => logger.info("hello", { n: 1 }));
    logger.debug("plain");
    const [first, second] = out.parsed();
    expect(first).toMatchObject({ level: "info", msg: "hello", n: 1, requestId: "req-1" });
    expect(Date.parse(String(first!.time))).not.toBeNaN();
    expect(second).toMatchObject({ level: "debug", msg: "plain" });
    expect(second).not.toHaveProperty("requestId");
  });

  it("drops lines under its level", () => {
    const out = captureLogs();
    const logger = createLogger({ level: "warn", destination: out.stream });
    logger.info("no");
    logger.warn("yes");
    expect(out.parsed().map((l) => l.msg)).toEqual(["yes"]);
  });

  it("redacts a secret at every declared path, at every level", () => {
    const out = captureLogs();
    const logger = createLogger({ level: "debug", destination: out.stream });
    const secret = "s3cr3t-value-that-must-not-leak";
    const data = {
      apiKey: secret,
      key: secret,
      secret,
      webhookSecret: secret,
      password: secret,
      token: secret,
      authorization: secret,
      Authorization: secret,
      env: { OPENAI_API_KEY: secret },
      headers: { authorization: secret, cookie: secret, "x-api-key": secret, "set-cookie": secret },
      config: {
        apiKey: secret,
        llm: { apiKey: secret },
        steps: [{ headers: { Authorization: secret, authorization: secret, "x-api-key": secret } }],
        tools: [{ headers: { Authorization: secret, authorization: secret, "x-api-key": secret } }],
        headers: { Authorization: secret },
      },
      upstream: { env: { KEY: secret }, token: secret, headers: { authorization: secret } },
    };
    for (const level of ["debug", "info", "warn", "error"] as const) logger[level]("with secrets", data);
    expect(out.lines).toHaveLength(4);
    for (const line of out.lines) expect(line).not.toContain(secret);
    expect(out.parsed()[0]).toMatchObject({ apiKey: "[redacted]", headers: { cookie: "[redacted]" } });
    expect(REDACTED_PATHS.length).toBeGreaterThan(0);
  });
});

describe("logs of a running server", () => {
  const out = captureLogs();
  const ENV_SECRET = "sk-env-referenced-secret-0123456789";
  const HEADER_SECRET = "Bearer task-step-header-secret-abcdef";
  let harness: ChatHarness;
  let upstream: Upstream;

  beforeAll(async () => {
    process.env.LOG_TEST_KEY = ENV_SECRET;
    upstream = await startUpstream();
    harness = await startChatHarness(
      {
        AGENTRT_TEMPLATE_SETTINGS: JSON.stringify({ task: { allowInternal: ["127.0.0.1"] } }),
        AGENTRT_WEBHOOK_SECRET: "whsec-logged-never-0123456789",
        AGENTRT_LOG_LEVEL: "debug",
        AGENTRT_HOST_DIR: createFullHost(),
      },
      createLogger({ level: "debug", destination: out.stream }),
    );
  });
  afterAll(async () => {
    await harness?.close();
    await upstream?.close();
  });

  it("never writes a secret from a config, a header or an env reference, and ties lines to requests and runs", async () => {
    const { server, fake } = harness;
    await createAgentOk(server, {
      name: "talker",
      template: "conversation",
      config: conversationConfig(fake, { apiKey: { env: "LOG_TEST_KEY" } }),
    });
    const chat = await server.call("POST", "/v1/agents/talker/runs", {
      input: { messages: [{ role: "user", content: "hi" }] },
    });
    expect(chat.status).toBeLessThan(300);
    expect(fake.requests.at(-1)?.headers.authorization).toBe(`Bearer ${ENV_SECRET}`);

    await createAgentOk(server, {
      name: "retrying",
      template: "task",
      config: {
        retryCount: 1,
        retryBackoffMs: 1,
        steps: [
          {
            id: "call",
            kind: "http",
            url: `${upstream.url}/fail`,
            headers: { Authorization: HEADER_SECRET },
          },
        ],
      },
    });
    const task = await server.call("POST", "/v1/agents/retrying/runs", {}, undefined);
    expect(task.body).toMatchObject({ status: "failed" });
    await server.call("GET", "/v1/agents/nobody");

    const text = out.lines.join("\n");
    for (const secret of [
      ENV_SECRET,
      HEADER_SECRET,
      "task-step-header-secret",
      ADMIN_KEY,
      FAKE_KEY,
      "whsec-logged-never",
    ])
      expect(text).not.toContain(secret);

    const lines = out.parsed();
    const requests = lines.filter((l) => l.msg === "request");
    expect(requests.length).toBeGreaterThanOrEqual(5);
    for (const line of requests) {
      expect(line.requestId).toEqual(expect.any(String));
      expect(line).toMatchObject({ headers: { authorization: "[redacted]" } });
    }
    const retry = lines.find((l) => typeof l.msg === "string" && l.msg.includes("attempt 1 failed"));
    expect(retry).toMatchObject({ level: "warn", runId: task.body.id, requestId: expect.any(String) });
  });
});
