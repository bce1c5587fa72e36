import { ThreadMessageSchema } from "@agentrt/core";
import { createFakeModelServer, createTestRunContext, type FakeModelServer } from "@agentrt/testing";
import { AIMessage, HumanMessage, SystemMessage, ToolMessage } from "@langchain/core/messages";
import { MemorySaver } from "@langchain/langgraph";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { createAgent, createContext, run, sentMessages } from "../test/helpers.js";
import template from "./index.js";
import { threads, toThreadMessage } from "./thread-memory.js";

let server: FakeModelServer;

beforeEach(async () => {
  server ??= await createFakeModelServer();
  server.reset();
});
afterAll(() => server?.close());

const config = () => ({ model: "fake-model", baseUrl: server.url, maxRetries: 0 });

/** A context and an agent sharing one real MemorySaver, as the host's checkpointer. */
async function setup() {
  const checkpointer = new MemorySaver();
  const ctx = createContext({ services: { checkpointer } });
  return { checkpointer, ctx, agent: await createAgent(config(), ctx) };
}

describe("threads.messages", () => {
  it("is the template's threads capability", () => {
    expect(template.threads).toBe(threads);
  });

  it("reads the transcript of a thread from the checkpointer after real runs, oldest first", async () => {
    const { ctx, agent } = await setup();
    await run(agent, "My name is Grace.", { threadId: "thr_read" });
    await run(
      agent,
      {
        messages: [
          { role: "system", content: "Answer in French." },
          { role: "user", content: "Who am I?" },
        ],
      },
      { threadId: "thr_read" },
    );

    const messages = await threads.messages("thr_read", ctx);
    expect(messages.map(({ role, content }) => ({ role, content }))).toEqual([
      { role: "user", content: "My name is Grace." },
      { role: "assistant", content: "echo: My name is Grace." },
      { role: "system", content: "Answer in French." },
      { role: "user", content: "Who am I?" },
      { role: "assistant", content: "echo: Who am I?" },
    ]);
    for (const message of messages) expect(ThreadMessageSchema.parse(message)).toEqual(message);
    // LangGraph's messages reducer gives every stored message an id.
    const ids = messages.map((m) => m.id);
    expect(ids.every((id) => typeof id === "string" && id.length > 0)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("keeps threads apart and ignores stateless runs", async () => {
    const { ctx, agent } = await setup();
    await run(agent, "on a", { threadId: "thr_a" });
    await run(agent, "on b", { threadId: "thr_b" });
    await run(
      agent,
      { messages: [{ role: "user", content: "nowhere" }], stateless: true },
      { threadId: "thr_a" },
    );
    expect((await threads.messages("thr_a", ctx)).map((m) => m.content)).toEqual(["on a", "echo: on a"]);
    expect((await threads.messages("thr_b", ctx)).map((m) => m.content)).toEqual(["on b", "echo: on b"]);
  });

  it("is empty for a thread nothing ran on", async () => {
    const { ctx } = await setup();
    expect(await threads.messages("thr_unknown", ctx)).toEqual([]);
  });

  it("keeps the user's message but not the partial reply of a cancelled run", async () => {
    const { ctx, agent } = await setup();
    server.setLatency(0, 200);
    server.enqueueReply("one two three four five six seven eight");
    const runCtx = createTestRunContext({ threadId: "thr_cancel" });
    const iterator = agent.run("count", runCtx)[Symbol.asyncIterator]();
    expect((await iterator.next()).value).toMatchObject({ type: "output.delta" });
    runCtx.controller.abort();
    await iterator.next().catch(() => undefined);
    expect(await threads.messages("thr_cancel", ctx)).toEqual([
      { id: expect.any(String), role: "user", content: "count" },
    ]);
  });

  it("reads the checkpoint through the context's checkpointer, structurally", async () => {
    const stored = [
      new SystemMessage({ content: "rules", id: "m0" }),
      new HumanMessage({ content: "hi", id: "m1" }),
      new AIMessage({
        content: [
          { type: "text", text: "hel" },
          { type: "text", text: "lo" },
        ],
        id: "m2",
      }),
      new ToolMessage({ content: "42", tool_call_id: "call_1", id: "m3" }),
    ];
    const asked: unknown[] = [];
    const checkpointer = {
      getTuple: async (config: unknown) => {
        asked.push(config);
        return { checkpoint: { channel_values: { messages: stored } } };
      },
      put: async () => ({}),
      putWrites: async () => {},
      list: async function* () {},
      deleteThread: async () => {},
    };
    expect(await threads.messages("thr_x", createContext({ services: { checkpointer } }))).toEqual([
      { id: "m0", role: "system", content: "rules" },
      { id: "m1", role: "user", content: "hi" },
      { id: "m2", role: "assistant", content: "hello" },
      { id: "m3", role: "tool", content: "42" },
    ]);
    expect(asked).toEqual([{ configurable: { thread_id: "thr_x" } }]);
  });

  it("is empty when the checkpoint has no messages channel", async () => {
    const checkpointer = {
      getTuple: async () => ({ checkpoint: { channel_values: { other: 1 } } }),
      put: async () => ({}),
      putWrites: async () => {},
      list: async function* () {},
      deleteThread: async () => {},
    };
    expect(await threads.messages("thr_x", createContext({ services: { checkpointer } }))).toEqual([]);
  });
});

describe("toThreadMessage", () => {
  it("decodes plain objects by their type and content", () => {
    expect(toThreadMessage({ type: "human", content: "hi", id: "a" })).toEqual({
      id: "a",
      role: "user",
      content: "hi",
    });
    expect(
      toThreadMessage({ type: "ai", content: ["he", { type: "text", text: "y" }, { type: "image_url" }] }),
    ).toEqual({ id: null, role: "assistant", content: "hey" });
    expect(toThreadMessage({ type: "tool", content: { result: 1 } })).toEqual({
      id: null,
      role: "tool",
      content: '{"result":1}',
    });
    expect(toThreadMessage({ type: "system" })).toEqual({ id: null, role: "system", content: "" });
  });

  it("prefers getType() and text when the message has them", () => {
    const message = { getType: () => "ai", type: "human", text: "from text", content: "from content", id: 7 };
    expect(toThreadMessage(message)).toEqual({ id: null, role: "assistant", content: "from text" });
  });

  it("skips what is not a message it knows", () => {
    for (const value of [null, "text", 42, {}, { type: "remove" }, { type: 1 }, { getType: () => "generic" }])
      expect(toThreadMessage(value)).toBeUndefined();
  });
});

describe("threads.delete", () => {
  it("forgets the thread: its transcript is empty and the next run starts afresh", async () => {
    const { ctx, agent } = await setup();
    await run(agent, "Remember: heron.", { threadId: "thr_del" });
    await run(agent, "kept", { threadId: "thr_other" });
    expect(await threads.messages("thr_del", ctx)).toHaveLength(2);

    await threads.delete("thr_del", ctx);
    expect(await threads.messages("thr_del", ctx)).toEqual([]);
    expect(await threads.messages("thr_other", ctx)).toHaveLength(2);

    server.reset();
    await run(agent, "What was it?", { threadId: "thr_del" });
    expect(sentMessages(server.requests[0]!.body)).toEqual([{ role: "user", content: "What was it?" }]);
  });

  it("is not an error for an unknown thread", async () => {
    const { ctx } = await setup();
    await expect(threads.delete("thr_never", ctx)).resolves.toBeUndefined();
  });

  it("deletes through the context's checkpointer", async () => {
    const checkpointer = new MemorySaver();
    const deleted: string[] = [];
    const original = checkpointer.deleteThread.bind(checkpointer);
    checkpointer.deleteThread = async (threadId) => {
      deleted.push(threadId);
      await original(threadId);
    };
    await threads.delete("thr_y", createContext({ services: { checkpointer } }));
    expect(deleted).toEqual(["thr_y"]);
  });
});
