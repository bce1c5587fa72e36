import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type ChatHarness,
  conversationConfig,
  createAgentOk,
  startChatHarness,
} from "./conversation-host.js";
import { ADMIN_KEY, startTestServer, type TestServer } from "./helpers.js";
import { apiError } from "./openai-client.js";

let harness: ChatHarness;
let server: TestServer;
beforeAll(async () => {
  harness = await startChatHarness();
  server = harness.server;
});
afterAll(() => harness.close());

const NO_LIMITS = { maxConcurrentRuns: null, maxRunsPerMinute: null, maxTokensPerDay: null };
const startRun = (agent: string, input: unknown = "x") =>
  server.call("POST", `/v1/agents/${agent}/runs`, { input, mode: "background" });

describe("an agent's limits", () => {
  it("are stored with the agent, shown, and changed field by field", async () => {
    const created = await server.call("POST", "/v1/agents", {
      name: "limited",
      template: "echo",
      limits: { maxRunsPerMinute: 10 },
    });
    expect(created.status).toBe(201);
    expect(created.body.limits).toEqual({ ...NO_LIMITS, maxRunsPerMinute: 10 });
    const patched = await server.call("PATCH", "/v1/agents/limited", { limits: { maxTokensPerDay: 500 } });
    expect(patched.body).toMatchObject({
      revision: 1,
      limits: { ...NO_LIMITS, maxRunsPerMinute: 10, maxTokensPerDay: 500 },
    });
    const cleared = await server.call("PATCH", "/v1/agents/limited", { limits: { maxRunsPerMinute: null } });
    expect(cleared.body.limits).toEqual({ ...NO_LIMITS, maxTokensPerDay: 500 });
    expect((await server.call("GET", "/v1/agents/limited")).body.limits).toEqual(cleared.body.limits);
    const bad = await server.call("PATCH", "/v1/agents/limited", { limits: { maxConcurrentRuns: 0 } });
    expect(bad.status).toBe(422);
    expect(bad.body.errors[0].path).toEqual(["limits", "maxConcurrentRuns"]);
    expect(
      (await server.call("POST", "/v1/agents", { name: "plain", template: "echo" })).body.limits,
    ).toEqual(NO_LIMITS);
  });

  it("max concurrent runs: of N parallel submissions exactly L are accepted", async () => {
    await createAgentOk(server, { name: "busy", template: "echo", limits: { maxConcurrentRuns: 3 } });
    const answers = await Promise.all(
      Array.from({ length: 12 }, () => startRun("busy", { sleepMs: 60_000 })),
    );
    const accepted = answers.filter((a) => a.status === 202);
    expect(accepted).toHaveLength(3);
    const refused = answers.filter((a) => a.status === 429);
    expect(refused).toHaveLength(9);
    expect(refused[0]!.body).toMatchObject({ code: "RATE_LIMITED" });
    expect(refused[0]!.body.detail).toMatch(/3 runs in flight/);
    expect(Number(refused[0]!.headers.get("retry-after"))).toBeGreaterThan(0);
    // A run that ends frees its place.
    await server.call("POST", `/v1/runs/${accepted[0]!.body.id}/cancel`);
    expect((await startRun("busy", { sleepMs: 60_000 })).status).toBe(202);
    const running = await server.call("GET", "/v1/runs?agent=busy&limit=100");
    await Promise.all(
      running.body.data
        .filter((r: { status: string }) => r.status === "running" || r.status === "queued")
        .map((r: { id: string }) => server.call("POST", `/v1/runs/${r.id}/cancel`)),
    );
  });

  it("max runs per minute: the next run is refused until the minute is over", async () => {
    await createAgentOk(server, { name: "paced", template: "echo", limits: { maxRunsPerMinute: 2 } });
    const answers = await Promise.all(Array.from({ length: 5 }, () => startRun("paced")));
    expect(answers.filter((a) => a.status === 202)).toHaveLength(2);
    const refused = answers.find((a) => a.status === 429)!;
    const retryAfter = Number(refused.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    // Without the limit the agent accepts runs again.
    await server.call("PATCH", "/v1/agents/paced", { limits: { maxRunsPerMinute: null } });
    expect((await startRun("paced")).status).toBe(202);
  });

  it("max tokens per day: counted from the runs' usage, unstored completions' too; chat callers get rate_limit_exceeded", async () => {
    await createAgentOk(server, {
      name: "thrifty",
      template: "conversation",
      config: conversationConfig(harness.fake),
      limits: { maxTokensPerDay: 30 },
    });
    harness.fake.enqueueReply({
      content: "a long answer",
      usage: { prompt_tokens: 25, completion_tokens: 10 },
    });
    const client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: ADMIN_KEY, maxRetries: 0 });
    const messages = [{ role: "user" as const, content: "hi" }];
    // Stateless without `store: true`: not journalled, and still counted.
    const first = await client.chat.completions.create({ model: "thrifty", messages });
    expect(first.usage?.total_tokens).toBe(35);
    expect((await server.call("GET", "/v1/runs?agent=thrifty")).body.data).toEqual([]);
    const error = await apiError(client.chat.completions.create({ model: "thrifty", messages }));
    expect(error.status).toBe(429);
    expect(error.code).toBe("rate_limit_exceeded");
    expect(error.message).toMatch(/35 of its 30 tokens/);
    // Until the next UTC midnight.
    const retryAfter = Number(error.headers?.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(86_400);
    expect(harness.fake.requests).toHaveLength(1);
  });
});

