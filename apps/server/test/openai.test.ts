import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ChatOpenAI } from "@langchain/openai";
import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  type ChatHarness,
  conversationConfig,
  createAgentOk,
  FAKE_KEY,
  startChatHarness,
} from "./conversation-host.js";
import { ADMIN_KEY, startTestServer, type TestServer } from "./helpers.js";
import { apiError } from "./openai-client.js";

let harness: ChatHarness;
let server: TestServer;
let client: OpenAI;
const clientFor = (s: TestServer, apiKey = ADMIN_KEY) =>
  new OpenAI({ baseURL: `${s.url}/v1`, apiKey, maxRetries: 0 });

beforeAll(async () => {
  harness = await startChatHarness();
  server = harness.server;
  client = clientFor(server);
  const fake = harness.fake;
  await createAgentOk(server, { name: "chat", template: "conversation", config: conversationConfig(fake) });
  await createAgentOk(server, { name: "echo", template: "echo", config: { greeting: "hi" } });
  await createAgentOk(server, {
    name: "brief",
    template: "conversation",
    config: conversationConfig(fake, { systemPrompt: "Be brief.", memory: { maxMessages: 3 } }),
  });
  await createAgentOk(server, { name: "napping", template: "echo" });
  await server.call("POST", "/v1/agents/napping/pause");
});
beforeEach(() => harness.fake.reset());
afterAll(() => harness.close());

const user = (content: string) => ({ role: "user" as const, content });
const upstreamContents = (index: number) =>
  harness.fake.requests[index]!.body.messages.map(
    (m: { role: string; content: string }) => `${m.role}: ${m.content}`,
  );
const newThread = async (s: TestServer = server, agent = "chat") =>
  (await s.call("POST", "/v1/threads", { agent })).body.id as string;

describe("GET /v1/models", () => {
  it("lists every active agent as a model", async () => {
    const models: OpenAI.Model[] = [];
    for await (const model of client.models.list()) models.push(model);
    expect(models.map((m) => m.id).sort()).toEqual(["brief", "chat", "echo"]);
    expect(models[0]).toEqual({
      id: expect.any(String),
      object: "model",
      created: expect.any(Number),
      owned_by: "agentrt",
      // agentrt's extension: how the agent treats request fields (clients ignore unknown fields).
      agentrt: { template: expect.any(String), params: expect.any(Array), unsupported_params: "ignore" },
    });
    expect(Math.abs(models[0]!.created - Date.now() / 1000)).toBeLessThan(600);
  });

  it("retrieves one model, also pinned to a revision", async () => {
    expect(await client.models.retrieve("chat")).toMatchObject({
      id: "chat",
      object: "model",
      owned_by: "agentrt",
    });
    expect((await client.models.retrieve("chat@1")).id).toBe("chat@1");
    const missing = await apiError(client.models.retrieve("nobody"));
    expect(missing).toBeInstanceOf(OpenAI.NotFoundError);
    expect(missing.code).toBe("model_not_found");
    expect((await apiError(client.models.retrieve("chat@99"))).code).toBe("model_not_found");
    expect((await apiError(client.models.retrieve("napping"))).status).toBe(404);
  });

  it("shows a key that may not invoke agents no models", async () => {
    const reader = await server.call("POST", "/v1/api-keys", { name: "reader", scopes: ["read"] });
    const readOnly = clientFor(server, reader.body.key);
    expect((await readOnly.models.list()).data).toEqual([]);
    expect((await apiError(readOnly.models.retrieve("chat"))).status).toBe(404);
    const denied = await apiError(
      readOnly.chat.completions.create({ model: "chat", messages: [user("hi")] }),
    );
    expect(denied).toBeInstanceOf(OpenAI.PermissionDeniedError);
  });
});

