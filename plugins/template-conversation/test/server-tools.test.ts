import type { AgentDirectory, TemplateEvent } from "@agentrt/core";
import {
  collectEvents,
  createFakeModelServer,
  createTestRunContext,
  type FakeModelServer,
  isAbortError,
} from "@agentrt/testing";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { threads } from "../src/thread-memory.js";
import { createAgent, createContext, outputOf } from "./helpers.js";

let server: FakeModelServer;

beforeEach(async () => {
  server ??= await createFakeModelServer();
  server.reset();
});
afterAll(() => server?.close());

const research = { type: "agent", name: "research", description: "Finds facts", agent: "researcher" };
const config = (extra: Record<string, unknown> = {}) => ({
  model: "fake-model",
  baseUrl: server.url,
  maxRetries: 0,
  tools: [research],
  ...extra,
});
const ask = (question: string) => ({ messages: [{ role: "user", content: question }] });
const toolEvents = (events: TemplateEvent[]) =>
  events.filter((event) => event.type === "tool.call" || event.type === "tool.result");

type Invoke = (agent: string, input: unknown, options?: { signal?: AbortSignal }) => Promise<unknown>;
const runWith = (
  agent: Awaited<ReturnType<typeof createAgent>>,
  input: unknown,
  invokeAgent: Invoke,
  threadId?: string,
) => collectEvents(agent.run(input, createTestRunContext({ invokeAgent, threadId })));

describe("the agent's own tools (stateless)", () => {
  it("runs the model's tool call through the host and answers from its result", async () => {
    const agent = await createAgent(config());
    server.enqueueReply(
      { toolCalls: [{ id: "c1", name: "research", arguments: { input: "moon" } }] },
      "It is 384,400 km away.",
    );
    const invoked: unknown[] = [];
    const events = await runWith(agent, ask("How far is the moon?"), async (name, input) => {
      invoked.push([name, input]);
      return { distanceKm: 384400 };
    });
    expect(invoked).toEqual([["researcher", "moon"]]);
    expect(toolEvents(events)).toEqual([
      { type: "tool.call", callId: "c1", name: "research", arguments: '{"input":"moon"}' },
      { type: "tool.result", callId: "c1", name: "research", ok: true, result: '{"distanceKm":384400}' },
    ]);
    expect(outputOf(events)).toEqual({ role: "assistant", content: "It is 384,400 km away." });
    expect(server.requests[0]!.body.tools).toEqual([
      {
        type: "function",
        function: {
          name: "research",
          description: "Finds facts",
          parameters: {
            type: "object",
            properties: { input: { type: "string", description: "What to ask the agent" } },
            required: ["input"],
          },
        },
      },
    ]);
    expect(server.requests[1]!.body.messages.slice(-2)).toEqual([
      {
        role: "assistant",
        content: "",
        tool_calls: [
          { id: "c1", type: "function", function: { name: "research", arguments: '{"input":"moon"}' } },
        ],
      },
      { role: "tool", content: '{"distanceKm":384400}', tool_call_id: "c1" },
    ]);
    // Usage of both model calls is reported.
    expect(events.filter((event) => event.type === "usage")).toHaveLength(2);
  });

  it("runs parallel calls at the same time, passing an object input when parameters are declared", async () => {
    const parameters = { type: "object", properties: { topic: { type: "string" } } };
    const agent = await createAgent(config({ tools: [{ ...research, parameters }] }));
    server.enqueueReply(
      {
        toolCalls: [
          { id: "a", name: "research", arguments: { topic: "sun" } },
          { id: "b", name: "research", arguments: { topic: "moon" } },
        ],
      },
      "done",
    );
    let started = 0;
    let release!: () => void;
    const bothStarted = new Promise<void>((resolve) => (release = resolve));
    const events = await runWith(agent, ask("both"), async (_, input) => {
      if (++started === 2) release();
      await bothStarted;
      return (input as { topic: string }).topic;
    });
    expect(toolEvents(events).map((event) => event.type)).toEqual([
      "tool.call",
      "tool.call",
      "tool.result",
      "tool.result",
    ]);
    expect(server.requests[1]!.body.messages.slice(-2).map((m: { content: string }) => m.content)).toEqual([
      "sun",
      "moon",
    ]);
  });

  it("gives the model a failing tool's error, an unknown tool's and bad arguments' as the result", async () => {
    const agent = await createAgent(config());
    server.enqueueReply(
      {
        toolCalls: [
          { id: "a", name: "research", arguments: { input: "x" } },
          { id: "b", name: "nonexistent", arguments: {} },
          { id: "c", name: "research", arguments: "not json" },
        ],
      },
      "sorry",
    );
    const events = await runWith(agent, ask("x"), () => Promise.reject(new Error("researcher is down")));
    const results = toolEvents(events).filter((event) => event.type === "tool.result");
    expect(results.map((event) => [event.ok, event.result])).toEqual([
      [false, "error: researcher is down"],
      [false, 'error: there is no tool named "nonexistent"'],
      [false, expect.stringMatching(/^error: .*JSON/)],
    ]);
    expect(outputOf(events)).toEqual({ role: "assistant", content: "sorry" });
  });

  it("runs its own calls and hands the caller's back when one reply calls both", async () => {
    const agent = await createAgent(config());
    const weather = { type: "function" as const, function: { name: "weather" } };
    server.enqueueReply({
      toolCalls: [
        { id: "s", name: "research", arguments: { input: "x" } },
        { id: "c", name: "weather", arguments: { city: "Oslo" } },
      ],
    });
    const events = await runWith(agent, { ...ask("x"), params: { tools: [weather] } }, async () => "fact");
    expect(toolEvents(events).map((event) => event.type)).toEqual(["tool.call", "tool.result"]);
    expect(outputOf(events)).toEqual({
      role: "assistant",
      content: "",
      tool_calls: [
        { id: "c", type: "function", function: { name: "weather", arguments: '{"city":"Oslo"}' } },
      ],
    });
    expect(server.requests).toHaveLength(1);
    expect(
      server.requests[0]!.body.tools.map((t: { function: { name: string } }) => t.function.name),
    ).toEqual(["research", "weather"]);
  });

  it("refuses a caller tool named like one of the agent's own", async () => {
    const agent = await createAgent(config());
    const clash = { type: "function" as const, function: { name: "research" } };
    await expect(
      runWith(agent, { ...ask("x"), params: { tools: [clash] } }, async () => ""),
    ).rejects.toMatchObject({
      code: "VALIDATION_FAILED",
      issues: [{ path: ["input", "params", "tools", 0, "function", "name"] }],
    });
  });
});

