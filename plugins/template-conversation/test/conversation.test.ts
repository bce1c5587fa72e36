import { ErrorCode, isAgentrtError } from "@agentrt/core";
import {
  createFakeModelServer,
  createTestRunContext,
  type FakeModelServer,
  isAbortError,
} from "@agentrt/testing";
import { MemorySaver } from "@langchain/langgraph";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { createAgent, createContext, outputOf, run, sentMessages, TEST_KEY } from "./helpers.js";

let server: FakeModelServer;

beforeEach(async () => {
  server ??= await createFakeModelServer();
  server.reset();
});
afterAll(() => server?.close());

const config = () => ({ model: "fake-model", baseUrl: server.url, maxRetries: 0 });

describe("a stateless run", () => {
  it("sends the given messages as the whole history and answers with the reply", async () => {
    const agent = await createAgent({ ...config(), systemPrompt: "Be brief." });
    server.enqueueReply("Hi there, Ada!");
    const events = await run(agent, {
      messages: [
        { role: "user", content: "I am Ada." },
        { role: "assistant", content: "Hello Ada." },
        { role: "user", content: "Greet me." },
      ],
    });
    expect(outputOf(events)).toEqual({ role: "assistant", content: "Hi there, Ada!" });
    const [request] = server.requests;
    expect(request!.path).toBe("/v1/chat/completions");
    expect(request!.headers.authorization).toBe(`Bearer ${TEST_KEY}`);
    expect(sentMessages(request!.body)).toEqual([
      { role: "system", content: "Be brief." },
      { role: "user", content: "I am Ada." },
      { role: "assistant", content: "Hello Ada." },
      { role: "user", content: "Greet me." },
    ]);
  });

  it("asks for the whole answer, and yields no deltas, when nobody reads them", async () => {
    const agent = await createAgent(config());
    server.enqueueReply({ content: "whole answer", usage: { prompt_tokens: 2, completion_tokens: 2 } });
    const events = await run(agent, "hi", { outputDeltas: false });
    expect(events.map((event) => event.type)).toEqual(["usage", "output"]);
    expect(outputOf(events)).toEqual({ role: "assistant", content: "whole answer" });
    expect(server.requests[0]!.body).not.toHaveProperty("stream");
    // Read deltas: it streams as before.
    await run(agent, "again", { outputDeltas: true });
    expect(server.requests[1]!.body.stream).toBe(true);
  });

  it("takes a plain string as one user message and keeps nothing between runs", async () => {
    const agent = await createAgent(config());
    await run(agent, "first");
    await run(agent, "second");
    expect(sentMessages(server.requests[1]!.body)).toEqual([{ role: "user", content: "second" }]);
  });

  it("passes the sampling settings and the model name upstream", async () => {
    const agent = await createAgent({ ...config(), temperature: 0.3, topP: 0.9, maxTokens: 64 });
    await run(agent, "hello");
    expect(server.requests[0]!.body).toMatchObject({
      model: "fake-model",
      temperature: 0.3,
      top_p: 0.9,
      max_tokens: 64,
      stream: true,
      stream_options: { include_usage: true },
    });
  });
});