describe("an agent's limits on unstored chat completions", () => {
  const client = () => new OpenAI({ baseURL: `${server.url}/v1`, apiKey: ADMIN_KEY, maxRetries: 0 });
  const messages = [{ role: "user" as const, content: "hi" }];

  it("max concurrent runs counts unstored completions in flight, with stored runs", async () => {
    harness.fake.reset();
    await createAgentOk(server, {
      name: "single",
      template: "conversation",
      config: conversationConfig(harness.fake),
      limits: { maxConcurrentRuns: 1 },
    });
    harness.fake.setLatency(30_000);
    const controller = new AbortController();
    const slow = client().chat.completions.create(
      { model: "single", messages },
      { signal: controller.signal },
    );
    await harness.fake.waitForRequests(1);
    const refused = await apiError(client().chat.completions.create({ model: "single", messages }));
    expect(refused).toMatchObject({ status: 429, code: "rate_limit_exceeded" });
    expect(refused.message).toMatch(/1 runs in flight/);
    expect((await startRun("single")).status).toBe(429);
    // The client leaves: the run is cancelled and its place freed.
    controller.abort();
    await expect(slow).rejects.toBeInstanceOf(OpenAI.APIUserAbortError);
    await harness.fake.waitForAbort(0);
    harness.fake.setLatency(0);
    await expect
      .poll(
        async () =>
          (
            await client()
              .chat.completions.create({ model: "single", messages })
              .catch(() => null)
          )?.choices[0]?.message.content,
      )
      .toBe("echo: hi");
  });

  it("max runs per minute counts unstored completions", async () => {
    await createAgentOk(server, { name: "once", template: "echo", limits: { maxRunsPerMinute: 1 } });
    expect(
      (await client().chat.completions.create({ model: "once", messages })).choices[0]!.message.content,
    ).toBe("hello hi");
    const refused = await apiError(client().chat.completions.create({ model: "once", messages }));
    expect(refused).toMatchObject({ status: 429, code: "rate_limit_exceeded" });
    expect((await startRun("once")).status).toBe(429);
  });
});

describe("a full run queue", () => {
  let small: TestServer;
  beforeAll(async () => {
    small = await startTestServer({
      AGENTRT_RUN_CONCURRENCY: "1",
      AGENTRT_RUN_CONCURRENCY_PER_AGENT: "1",
      AGENTRT_RUN_MAX_QUEUED: "0",
    });
    await createAgentOk(small, { name: "echo", template: "echo" });
  });
  afterAll(() => small.stop());

  it("says when to try again (Retry-After)", async () => {
    const first = await small.call("POST", "/v1/agents/echo/runs", {
      input: { sleepMs: 60_000 },
      mode: "background",
    });
    expect(first.status).toBe(202);
    const full = await small.call("POST", "/v1/agents/echo/runs", { input: "x", mode: "background" });
    expect(full.status).toBe(429);
    expect(full.body.code).toBe("QUEUE_FULL");
    expect(full.headers.get("retry-after")).toBe("1");
    await small.call("POST", `/v1/runs/${first.body.id}/cancel`);
  });
});
