import { createFakeModelServer, type FakeModelServer } from "@agentrt/testing";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { threads } from "../src/thread-memory.js";
import { createAgent, createContext, outputOf, run } from "./helpers.js";

let server: FakeModelServer;

beforeEach(async () => {
  server ??= await createFakeModelServer();
  server.reset();
});
afterAll(() => server?.close());

const config = () => ({ model: "fake-model", baseUrl: server.url, maxRetries: 0 });
const tools = [
  {
    type: "function" as const,
    function: { name: "weather", parameters: { type: "object", properties: { city: { type: "string" } } } },
  },
];
const call = (id: string, city: string) => ({
  id,
  type: "function",
  function: { name: "weather", arguments: JSON.stringify({ city }) },
});

describe("caller tools (declared per request, run by the caller)", () => {
  it("passes the tools upstream and hands the model's parallel calls back as the output", async () => {
    const agent = await createAgent(config());
    server.enqueueReply({
      toolCalls: [
        { name: "weather", arguments: { city: "Oslo" } },
        { name: "weather", arguments: { city: "Rome" } },
      ],
    });
    const events = await run(agent, {
      messages: [{ role: "user", content: "weather?" }],
      params: { tools, tool_choice: "auto", parallel_tool_calls: true },
    });
    expect(outputOf(events)).toEqual({
      role: "assistant",
      content: "",
      tool_calls: [call("call_1", "Oslo"), call("call_2", "Rome")],
    });
    expect(server.requests[0]!.body).toMatchObject({ tools, tool_choice: "auto", parallel_tool_calls: true });
  });

  it("stateless: the caller sends the calls and results back in the history, and the model answers", async () => {
    const agent = await createAgent(config());
    server.enqueueReply("Sunny in Oslo.");
    const messages = [
      { role: "user", content: "weather?" },
      { role: "assistant", content: "", tool_calls: [call("c1", "Oslo")] },
      { role: "tool", content: "sunny", tool_call_id: "c1" },
    ];
    const events = await run(agent, { messages, params: { tools } });
    expect(outputOf(events)).toEqual({ role: "assistant", content: "Sunny in Oslo." });
    expect(server.requests[0]!.body.messages).toEqual(messages);
  });

  it("on a thread: the calls are kept, the next request brings only the tool results, the run continues", async () => {
    const ctx = createContext();
    const agent = await createAgent(config(), ctx);
    server.enqueueReply({
      content: "Let me check.",
      toolCalls: [{ id: "c1", name: "weather", arguments: { city: "Oslo" } }],
    });
    const first = await run(
      agent,
      { messages: [{ role: "user", content: "weather?" }], params: { tools } },
      {
        threadId: "thr_tools",
      },
    );
    expect(outputOf(first)).toMatchObject({ content: "Let me check.", tool_calls: [call("c1", "Oslo")] });

    server.enqueueReply("Sunny in Oslo.");
    const second = await run(
      agent,
      { messages: [{ role: "tool", content: "sunny", tool_call_id: "c1" }], params: { tools } },
      { threadId: "thr_tools" },
    );
    expect(outputOf(second)).toEqual({ role: "assistant", content: "Sunny in Oslo." });
    expect(server.requests[1]!.body.messages).toEqual([
      { role: "user", content: "weather?" },
      { role: "assistant", content: "Let me check.", tool_calls: [call("c1", "Oslo")] },
      { role: "tool", content: "sunny", tool_call_id: "c1" },
    ]);
    const transcript = await threads.messages("thr_tools", ctx);
    expect(transcript.map((m) => m.role)).toEqual(["user", "assistant", "tool", "assistant"]);
  });

  it("takes caller tools even when callerParams.allow lists nothing", async () => {
    const agent = await createAgent({ ...config(), callerParams: { allow: [], otherwise: "refuse" } });
    await run(agent, {
      messages: [{ role: "user", content: "hi" }],
      params: { tools, parallel_tool_calls: false },
    });
    expect(server.requests[0]!.body.parallel_tool_calls).toBe(false);
  });
});