describe("thread memory", () => {
  it("remembers a fact from turn 1 in turn 3, and another thread does not see it", async () => {
    const agent = await createAgent(config());
    await run(agent, "My name is Grace.", { threadId: "thr_a" });
    await run(agent, { messages: [{ role: "user", content: "What is 2+2?" }] }, { threadId: "thr_a" });
    await run(agent, "What is my name?", { threadId: "thr_a" });
    await run(agent, "What is my name?", { threadId: "thr_b" });

    const turn3 = sentMessages(server.requests[2]!.body);
    expect(turn3).toEqual([
      { role: "user", content: "My name is Grace." },
      { role: "assistant", content: "echo: My name is Grace." },
      { role: "user", content: "What is 2+2?" },
      { role: "assistant", content: "echo: What is 2+2?" },
      { role: "user", content: "What is my name?" },
    ]);
    expect(JSON.stringify(server.requests[3]!.body)).not.toContain("Grace");
    expect(sentMessages(server.requests[3]!.body)).toEqual([{ role: "user", content: "What is my name?" }]);
  });

  it("keeps a thread in the host's checkpointer across agent instances (e.g. a restart)", async () => {
    const services = { checkpointer: new MemorySaver() };
    const before = await createAgent(config(), createContext({ services }));
    await run(before, "Remember the code word: heron.", { threadId: "thr_durable" });
    const after = await createAgent(config(), createContext({ services }));
    await run(after, "What was the code word?", { threadId: "thr_durable" });
    expect(JSON.stringify(server.requests[1]!.body.messages)).toContain("heron");
  });

  it("ignores the thread when the input says stateless", async () => {
    const agent = await createAgent(config());
    await run(agent, "secret: 42", { threadId: "thr_c" });
    await run(
      agent,
      { messages: [{ role: "user", content: "and now?" }], stateless: true },
      { threadId: "thr_c" },
    );
    await run(agent, "recall", { threadId: "thr_c" });
    expect(sentMessages(server.requests[1]!.body)).toEqual([{ role: "user", content: "and now?" }]);
    // The stateless run did not write to the thread either.
    expect(sentMessages(server.requests[2]!.body).map((m) => m.content)).toEqual([
      "secret: 42",
      "echo: secret: 42",
      "recall",
    ]);
  });

  it("sends only the most recent maxMessages, keeping the system prompt", async () => {
    const agent = await createAgent({
      ...config(),
      systemPrompt: "You are terse.",
      memory: { maxMessages: 3 },
    });
    for (const text of ["one", "two", "three"]) await run(agent, text, { threadId: "thr_trim" });
    expect(sentMessages(server.requests[2]!.body)).toEqual([
      { role: "system", content: "You are terse." },
      { role: "user", content: "two" },
      { role: "assistant", content: "echo: two" },
      { role: "user", content: "three" },
    ]);
  });

  it("trims by estimated tokens with the tokens strategy", async () => {
    const long = "x".repeat(400); // about 100 tokens
    const agent = await createAgent({ ...config(), memory: { strategy: "tokens", maxTokens: 60 } });
    server.enqueueReply("ok", "ok");
    await run(agent, long, { threadId: "thr_tokens" });
    await run(agent, "short question", { threadId: "thr_tokens" });
    expect(sentMessages(server.requests[1]!.body)).toEqual([
      { role: "assistant", content: "ok" },
      { role: "user", content: "short question" },
    ]);
  });
});

describe("streaming", () => {
  it("yields token deltas that concatenate to the output, then usage", async () => {
    const agent = await createAgent(config());
    server.enqueueReply({
      content: "The quick brown fox jumps",
      usage: { prompt_tokens: 11, completion_tokens: 5 },
    });
    const events = await run(agent, "go");
    const deltas = events.filter((e) => e.type === "output.delta").map((e) => e.text);
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.join("")).toBe("The quick brown fox jumps");
    expect(events.filter((e) => e.type === "usage")).toEqual([
      { type: "usage", promptTokens: 11, completionTokens: 5, model: "fake-model" },
    ]);
    expect(events.at(-1)).toEqual({
      type: "output",
      output: { role: "assistant", content: "The quick brown fox jumps" },
    });
  });

  it("delivers the first delta before the reply is complete", async () => {
    const agent = await createAgent(config());
    server.setLatency(0, 100);
    server.enqueueReply("a b c d e f");
    const ctx = createTestRunContext();
    const iterator = agent.run("go", ctx)[Symbol.asyncIterator]();
    const first = await iterator.next();
    expect(first.value).toMatchObject({ type: "output.delta" });
    expect(server.requests[0]!.closedAt).toBeNull();
    ctx.controller.abort();
    await iterator.next().catch(() => undefined);
  });
});