describe("POST /v1/chat/completions", () => {
  it("answers without streaming, with the upstream usage, statelessly", async () => {
    harness.fake.enqueueReply({ content: "Hello, Ada!", usage: { prompt_tokens: 11, completion_tokens: 4 } });
    const { data: completion, response } = await client.chat.completions
      .create({
        model: "brief",
        messages: [
          { role: "system", content: "Caller context." },
          user("I am Ada."),
          { role: "assistant", content: "Hi." },
          user("Greet me."),
        ],
        temperature: 0.2,
        max_tokens: 50,
      })
      .withResponse();
    // Not stored (OpenAI's `store` convention): no run to look up.
    expect(response.headers.get("x-agentrt-run-id")).toBeNull();
    expect(completion).toEqual({
      id: expect.stringMatching(/^chatcmpl-run_/),
      object: "chat.completion",
      created: expect.any(Number),
      model: "brief",
      system_fingerprint: null,
      choices: [
        {
          index: 0,
          message: { role: "assistant", content: "Hello, Ada!", refusal: null },
          logprobs: null,
          finish_reason: "stop",
        },
      ],
      usage: { prompt_tokens: 11, completion_tokens: 4, total_tokens: 15 },
    });
    // The messages array is the whole history (trimmed by the agent's policy), with the agent's own system prompt.
    expect(upstreamContents(0)).toEqual([
      "system: Be brief.",
      "system: Caller context.",
      "user: I am Ada.",
      "assistant: Hi.",
      "user: Greet me.",
    ]);
    expect(harness.fake.requests[0]!.headers.authorization).toBe(`Bearer ${FAKE_KEY}`);
    // Nobody reads deltas of an unstored, non-streamed completion: the model is asked for a whole answer.
    expect(harness.fake.requests[0]!.body.stream).toBeUndefined();
    // Stateless: the next request knows nothing of this one.
    await client.chat.completions.create({ model: "chat", messages: [user("Who am I?")] });
    expect(upstreamContents(1)).toEqual(["user: Who am I?"]);
  });

  it("streams chunks in OpenAI's shape, with a usage chunk when asked", async () => {
    // Tokens a few ms apart, as a model sends them (deltas stored in one batch are joined).
    harness.fake.setLatency(0, 15);
    harness.fake.enqueueReply({
      content: "one two three",
      usage: { prompt_tokens: 5, completion_tokens: 3 },
    });
    const stream = await client.chat.completions.create({
      model: "chat",
      messages: [user("count")],
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(harness.fake.requests[0]!.body.stream).toBe(true);
    expect(chunks[0]!.choices[0]!.delta).toEqual({ role: "assistant", content: "" });
    expect(
      chunks.every(
        (c) => c.object === "chat.completion.chunk" && c.id === chunks[0]!.id && c.model === "chat",
      ),
    ).toBe(true);
    const text = chunks.map((c) => c.choices[0]?.delta.content ?? "").join("");
    expect(text).toBe("one two three");
    expect(chunks.filter((c) => (c.choices[0]?.delta.content ?? "") !== "").length).toBeGreaterThan(1);
    const [finish, usage] = chunks.slice(-2);
    expect(finish!.choices).toEqual([{ index: 0, delta: {}, logprobs: null, finish_reason: "stop" }]);
    expect(finish!.usage).toBeNull();
    expect(usage).toMatchObject({
      choices: [],
      usage: { prompt_tokens: 5, completion_tokens: 3, total_tokens: 8 },
    });
  });

  it("ends the raw stream with data: [DONE] and sends no usage unless asked", async () => {
    const res = await server.api("/v1/chat/completions", {
      method: "POST",
      body: JSON.stringify({ model: "chat", messages: [user("hi")], stream: true }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const text = await res.text();
    expect(text.endsWith("data: [DONE]\n\n")).toBe(true);
    const frames = text.split("\n\n").filter(Boolean);
    expect(frames.every((f) => f.startsWith("data: "))).toBe(true);
    const chunks = frames.slice(0, -1).map((f) => JSON.parse(f.slice(6)));
    expect(chunks.every((c) => !("usage" in c))).toBe(true);
    expect(chunks.at(-1).choices[0].finish_reason).toBe("stop");
  });

  it("calls any agent: the last user message is the input, the output the answer", async () => {
    const completion = await client.chat.completions.create({
      model: "echo",
      messages: [user("first"), { role: "assistant", content: "x" }, user("there")],
    });
    expect(completion.choices[0]!.message.content).toBe("hi there");
    expect(completion.usage).toEqual({ prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 });
    const stream = await client.chat.completions.create({
      model: "echo",
      messages: [user("you")],
      stream: true,
    });
    let text = "";
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
    expect(text).toBe("hi you");
  });

  it("runs a pinned config revision with name@revision", async () => {
    await createAgentOk(server, {
      name: "versioned",
      template: "conversation",
      config: conversationConfig(harness.fake, { systemPrompt: "v1" }),
    });
    await server.call("PATCH", "/v1/agents/versioned", {
      config: conversationConfig(harness.fake, { systemPrompt: "v2" }),
    });
    await client.chat.completions.create({ model: "versioned", messages: [user("a")] });
    await client.chat.completions.create({ model: "versioned@1", messages: [user("b")], store: true });
    expect(upstreamContents(0)[0]).toBe("system: v2");
    expect(upstreamContents(1)[0]).toBe("system: v1");
    const { body } = await server.call("GET", "/v1/runs?agent=versioned&limit=1");
    expect(body.data[0].agentRevision).toBe(1);
  });

  it("works as the base URL of LangChain's ChatOpenAI, invoked and streamed", async () => {
    const model = new ChatOpenAI({
      model: "chat",
      apiKey: ADMIN_KEY,
      configuration: { baseURL: `${server.url}/v1` },
      maxRetries: 0,
    });
    harness.fake.enqueueReply("Bonjour !", "Salut toi");
    const reply = await model.invoke([
      ["system", "Speak French."],
      ["human", "Hello"],
    ]);
    expect(reply.content).toBe("Bonjour !");
    expect(upstreamContents(0)).toEqual(["system: Speak French.", "user: Hello"]);
    let streamed = "";
    for await (const chunk of await model.stream("Hi")) streamed += chunk.content;
    expect(streamed).toBe("Salut toi");
  });
});

describe("errors in OpenAI's shape", () => {
  it("404 model_not_found for an unknown model or revision", async () => {
    const error = await apiError(client.chat.completions.create({ model: "nobody", messages: [user("hi")] }));
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    expect(error.error).toEqual({
      message: expect.stringContaining("`nobody` does not exist"),
      type: "invalid_request_error",
      param: null,
      code: "model_not_found",
    });
    expect(
      (await apiError(client.chat.completions.create({ model: "chat@42", messages: [user("hi")] }))).code,
    ).toBe("model_not_found");
  });

  it("401 invalid_api_key for a bad or missing key, also on /v1/models", async () => {
    const error = await apiError(
      clientFor(server, "art_wrong").chat.completions.create({ model: "chat", messages: [user("hi")] }),
    );
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(error.code).toBe("invalid_api_key");
    const raw = await server.api("/v1/models", { key: null });
    expect(raw.status).toBe(401);
    expect(raw.headers.get("content-type")).toContain("application/json");
    expect(await raw.json()).toEqual({
      error: {
        message: expect.any(String),
        type: "invalid_request_error",
        param: null,
        code: "invalid_api_key",
      },
    });
    // Everything else keeps problem+json.
    expect((await server.api("/v1/agents", { key: null })).headers.get("content-type")).toContain(
      "application/problem+json",
    );
  });

  it("400 invalid_request_error naming the field for invalid bodies", async () => {
    const noMessages = await apiError(client.chat.completions.create({ model: "chat", messages: [] }));
    expect(noMessages).toBeInstanceOf(OpenAI.BadRequestError);
    expect(noMessages).toMatchObject({ type: "invalid_request_error", param: "messages" });
    const twoChoices = await apiError(
      client.chat.completions.create({ model: "chat", messages: [user("hi")], n: 2 }),
    );
    expect(twoChoices).toMatchObject({ status: 400, param: "n" });
    const image = await apiError(
      client.chat.completions.create({
        model: "chat",
        messages: [
          {
            role: "user",
            content: [{ type: "image_url", image_url: { url: "data:image/png;base64,AA==" } }],
          },
        ],
      }),
    );
    expect(image).toMatchObject({ status: 400, param: "messages.0.content.0" });
    // Caller tools go to agents whose template takes them; the echo template takes none.
    const tools = await apiError(
      client.chat.completions.create({
        model: "echo",
        messages: [user("hi")],
        tools: [{ type: "function", function: { name: "f", parameters: {} } }],
      }),
    );
    expect(tools).toMatchObject({ status: 400, param: "tools" });
    const malformed = await server.api("/v1/chat/completions", { method: "POST", body: "{not json" });
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { error: { type: string } }).error.type).toBe(
      "invalid_request_error",
    );
    expect(harness.fake.requests).toHaveLength(0);
  });

  it("409 agent_paused for a paused agent, 404 thread_not_found for an unknown thread", async () => {
    const paused = await apiError(
      client.chat.completions.create({ model: "napping", messages: [user("hi")] }),
    );
    expect(paused).toMatchObject({ status: 409, code: "agent_paused", type: "invalid_request_error" });
    const thread = await apiError(
      client.chat.completions.create({
        model: "chat",
        messages: [user("hi")],
        metadata: { thread_id: "thr_nope" },
      }),
    );
    expect(thread).toMatchObject({ status: 404, code: "thread_not_found" });
  });

  it("429 rate_limit_exceeded when the run queue is full", async () => {
    const full = await startTestServer({
      AGENTRT_HOST_DIR: harness.hostDir,
      AGENTRT_RUN_CONCURRENCY: "1",
      AGENTRT_RUN_MAX_QUEUED: "0",
    });
    try {
      await createAgentOk(full, { name: "echo", template: "echo" });
      const slow = await full.call("POST", "/v1/agents/echo/runs", {
        input: { sleepMs: 30_000 },
        mode: "background",
      });
      const error = await apiError(
        clientFor(full).chat.completions.create({ model: "echo", messages: [user("hi")] }),
      );
      expect(error).toBeInstanceOf(OpenAI.RateLimitError);
      expect(error).toMatchObject({ code: "rate_limit_exceeded", type: "requests" });
      await full.call("POST", `/v1/runs/${slow.body.id}/cancel`);
    } finally {
      await full.stop();
    }
  });

  it("a failing upstream model is a 502 before streaming; a run ending mid-stream sends an error event", async () => {
    harness.fake.failNext(500);
    const before = await apiError(
      client.chat.completions.create({ model: "chat", messages: [user("hi")], stream: true }),
    );
    expect(before).toMatchObject({ status: 502, code: "upstream_error", type: "server_error" });

    harness.fake.setLatency(0, 100);
    harness.fake.enqueueReply(Array.from({ length: 50 }, (_, i) => `word${i}`).join(" "));
    const { data: stream, response } = await client.chat.completions
      .create({ model: "chat", messages: [user("talk")], stream: true, store: true })
      .withResponse();
    let received = "";
    const failure = await apiError(
      (async () => {
        for await (const chunk of stream) {
          received += chunk.choices[0]?.delta.content ?? "";
          if (received === "word0")
            await server.call("POST", `/v1/runs/${response.headers.get("x-agentrt-run-id")}/cancel`);
        }
      })(),
    );
    expect(failure).toMatchObject({ code: "run_cancelled", type: "invalid_request_error" });
    expect(received.startsWith("word0")).toBe(true);
  });
});

describe("OpenAI's store convention", () => {
  const runsOf = async (agent: string) =>
    (await server.call("GET", `/v1/runs?agent=${agent}&limit=100`)).body.data as { id: string }[];

  it("keeps a stateless completion as a run only with store: true", async () => {
    await createAgentOk(server, {
      name: "storing",
      template: "conversation",
      config: conversationConfig(harness.fake),
    });
    const plain = await client.chat.completions
      .create({ model: "storing", messages: [user("forget me")] })
      .withResponse();
    expect(plain.data.choices[0]!.message.content).toBe("echo: forget me");
    expect(plain.response.headers.get("x-agentrt-run-id")).toBeNull();
    const streamed = await client.chat.completions.create({
      model: "storing",
      messages: [user("me too")],
      stream: true,
    });
    for await (const _ of streamed);
    expect(await runsOf("storing")).toEqual([]);

    const kept = await client.chat.completions
      .create({ model: "storing", messages: [user("keep me")], store: true })
      .withResponse();
    const runId = kept.response.headers.get("x-agentrt-run-id");
    expect(kept.data.id).toBe(`chatcmpl-${runId}`);
    const run = await server.call("GET", `/v1/runs/${runId}`);
    expect(run.body).toMatchObject({ status: "succeeded", output: { content: "echo: keep me" } });
    // A stored run's deltas can be followed by anyone: its model call streams.
    expect(harness.fake.requests.at(-1)!.body.stream).toBe(true);
    expect((await runsOf("storing")).map((r) => r.id)).toEqual([runId]);
  });

  it("keeps every completion of an agent whose retention says storeCompletions, and every thread turn", async () => {
    await createAgentOk(server, {
      name: "keeper",
      template: "conversation",
      config: conversationConfig(harness.fake),
      retention: { storeCompletions: true },
    });
    const kept = await client.chat.completions
      .create({ model: "keeper", messages: [user("hi")] })
      .withResponse();
    expect(kept.response.headers.get("x-agentrt-run-id")).toMatch(/^run_/);
    expect(await runsOf("keeper")).toHaveLength(1);
    // The setting can be turned off like any retention field.
    await server.call("PATCH", "/v1/agents/keeper", { retention: null });
    await client.chat.completions.create({ model: "keeper", messages: [user("hi")] });
    expect(await runsOf("keeper")).toHaveLength(1);

    const threadId = await newThread(server, "keeper");
    const turn = await client.chat.completions
      .create(
        { model: "keeper", messages: [user("remember")], store: false },
        {
          headers: { "X-Agentrt-Thread-Id": threadId },
        },
      )
      .withResponse();
    expect(turn.response.headers.get("x-agentrt-run-id")).toMatch(/^run_/);
    // A thread's turn is its memory: `store: false` can't take it out, and the answer says so.
    expect(turn.response.headers.get("x-agentrt-ignored-params")).toBe("store");
    expect(await runsOf("keeper")).toHaveLength(2);
  });

  it("an unstored completion still counts in the run metrics", async () => {
    const count = async () => {
      const text = await (await server.api("/metrics")).text();
      const line = text
        .split("\n")
        .find(
          (l) =>
            l.startsWith("agentrt_runs_finished_total{") &&
            l.includes('template="echo"') &&
            l.includes('status="succeeded"'),
        );
      return line ? Number(line.split(" ").at(-1)) : 0;
    };
    const before = await count();
    await client.chat.completions.create({ model: "echo", messages: [user("count me")] });
    await expect.poll(count).toBe(before + 1);
  });

  it("a failed unstored run answers like a stored one, without a run id", async () => {
    harness.fake.failNext(400);
    const error = await apiError(client.chat.completions.create({ model: "chat", messages: [user("hi")] }));
    expect(error).toMatchObject({ status: 502, code: "upstream_error" });
    expect(error.headers?.get("x-should-retry")).toBe("false");
    expect(error.headers?.get("x-agentrt-run-id")).toBeNull();
  });
});

describe("agent changes reach chat completions at once", () => {
  it("pause, resume, config change, rename and delete", async () => {
    await createAgentOk(server, { name: "changing", template: "echo", config: { greeting: "v1" } });
    const say = async (model = "changing") =>
      (await client.chat.completions.create({ model, messages: [user("x")] })).choices[0]!.message.content;
    expect(await say()).toBe("v1 x");
    await server.call("POST", "/v1/agents/changing/pause");
    expect(
      await apiError(client.chat.completions.create({ model: "changing", messages: [user("x")] })),
    ).toMatchObject({ code: "agent_paused" });
    await server.call("POST", "/v1/agents/changing/resume");
    expect(await say()).toBe("v1 x");
    await server.call("PATCH", "/v1/agents/changing", { config: { greeting: "v2" } });
    expect(await say()).toBe("v2 x");
    await server.call("PATCH", "/v1/agents/changing", { name: "changed" });
    expect(
      (await apiError(client.chat.completions.create({ model: "changing", messages: [user("x")] }))).code,
    ).toBe("model_not_found");
    expect(await say("changed")).toBe("v2 x");
    await server.call("POST", "/v1/agents/changed/rollback", { revision: 1 });
    expect(await say("changed")).toBe("v1 x");
    await server.call("DELETE", "/v1/agents/changed");
    expect(
      (await apiError(client.chat.completions.create({ model: "changed", messages: [user("x")] }))).code,
    ).toBe("model_not_found");
  });
});

describe("threads through chat completions", () => {
  const turn = (threadId: string, content: string, via: "header" | "metadata" = "header") =>
    client.chat.completions.create(
      {
        model: "chat",
        messages: [user(content)],
        ...(via === "metadata" ? { metadata: { thread_id: threadId } } : {}),
      },
      via === "header" ? { headers: { "X-Agentrt-Thread-Id": threadId } } : {},
    );

  it("remembers turn 1 in turn 3, also after a restart, and another thread does not see it", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "agentrt-chat-"));
    let first = await startTestServer({ AGENTRT_HOST_DIR: harness.hostDir, AGENTRT_DATA_DIR: dataDir });
    try {
      await createAgentOk(first, {
        name: "chat",
        template: "conversation",
        config: conversationConfig(harness.fake),
      });
      const c1 = clientFor(first);
      const threadId = await newThread(first);
      const other = await newThread(first);
      const say = (c: OpenAI, id: string, content: string) =>
        c.chat.completions.create(
          { model: "chat", messages: [user(content)] },
          { headers: { "X-Agentrt-Thread-Id": id } },
        );
      await say(c1, threadId, "My name is Grace.");
      await say(c1, threadId, "I like tea.");
      await say(c1, threadId, "What is my name?");
      expect(upstreamContents(2)).toEqual([
        "user: My name is Grace.",
        "assistant: echo: My name is Grace.",
        "user: I like tea.",
        "assistant: echo: I like tea.",
        "user: What is my name?",
      ]);
      await say(c1, other, "What is my name?");
      expect(upstreamContents(3)).toEqual(["user: What is my name?"]);

      await first.stop();
      first = await startTestServer({ AGENTRT_HOST_DIR: harness.hostDir, AGENTRT_DATA_DIR: dataDir });
      const c2 = clientFor(first);
      // A client resending the whole history still only adds its new trailing user message.
      await c2.chat.completions.create(
        {
          model: "chat",
          messages: [user("My name is Grace."), { role: "assistant", content: "..." }, user("Still there?")],
        },
        { headers: { "X-Agentrt-Thread-Id": threadId } },
      );
      expect(upstreamContents(4)).toContain("user: My name is Grace.");
      expect(upstreamContents(4).filter((m: string) => m === "user: My name is Grace.")).toHaveLength(1);
      expect(upstreamContents(4).at(-1)).toBe("user: Still there?");
    } finally {
      await first.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it("applies the agent's trimming policy upstream while the thread keeps everything", async () => {
    const threadId = await newThread(server, "brief");
    for (const content of ["one", "two", "three"]) {
      await client.chat.completions.create(
        { model: "brief", messages: [user(content)] },
        { headers: { "X-Agentrt-Thread-Id": threadId } },
      );
    }
    expect(upstreamContents(2)).toEqual([
      "system: Be brief.",
      "user: two",
      "assistant: echo: two",
      "user: three",
    ]);
    const { body } = await server.call("GET", `/v1/threads/${threadId}/messages`);
    expect(body.data).toHaveLength(6);
  });

  it("takes the thread from metadata.thread_id too, and refuses a busy thread when asked to", async () => {
    const threadId = await newThread();
    await turn(threadId, "Remember 42.", "metadata");
    await turn(threadId, "What number?", "metadata");
    expect(upstreamContents(1)).toContain("user: Remember 42.");

    harness.fake.setLatency(30_000);
    const slow = await server.call("POST", "/v1/agents/chat/runs", {
      input: "slow",
      threadId,
      mode: "background",
    });
    await harness.fake.waitForRequests(3);
    const busy = await apiError(
      client.chat.completions.create(
        { model: "chat", messages: [user("now?")] },
        { headers: { "X-Agentrt-Thread-Id": threadId, "X-Agentrt-Multitask-Strategy": "reject" } },
      ),
    );
    expect(busy).toBeInstanceOf(OpenAI.ConflictError);
    expect(busy.code).toBe("thread_busy");
    harness.fake.setLatency(0);
    const interrupted = await client.chat.completions.create({
      model: "chat",
      messages: [user("now!")],
      metadata: { thread_id: threadId, multitask_strategy: "interrupt" },
    });
    expect(interrupted.choices[0]!.message.content).toBe("echo: now!");
    expect((await server.call("GET", `/v1/runs/${slow.body.id}`)).body.status).toBe("cancelled");
  });
});

describe("client disconnect", () => {
  it("aborting a streamed stored completion cancels the run and closes the upstream request within 1 s", async () => {
    harness.fake.setLatency(0, 100);
    harness.fake.enqueueReply(Array.from({ length: 50 }, (_, i) => `word${i}`).join(" "));
    const { data: stream, response } = await client.chat.completions
      .create({ model: "chat", messages: [user("talk")], stream: true, store: true })
      .withResponse();
    let received = "";
    for await (const chunk of stream) {
      received += chunk.choices[0]?.delta.content ?? "";
      if (received.includes("word1")) break; // leaving the loop aborts the request
    }
    const abortedAt = Date.now();
    const upstream = await harness.fake.waitForAbort(0, 1000);
    expect(upstream.closedAt! - abortedAt).toBeLessThan(1000);
    const runId = response.headers.get("x-agentrt-run-id");
    const run = await server.call("GET", `/v1/runs/${runId}`);
    expect(["cancelled", "running"]).toContain(run.body.status);
    await expect
      .poll(async () => (await server.call("GET", `/v1/runs/${runId}`)).body.status)
      .toBe("cancelled");
  });

  it("aborting a streamed unstored completion closes the upstream request", async () => {
    harness.fake.setLatency(0, 100);
    harness.fake.enqueueReply(Array.from({ length: 50 }, (_, i) => `word${i}`).join(" "));
    const stream = await client.chat.completions.create({
      model: "chat",
      messages: [user("talk")],
      stream: true,
    });
    let received = "";
    for await (const chunk of stream) {
      received += chunk.choices[0]?.delta.content ?? "";
      if (received.includes("word1")) break;
    }
    await harness.fake.waitForAbort(0);
    // The slot it held is free again: the agent answers the next request.
    harness.fake.setLatency(0, 0);
    const next = await client.chat.completions.create({ model: "chat", messages: [user("again")] });
    expect(next.choices[0]!.message.content).toBe("echo: again");
  });

  it("a client leaving a non-streamed request (unstored) cancels the run and its upstream request", async () => {
    harness.fake.setLatency(30_000);
    const controller = new AbortController();
    const pending = client.chat.completions.create(
      { model: "chat", messages: [user("slow")] },
      { signal: controller.signal },
    );
    await harness.fake.waitForRequests(1);
    controller.abort();
    await expect(pending).rejects.toBeInstanceOf(OpenAI.APIUserAbortError);
    await harness.fake.waitForAbort(0, 1000);
  });
});
