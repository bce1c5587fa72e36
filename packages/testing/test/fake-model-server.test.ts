import OpenAI from "openai";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createFakeModelServer, type FakeModelServer } from "../src/index.js";

let server: FakeModelServer;
let client: OpenAI;

beforeEach(async () => {
  server = await createFakeModelServer({ models: ["fake-model", "other-model"] });
  client = new OpenAI({ baseURL: server.url, apiKey: "sk-test", maxRetries: 0 });
});

afterEach(async () => {
  await server.close();
});

/** Reads a raw SSE body into its `data:` payloads. */
function dataLines(body: string): string[] {
  return body
    .split("\n\n")
    .filter((frame) => frame.startsWith("data: "))
    .map((frame) => frame.slice("data: ".length));
}

describe("createFakeModelServer with the official openai SDK", () => {
  it("listens on 127.0.0.1 with a /v1 base URL", () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/v1`);
    expect(server.port).toBeGreaterThan(0);
  });

  it("lists the configured models and retrieves one", async () => {
    const ids: string[] = [];
    for await (const model of client.models.list()) ids.push(model.id);
    expect(ids).toEqual(["fake-model", "other-model"]);
    const model = await client.models.retrieve("other-model");
    expect(model).toEqual({ id: "other-model", object: "model", created: 0, owned_by: "agentrt-testing" });
    await expect(client.models.retrieve("missing")).rejects.toMatchObject({
      status: 404,
      code: "model_not_found",
    });
  });

  it("answers a non-streamed completion with an exact chat.completion object", async () => {
    const completion = await client.chat.completions.create({
      model: "fake-model",
      messages: [
        { role: "system", content: "be brief" },
        { role: "user", content: "hello there" },
      ],
    });
    expect(completion).toEqual({
      id: expect.stringMatching(/^chatcmpl-/),
      object: "chat.completion",
      created: expect.any(Number),
      model: "fake-model",
      choices: [
        {
          index: 0,
          message: { role: "assistant", content: "echo: hello there", refusal: null },
          logprobs: null,
          finish_reason: "stop",
        },
      ],
      usage: { prompt_tokens: 4, completion_tokens: 3, total_tokens: 7 },
      system_fingerprint: null,
    });
    expect(Math.abs(completion.created - Date.now() / 1000)).toBeLessThan(60);
  });

  it("records requests with headers and body, without checking auth", async () => {
    await client.chat.completions.create({
      model: "fake-model",
      messages: [{ role: "user", content: "hi" }],
    });
    const [request] = await server.waitForRequests(1);
    expect(request).toMatchObject({
      method: "POST",
      path: "/v1/chat/completions",
      body: { model: "fake-model", messages: [{ role: "user", content: "hi" }] },
      aborted: false,
    });
    expect(request!.headers.authorization).toBe("Bearer sk-test");
    expect(request!.receivedAt).toBeLessThanOrEqual(Date.now());
    expect(request!.closedAt).not.toBeNull();
  });

  it("streams token by token with a role chunk, a stop chunk, a usage chunk and [DONE]", async () => {
    server.enqueueReply({ content: "The answer is 42.", usage: { prompt_tokens: 10, completion_tokens: 5 } });
    const stream = await client.chat.completions.create({
      model: "fake-model",
      messages: [{ role: "user", content: "question" }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);

    expect(chunks[0]!.choices[0]!.delta).toEqual({ role: "assistant", content: "", refusal: null });
    const tokens = chunks.slice(1, -2).map((chunk) => chunk.choices[0]!.delta.content);
    expect(tokens).toEqual(["The", " answer", " is", " 42."]);
    for (const chunk of chunks) {
      expect(chunk).toMatchObject({
        object: "chat.completion.chunk",
        model: "fake-model",
        id: chunks[0]!.id,
      });
    }
    const stop = chunks.at(-2)!;
    expect(stop.choices).toEqual([{ index: 0, delta: {}, logprobs: null, finish_reason: "stop" }]);
    expect(stop.usage).toBeNull();
    const usage = chunks.at(-1)!;
    expect(usage.choices).toEqual([]);
    expect(usage.usage).toEqual({ prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 });
  });

  it("sends text/event-stream ending in data: [DONE], without a usage chunk unless asked", async () => {
    const response = await fetch(`${server.url}/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        model: "fake-model",
        stream: true,
        messages: [{ role: "user", content: "a b" }],
      }),
    });
    expect(response.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    const data = dataLines(await response.text());
    expect(data.at(-1)).toBe("[DONE]");
    const chunks = data.slice(0, -1).map((line) => JSON.parse(line));
    expect(chunks.map((c) => c.choices[0].delta.content ?? null)).toEqual(["", "echo:", " a", " b", null]);
    expect(chunks.every((c) => !("usage" in c))).toBe(true);
  });

  it("streams chunk by chunk when a token delay is set", async () => {
    server.setLatency(5, 5);
    const stream = await client.chat.completions.create({
      model: "fake-model",
      messages: [{ role: "user", content: "one two three" }],
      stream: true,
    });
    let text = "";
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
    expect(text).toBe("echo: one two three");
    expect(server.requests[0]!.aborted).toBe(false);
  });

  it("takes replies from the queue first, then from the reply function with a request index", async () => {
    await server.close();
    server = await createFakeModelServer({
      reply: (request, index) => `#${index} for ${request.model}`,
    });
    client = new OpenAI({ baseURL: server.url, apiKey: "k", maxRetries: 0 });
    server.enqueueReply("queued one", { content: "queued two" });
    const ask = async () =>
      (await client.chat.completions.create({ model: "m", messages: [{ role: "user", content: "x" }] }))
        .choices[0]!.message.content;
    expect([await ask(), await ask(), await ask()]).toEqual(["queued one", "queued two", "#2 for m"]);
  });

  it("reads text content parts of the last user message", async () => {
    const completion = await client.chat.completions.create({
      model: "fake-model",
      messages: [
        { role: "user", content: "first" },
        { role: "assistant", content: "reply" },
        {
          role: "user",
          content: [
            { type: "text", text: "part one, " },
            { type: "text", text: "part two" },
          ],
        },
      ],
    });
    expect(completion.choices[0]!.message.content).toBe("echo: part one, part two");
  });

  it("fails the next requests with OpenAI error JSON, then recovers", async () => {
    server.failNext(429);
    await expect(
      client.chat.completions.create({ model: "fake-model", messages: [{ role: "user", content: "x" }] }),
    ).rejects.toMatchObject({
      constructor: OpenAI.RateLimitError,
      status: 429,
      code: "rate_limit_exceeded",
      type: "requests",
    });
    const ok = await client.chat.completions.create({ model: "fake-model", messages: [] });
    expect(ok.choices[0]!.message.content).toBe("echo: ");
  });

  it("fails with a custom body several times, so SDK retries are observable", async () => {
    server.failNext(
      503,
      { error: { message: "overloaded", type: "server_error", param: null, code: null } },
      1,
    );
    const retrying = new OpenAI({ baseURL: server.url, apiKey: "k", maxRetries: 1 });
    const completion = await retrying.chat.completions.create({
      model: "fake-model",
      messages: [{ role: "user", content: "again" }],
    });
    expect(completion.choices[0]!.message.content).toBe("echo: again");
    expect(server.requests).toHaveLength(2);

    server.failNext(500, { error: { message: "boom", type: "server_error", param: null, code: "x" } }, 2);
    for (let i = 0; i < 2; i++) {
      await expect(
        client.chat.completions.create({ model: "fake-model", messages: [] }),
      ).rejects.toMatchObject({ status: 500, message: expect.stringContaining("boom"), code: "x" });
    }
  });

  it("answers 500 in OpenAI shape when the reply function throws", async () => {
    await server.close();
    server = await createFakeModelServer({
      reply: () => {
        throw new Error("scripted failure");
      },
    });
    client = new OpenAI({ baseURL: server.url, apiKey: "k", maxRetries: 0 });
    await expect(client.chat.completions.create({ model: "fake-model", messages: [] })).rejects.toMatchObject(
      { status: 500, type: "server_error", message: expect.stringContaining("scripted") },
    );
  });

  it("answers 404 in OpenAI error shape for unknown routes and 400 for bad bodies", async () => {
    const notFound = await fetch(`${server.url}/embeddings`, { method: "POST", body: "{}" });
    expect(notFound.status).toBe(404);
    expect(await notFound.json()).toEqual({
      error: {
        message: "Unknown request URL: POST /v1/embeddings.",
        type: "invalid_request_error",
        param: null,
        code: "unknown_url",
      },
    });
    const malformed = await fetch(`${server.url}/chat/completions`, { method: "POST", body: "{not json" });
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { error: { type: string } }).error.type).toBe(
      "invalid_request_error",
    );
    expect(server.requests[1]!.body).toBe("{not json");
    const noMessages = await fetch(`${server.url}/chat/completions`, {
      method: "POST",
      body: '{"model":"m"}',
    });
    expect(noMessages.status).toBe(400);
  });

  it("records a client abort mid-stream", async () => {
    server.setLatency(0, 20);
    server.enqueueReply("many words to stream slowly so the client can leave in the middle of it all");
    const controller = new AbortController();
    const response = await fetch(`${server.url}/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        model: "fake-model",
        stream: true,
        messages: [{ role: "user", content: "go" }],
      }),
      signal: controller.signal,
    });
    const reader = response.body!.getReader();
    await reader.read();
    controller.abort();

    const record = await server.waitForAbort(0);
    expect(record.aborted).toBe(true);
    expect(record.closedAt).toBeGreaterThanOrEqual(record.receivedAt);
    await expect(server.waitForAbort(0)).resolves.toBe(record);
  });

  it("records an abort during the first-byte latency", async () => {
    server.setLatency(2000);
    const controller = new AbortController();
    const pending = fetch(`${server.url}/chat/completions`, {
      method: "POST",
      body: JSON.stringify({ model: "fake-model", messages: [] }),
      signal: controller.signal,
    }).catch((error: unknown) => error);
    await server.waitForRequests(1);
    controller.abort();
    expect(await pending).toMatchObject({ name: "AbortError" });
    expect((await server.waitForAbort(0)).aborted).toBe(true);
  });

  it("rejects waitForAbort for a request that completed, and waits time out", async () => {
    await client.chat.completions.create({ model: "fake-model", messages: [] });
    await expect(server.waitForAbort(0)).rejects.toThrow("completed without being aborted");
    await expect(server.waitForAbort(5, 20)).rejects.toThrow("was not aborted within 20 ms");
    await expect(server.waitForRequests(3, 20)).rejects.toThrow("expected 3 requests within 20 ms, got 1");
  });

  it("waitForRequests resolves once enough requests arrived", async () => {
    const waiting = server.waitForRequests(2);
    await client.models.list();
    await client.chat.completions.create({ model: "fake-model", messages: [] });
    expect((await waiting).map((r) => r.path)).toEqual(["/v1/models", "/v1/chat/completions"]);
  });

  it("reset forgets requests, queued replies, failures and latency", async () => {
    await server.close();
    server = await createFakeModelServer({ latencyMs: 0 });
    client = new OpenAI({ baseURL: server.url, apiKey: "k", maxRetries: 0 });
    await client.models.list();
    server.enqueueReply("stale");
    server.failNext(500);
    server.setLatency(5000, 5000);
    server.reset();
    expect(server.requests).toEqual([]);
    const completion = await client.chat.completions.create({
      model: "fake-model",
      messages: [{ role: "user", content: "fresh" }],
      stream: true,
    });
    let text = "";
    for await (const chunk of completion) text += chunk.choices[0]?.delta.content ?? "";
    expect(text).toBe("echo: fresh");
  });

  it("close ends open streams", async () => {
    server.setLatency(0, 1000);
    const response = await fetch(`${server.url}/chat/completions`, {
      method: "POST",
      body: JSON.stringify({
        model: "fake-model",
        stream: true,
        messages: [{ role: "user", content: "a b c" }],
      }),
    });
    const reading = response.text().catch((error: unknown) => error);
    await server.close();
    expect(await reading).toBeInstanceOf(Error);
    server = await createFakeModelServer(); // afterEach closes this one
  });
});

describe("scripted tool calls", () => {
  const tools = [
    {
      type: "function" as const,
      function: { name: "weather", parameters: { type: "object", properties: { city: { type: "string" } } } },
    },
  ];

  it("answers a non-streamed tool call like OpenAI: content null, tool_calls, finish_reason tool_calls", async () => {
    server.enqueueReply({
      toolCalls: [
        { name: "weather", arguments: { city: "Oslo" } },
        { id: "call_x", name: "weather", arguments: '{"city":"Rome"}' },
      ],
    });
    const completion = await client.chat.completions.create({
      model: "fake-model",
      messages: [{ role: "user", content: "weather in Oslo and Rome?" }],
      tools,
    });
    expect(completion.choices[0]).toEqual({
      index: 0,
      message: {
        role: "assistant",
        content: null,
        refusal: null,
        tool_calls: [
          { id: "call_1", type: "function", function: { name: "weather", arguments: '{"city":"Oslo"}' } },
          { id: "call_x", type: "function", function: { name: "weather", arguments: '{"city":"Rome"}' } },
        ],
      },
      logprobs: null,
      finish_reason: "tool_calls",
    });
    expect(server.requests[0]!.body.tools).toEqual(tools);
  });

  it("streams parallel tool calls as OpenAI's deltas, which the SDK reassembles", async () => {
    server.enqueueReply({
      content: "Checking.",
      toolCalls: [
        { name: "weather", arguments: { city: "a rather long city name" } },
        { name: "weather", arguments: { city: "Rome" } },
      ],
    });
    const stream = client.chat.completions.stream({
      model: "fake-model",
      messages: [{ role: "user", content: "weather?" }],
      tools,
    });
    const deltas: unknown[] = [];
    stream.on("chunk", (chunk) => {
      if (chunk.choices[0]?.delta.tool_calls) deltas.push(...chunk.choices[0].delta.tool_calls);
    });
    const final = await stream.finalChatCompletion();
    expect(final.choices[0]!.finish_reason).toBe("tool_calls");
    expect(final.choices[0]!.message.content).toBe("Checking.");
    expect(final.choices[0]!.message.tool_calls).toEqual([
      {
        id: "call_1",
        type: "function",
        function: { name: "weather", arguments: '{"city":"a rather long city name"}' },
      },
      { id: "call_2", type: "function", function: { name: "weather", arguments: '{"city":"Rome"}' } },
    ]);
    // First delta of each call: index, id, type, name, empty arguments; then argument pieces only.
    expect(deltas[0]).toEqual({
      index: 0,
      id: "call_1",
      type: "function",
      function: { name: "weather", arguments: "" },
    });
    expect(deltas.filter((d) => (d as { index: number }).index === 0).length).toBeGreaterThan(2);
    expect(deltas[1]).toEqual({ index: 0, function: { arguments: '{"city":' } });
  });

  it("runs the SDK's own tool loop: a tool call, then the final answer after the tool result", async () => {
    server.enqueueReply({ toolCalls: [{ name: "weather", arguments: { city: "Oslo" } }] }, "It is sunny.");
    const runner = client.chat.completions.runTools({
      model: "fake-model",
      messages: [{ role: "user", content: "weather in Oslo?" }],
      tools: [
        {
          type: "function",
          function: {
            name: "weather",
            description: "the weather in a city",
            parameters: { type: "object", properties: { city: { type: "string" } } },
            parse: JSON.parse,
            function: (args: { city: string }) => `sunny in ${args.city}`,
          },
        },
      ],
    });
    expect(await runner.finalContent()).toBe("It is sunny.");
    const second = server.requests[1]!.body;
    expect(second.messages.at(-1)).toEqual({
      role: "tool",
      tool_call_id: "call_1",
      content: "sunny in Oslo",
    });
    expect(second.messages.at(-2).tool_calls[0].function.name).toBe("weather");
  });
});
