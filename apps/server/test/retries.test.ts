import { createRequire } from "node:module";
import { createServer } from "node:net";
import { dirname } from "node:path";
import { createFakeModelServer, type FakeModelServer } from "@agentrt/testing";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { conversationConfig, createAgentOk } from "./conversation-host.js";
import { ADMIN_KEY, createTestHost, serverDir, startTestServer, type TestServer } from "./helpers.js";
import { apiError } from "./openai-client.js";
import { startUpstream, type Upstream } from "./upstream.js";

// The official SDK at its defaults: `maxRetries: 2`, so a retried failure would make three runs.
let client: OpenAI;
let server: TestServer;
let fake: FakeModelServer;
let upstream: Upstream;
let closedPort: number;

const resolveDir = (name: string) =>
  dirname(createRequire(`${serverDir}/package.json`).resolve(`${name}/package.json`));

/** A port nothing listens on: taken, then released. */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

beforeAll(async () => {
  fake = await createFakeModelServer();
  upstream = await startUpstream();
  closedPort = await freePort();
  server = await startTestServer({
    AGENTRT_HOST_DIR: createTestHost({
      "@agentrt/template-conversation": resolveDir("@agentrt/template-conversation"),
      "@agentrt/template-task": resolveDir("@agentrt/template-task"),
    }),
    AGENTRT_TEMPLATE_SETTINGS: JSON.stringify({ task: { allowInternal: ["127.0.0.1"] } }),
    // Short enough for the timeout case, long enough for the others on a loaded machine.
    AGENTRT_RUN_TIMEOUT_MS: "12000",
  });
  client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: ADMIN_KEY });
  await createAgentOk(server, {
    name: "side-effect",
    template: "task",
    config: {
      retryCount: 0,
      steps: [
        { id: "notify", kind: "http", url: `${upstream.url}/notify` },
        { id: "boom", kind: "http", url: `${upstream.url}/fail`, dependsOn: ["notify"] },
      ],
    },
  });
  await createAgentOk(server, {
    name: "provider-500",
    template: "conversation",
    config: conversationConfig(fake),
  });
  await createAgentOk(server, { name: "slow", template: "conversation", config: conversationConfig(fake) });
  await createAgentOk(server, {
    name: "unreachable",
    template: "conversation",
    config: { ...conversationConfig(fake), baseUrl: `http://127.0.0.1:${closedPort}/v1` },
  });
}, 60_000);
afterAll(async () => {
  await server?.stop();
  await fake?.close();
  await upstream?.close();
});

async function runsOf(agent: string): Promise<{ status: string; error: { code: string } | null }[]> {
  const res = await server.call("GET", `/v1/runs?agent=${agent}&limit=100`);
  expect(res.status).toBe(200);
  return res.body.data;
}

// Stored (`store: true`), so the runs each request made can be counted.
const ask = (model: string, stream = false) =>
  stream
    ? client.chat.completions.create({
        model,
        messages: [{ role: "user", content: "go" }],
        stream: true,
        store: true,
      })
    : client.chat.completions.create({ model, messages: [{ role: "user", content: "go" }], store: true });

describe("a failed run is never run again by an SDK retry", () => {
  it("a task whose step failed after an http side effect: one run, one side effect, 422", async () => {
    for (const stream of [false, true]) {
      const error = await apiError(ask("side-effect", stream));
      expect(error.status).toBe(422);
      expect(error.code).toBe("task.step_failed");
      expect(error.headers?.get("x-should-retry")).toBe("false");
    }
    expect(upstream.hits["/notify"]).toBe(2);
    const runs = await runsOf("side-effect");
    expect(runs).toHaveLength(2);
    expect(runs.every((r) => r.status === "failed")).toBe(true);
  });

  it("a provider that answers 500: one run, 502 without retry", async () => {
    fake.failNext(500, undefined, 10);
    const error = await apiError(ask("provider-500"));
    expect(error.status).toBe(502);
    expect(error.code).toBe("upstream_error");
    expect(error.headers?.get("x-should-retry")).toBe("false");
    expect(await runsOf("provider-500")).toHaveLength(1);
    fake.reset();
  });

  it("a run that timed out: one run", async () => {
    fake.setLatency(120_000);
    try {
      const error = await apiError(ask("slow"));
      expect(error.code).toBe("run_timeout");
      expect(error.headers?.get("x-should-retry")).toBe("false");
    } finally {
      fake.reset();
    }
    const runs = await runsOf("slow");
    expect(runs.map((r) => r.status)).toEqual(["timed_out"]);
  }, 60_000);

  it("a provider that cannot be reached before the run did anything is retried: nothing happened", async () => {
    const error = await apiError(ask("unreachable"));
    expect(error.status).toBe(502);
    expect(error.headers?.get("x-should-retry")).toBe("true");
    // The SDK's two retries are new runs, each of which only tried to connect.
    const runs = await runsOf("unreachable");
    expect(runs).toHaveLength(3);
    expect(runs.every((r) => r.error?.code === "UPSTREAM_ERROR")).toBe(true);
  }, 30_000);
});