describe("failures", () => {
  it("turns an upstream 500 into UPSTREAM_ERROR with the status", async () => {
    const agent = await createAgent(config());
    server.failNext(500);
    const error = await run(agent, "hi").catch((e: unknown) => e);
    expect(isAgentrtError(error)).toBe(true);
    expect(error).toMatchObject({ code: ErrorCode.UPSTREAM_ERROR, details: { status: 500 } });
  });

  it("retries a 500 once by default", async () => {
    const agent = await createAgent({ model: "fake-model", baseUrl: server.url });
    server.failNext(500);
    const events = await run(agent, "hi");
    expect(outputOf(events)).toEqual({ role: "assistant", content: "echo: hi" });
    expect(server.requests).toHaveLength(2);
  });

  it("does not retry a 401 and reports it as UPSTREAM_ERROR", async () => {
    const agent = await createAgent({ model: "fake-model", baseUrl: server.url, maxRetries: 3 });
    server.failNext(401);
    const error = await run(agent, "hi").catch((e: unknown) => e);
    expect(error).toMatchObject({ code: ErrorCode.UPSTREAM_ERROR, details: { status: 401 } });
    expect(server.requests).toHaveLength(1);
  });

  it("reports an unreachable provider as UPSTREAM_ERROR", async () => {
    const closed = await createFakeModelServer();
    await closed.close();
    const agent = await createAgent({ model: "fake-model", baseUrl: closed.url, maxRetries: 0 });
    const error = await run(agent, "hi").catch((e: unknown) => e);
    expect(error).toMatchObject({ code: ErrorCode.UPSTREAM_ERROR, details: { reason: "connection" } });
  });

  it("reports a provider that does not answer in time as UPSTREAM_ERROR", async () => {
    const agent = await createAgent({ ...config(), requestTimeoutMs: 100 });
    server.setLatency(2000);
    const error = await run(agent, "hi").catch((e: unknown) => e);
    expect(error).toMatchObject({ code: ErrorCode.UPSTREAM_ERROR, details: { reason: "timeout" } });
  });

  it("fails a run with CONFIG_INVALID when the key variable disappeared after validation", async () => {
    const env: Record<string, string | undefined> = { OPENAI_API_KEY: TEST_KEY };
    const agent = await createAgent(config(), createContext({ env }));
    delete env.OPENAI_API_KEY;
    const error = await run(agent, "hi").catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: ErrorCode.CONFIG_INVALID,
      issues: [
        { path: ["apiKey", "env"], message: "environment variable OPENAI_API_KEY is not set on the server" },
      ],
    });
    expect(server.requests).toHaveLength(0);
  });
});

describe("cancellation", () => {
  it("closes the upstream request within 1 s of an abort mid-stream", async () => {
    const agent = await createAgent(config());
    server.setLatency(0, 200);
    server.enqueueReply("one two three four five six seven eight nine ten eleven twelve");
    const ctx = createTestRunContext();
    const iterator = agent.run("count", ctx)[Symbol.asyncIterator]();
    expect((await iterator.next()).value).toMatchObject({ type: "output.delta" });
    const abortedAt = Date.now();
    ctx.controller.abort();
    const upstream = await server.waitForAbort(0, 1000);
    expect(upstream.closedAt! - abortedAt).toBeLessThan(1000);
    const error = await iterator.next().catch((e: unknown) => e);
    expect(isAbortError(error, ctx.signal)).toBe(true);
  });

  it("closes the upstream request when aborted before the first token", async () => {
    const agent = await createAgent(config());
    server.setLatency(5000);
    const ctx = createTestRunContext();
    const settled = agent
      .run("wait", ctx)
      [Symbol.asyncIterator]()
      .next()
      .then(
        () => "finished",
        (error: unknown) => error,
      );
    await server.waitForRequests(1);
    ctx.controller.abort();
    await server.waitForAbort(0, 1000);
    expect(isAbortError(await settled, ctx.signal)).toBe(true);
  });
});