describe("an agent tool's parameters come from the called agent", () => {
  const directory = (inputSchema: Record<string, unknown> | undefined): AgentDirectory => ({
    exists: async (name) => name === "researcher",
    describe: async (name) =>
      name === "researcher"
        ? { id: "agt_1", name, description: undefined, template: "t", inputSchema }
        : undefined,
  });
  const withAgents = (agents: AgentDirectory) => createContext({ services: { agents } });
  const toolParameters = () => server.requests[0]!.body.tools[0].function.parameters;

  it("offers an object input schema as the tool's parameters and passes the arguments as the input", async () => {
    const schema = {
      type: "object",
      properties: { topic: { type: "string" }, depth: { type: "integer" } },
      required: ["topic"],
    };
    const agent = await createAgent(config(), withAgents(directory(schema)));
    server.enqueueReply(
      { toolCalls: [{ id: "c1", name: "research", arguments: { topic: "moon", depth: 2 } }] },
      "done",
    );
    const invoked: unknown[] = [];
    await runWith(agent, ask("x"), async (name, input) => invoked.push([name, input]));
    expect(toolParameters()).toEqual(schema);
    expect(invoked).toEqual([["researcher", { topic: "moon", depth: 2 }]]);
  });

  it("wraps an input schema that is not an object as the `input` argument", async () => {
    const agent = await createAgent(
      config(),
      withAgents(directory({ type: "array", items: { type: "number" } })),
    );
    server.enqueueReply(
      { toolCalls: [{ id: "c1", name: "research", arguments: { input: [1, 2] } }] },
      "done",
    );
    const invoked: unknown[] = [];
    await runWith(agent, ask("x"), async (_, input) => invoked.push(input));
    expect(toolParameters()).toEqual({
      type: "object",
      properties: { input: { description: "The agent's input", type: "array", items: { type: "number" } } },
      required: ["input"],
    });
    expect(invoked).toEqual([[1, 2]]);
  });

  it("falls back to one text input when the agent's template has no input schema or the agent is gone", async () => {
    for (const agents of [
      directory(undefined),
      { ...directory(undefined), describe: async () => undefined },
    ]) {
      server.reset();
      const agent = await createAgent(config(), withAgents(agents));
      server.enqueueReply(
        { toolCalls: [{ id: "c1", name: "research", arguments: { input: "moon" } }] },
        "done",
      );
      const invoked: unknown[] = [];
      await runWith(agent, ask("x"), async (_, input) => invoked.push(input));
      expect(toolParameters()).toEqual({
        type: "object",
        properties: { input: { type: "string", description: "What to ask the agent" } },
        required: ["input"],
      });
      expect(invoked).toEqual(["moon"]);
    }
  });

  it("lets the config's parameters replace the agent's schema", async () => {
    const parameters = { type: "object", properties: { q: { type: "string" } } };
    const agent = await createAgent(
      config({ tools: [{ ...research, parameters }] }),
      withAgents(directory({ type: "object", properties: { topic: { type: "string" } } })),
    );
    server.enqueueReply("no tools needed");
    await runWith(agent, ask("x"), async () => "");
    expect(toolParameters()).toEqual(parameters);
  });

  it("reads the schema per run, so a changed agent is offered as it is now", async () => {
    let schema: Record<string, unknown> = { type: "object", properties: { a: { type: "string" } } };
    const agents = {
      ...directory(undefined),
      describe: async () => ({ ...(await directory(schema).describe("researcher"))! }),
    };
    const agent = await createAgent(config(), withAgents(agents));
    server.enqueueReply("one", "two");
    await runWith(agent, ask("x"), async () => "");
    schema = { type: "object", properties: { b: { type: "string" } } };
    await runWith(agent, ask("y"), async () => "");
    expect(server.requests.map((request) => request.body.tools[0].function.parameters)).toEqual([
      { type: "object", properties: { a: { type: "string" } } },
      { type: "object", properties: { b: { type: "string" } } },
    ]);
  });
});