describe("a consumer that stops reading", () => {
  it("closes the upstream request when it leaves the loop early", async () => {
    const agent = await createAgent(config());
    server.setLatency(0, 200);
    server.enqueueReply("one two three four five six seven eight nine ten eleven twelve");
    for await (const event of agent.run("count", createTestRunContext())) {
      expect(event.type).toBe("output.delta");
      break;
    }
    await server.waitForAbort(0, 1000);
  });
});

describe("secret references", () => {
  it("resolves the key through ctx.services.secrets for every request", async () => {
    let current = "sk-from-secret-1";
    const secrets = { get: (name: string) => (name === "provider-key" ? current : undefined) };
    const ctx = createContext({ env: {}, services: { secrets } });
    const agent = await createAgent({ ...config(), apiKey: { secret: "provider-key" } }, ctx);
    await run(agent, "one");
    current = "sk-from-secret-2";
    await run(agent, "two");
    expect(server.requests.map((r) => r.headers.authorization)).toEqual([
      "Bearer sk-from-secret-1",
      "Bearer sk-from-secret-2",
    ]);
  });
});

// Stateless runs call the model directly, thread runs go through the LangGraph graph: both must
// behave the same for the same history.
describe("stateless and thread runs behave alike", () => {
  const paths = [
    ["stateless", {}],
    ["thread", { threadId: "thr_same" }],
  ] as const;

  it("send the same model input for the same history, trimmed the same way", async () => {
    for (const [i, memory] of [{ maxMessages: 3 }, { strategy: "tokens", maxTokens: 14 }].entries()) {
      server.reset();
      const agent = await createAgent({ ...config(), systemPrompt: "Be brief.", memory });
      for (const text of ["one", "two", "three"]) await run(agent, text, { threadId: `thr_trim_${i}` });
      await run(agent, {
        messages: [
          { role: "user", content: "one" },
          { role: "assistant", content: "echo: one" },
          { role: "user", content: "two" },
          { role: "assistant", content: "echo: two" },
          { role: "user", content: "three" },
        ],
      });
      const [, , onThread, stateless] = server.requests.map((r) => sentMessages(r.body));
      expect(stateless).toEqual(onThread);
      expect(stateless![0]).toEqual({ role: "system", content: "Be brief." });
      expect(stateless!.length).toBeLessThan(6);
    }
  });

  it("yield the same events for the same reply", async () => {
    const agent = await createAgent(config());
    const reply = { content: "Same words either way", usage: { prompt_tokens: 7, completion_tokens: 4 } };
    const events = [];
    for (const [, overrides] of paths) {
      server.enqueueReply(reply);
      events.push(await run(agent, "go", overrides));
    }
    expect(events[0]).toEqual(events[1]);
    expect(events[0]!.at(-2)).toEqual({
      type: "usage",
      promptTokens: 7,
      completionTokens: 4,
      model: "fake-model",
    });
  });

  it.each(paths)("%s: turns an upstream error into UPSTREAM_ERROR", async (_, overrides) => {
    const agent = await createAgent(config());
    server.failNext(503);
    const error = await run(agent, "hi", overrides).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: ErrorCode.UPSTREAM_ERROR, details: { status: 503 } });
  });

  it.each(paths)("%s: closes the upstream request when aborted mid-stream", async (_, overrides) => {
    const agent = await createAgent(config());
    server.setLatency(0, 200);
    server.enqueueReply("one two three four five six seven eight");
    const ctx = createTestRunContext(overrides);
    const iterator = agent.run("count", ctx)[Symbol.asyncIterator]();
    expect((await iterator.next()).value).toMatchObject({ type: "output.delta" });
    ctx.controller.abort();
    await server.waitForAbort(0, 1000);
    expect(isAbortError(await iterator.next().catch((e: unknown) => e), ctx.signal)).toBe(true);
  });
});