describe("the agent's own tools on a thread", () => {
  it("keeps the calls and results in thread memory, so the next turn sees them", async () => {
    const ctx = createContext();
    const agent = await createAgent(config(), ctx);
    server.enqueueReply(
      { toolCalls: [{ id: "c1", name: "research", arguments: { input: "code" } }] },
      "The code is 42.",
    );
    const first = await runWith(agent, ask("Find the code"), async () => "the code is 42", "thr_tools");
    expect(toolEvents(first)).toHaveLength(2);
    expect(outputOf(first)).toEqual({ role: "assistant", content: "The code is 42." });
    server.enqueueReply("You asked about the code.");
    await runWith(agent, ask("What did the tool say?"), async () => "", "thr_tools");
    const seen = server.requests[2]!.body.messages.map(
      (m: { role: string; content: string }) => `${m.role}: ${m.content}`,
    );
    expect(seen).toEqual([
      "user: Find the code",
      "assistant: ",
      "tool: the code is 42",
      "assistant: The code is 42.",
      "user: What did the tool say?",
    ]);
    const transcript = await threads.messages("thr_tools", ctx);
    expect(transcript.map((m) => m.role)).toEqual([
      "user",
      "assistant",
      "tool",
      "assistant",
      "user",
      "assistant",
    ]);
  });
});

describe("hostile tools and models", () => {
  it("a tool that hangs: the model gets a timeout error once toolTimeoutMs passed", async () => {
    const agent = await createAgent(config({ toolTimeoutMs: 50 }));
    server.enqueueReply(
      { toolCalls: [{ id: "c1", name: "research", arguments: { input: "x" } }] },
      "gave up",
    );
    const events = await runWith(agent, ask("x"), () => new Promise(() => {}));
    expect(toolEvents(events)[1]).toMatchObject({
      ok: false,
      result: "error: the tool did not answer within 50 ms",
    });
    expect(outputOf(events)).toEqual({ role: "assistant", content: "gave up" });
  });

  it("a tool that returns 10 MB: the model gets the first maxToolResultChars and a note", async () => {
    const agent = await createAgent(config({ maxToolResultChars: 1000 }));
    server.enqueueReply({ toolCalls: [{ id: "c1", name: "research", arguments: { input: "x" } }] }, "ok");
    const events = await runWith(agent, ask("x"), async () => "x".repeat(10 * 1024 * 1024));
    const result = (toolEvents(events)[1] as { result: string }).result;
    expect(result.startsWith("x".repeat(1000))).toBe(true);
    expect(result.length).toBeLessThan(1200);
    expect(result).toContain(`had ${10 * 1024 * 1024} characters`);
    expect(server.requests[1]!.body.messages.at(-1).content).toBe(result);
  });

  it("a model that calls tools forever: the run fails with TOOL_ROUNDS_EXCEEDED after maxToolRounds", async () => {
    const forever = await createFakeModelServer({
      reply: () => ({ toolCalls: [{ name: "research", arguments: { input: "again" } }] }),
    });
    try {
      const agent = await createAgent(config({ baseUrl: forever.url, maxToolRounds: 3 }));
      for (const threadId of [undefined, "thr_forever"]) {
        forever.reset();
        let calls = 0;
        const failure = await runWith(agent, ask("x"), async () => ++calls, threadId).catch(
          (error: unknown) => error,
        );
        expect(failure).toMatchObject({ code: "TOOL_ROUNDS_EXCEEDED", details: { maxToolRounds: 3 } });
        expect(calls).toBe(3);
        expect(forever.requests).toHaveLength(4);
      }
    } finally {
      await forever.close();
    }
  });

  it("cancelling the run aborts the tool calls in flight", async () => {
    const agent = await createAgent(config());
    server.enqueueReply({ toolCalls: [{ id: "c1", name: "research", arguments: { input: "x" } }] });
    const runCtx = createTestRunContext({
      invokeAgent: (_, __, options) =>
        new Promise((_resolve, reject) => {
          toolSignal = options?.signal;
          options?.signal?.addEventListener("abort", () => reject(options.signal!.reason));
          started();
        }),
    });
    let toolSignal: AbortSignal | undefined;
    let started!: () => void;
    const toolStarted = new Promise<void>((resolve) => (started = resolve));
    const running = collectEvents(agent.run(ask("x"), runCtx)).catch((error: unknown) => error);
    await toolStarted;
    runCtx.controller.abort();
    expect(isAbortError(await running, runCtx.signal)).toBe(true);
    expect(toolSignal?.aborted).toBe(true);
  });
});
