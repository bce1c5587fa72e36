import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  type ChatHarness,
  conversationConfig,
  createAgentOk,
  startChatHarness,
} from "./conversation-host.js";
import type { TestServer } from "./helpers.js";
import { readSse } from "./sse.js";

let harness: ChatHarness;
let server: TestServer;
beforeAll(async () => {
  harness = await startChatHarness();
  server = harness.server;
  await createAgentOk(server, { name: "echo", template: "echo", config: { greeting: "hi" } });
  await createAgentOk(server, { name: "other", template: "echo" });
  await createAgentOk(server, {
    name: "chat",
    template: "conversation",
    config: conversationConfig(harness.fake),
  });
});
beforeEach(() => harness.fake.reset());
afterAll(() => harness.close());

const newThread = async (body: Record<string, unknown> = {}) => {
  const res = await server.call("POST", "/v1/threads", body);
  expect(res.status).toBe(201);
  return res.body as {
    id: string;
    agentId: string | null;
    metadata: Record<string, unknown>;
    updatedAt: string;
  };
};
const run = (agent: string, body: Record<string, unknown>) =>
  server.call("POST", `/v1/agents/${agent}/runs`, body);
const started = async (runId: string) =>
  readSse(await server.api(`/v1/runs/${runId}/events`), (e) => e.event === "run.started");

describe("threads API", () => {
  it("creates, gets, lists (by agent, paginated) and deletes threads", async () => {
    const bound = await newThread({ agent: "echo", metadata: { topic: "billing" } });
    expect(bound).toMatchObject({ agentId: expect.stringMatching(/^agt_/), metadata: { topic: "billing" } });
    expect(bound.id).toMatch(/^thr_/);
    const free = await newThread();
    expect(free).toMatchObject({ agentId: null, metadata: {} });

    expect((await server.call("GET", `/v1/threads/${bound.id}`)).body).toEqual(bound);
    const byAgent = await server.call("GET", "/v1/threads?agent=echo");
    expect(byAgent.body.data.map((t: { id: string }) => t.id)).toEqual([bound.id]);
    const firstPage = await server.call("GET", "/v1/threads?limit=1");
    expect(firstPage.body.data).toHaveLength(1);
    const secondPage = await server.call("GET", `/v1/threads?limit=1&cursor=${firstPage.body.nextCursor}`);
    expect(secondPage.body.data[0].id).not.toBe(firstPage.body.data[0].id);

    expect((await server.call("DELETE", `/v1/threads/${bound.id}`)).status).toBe(204);
    expect((await server.call("GET", `/v1/threads/${bound.id}`)).body.code).toBe("THREAD_NOT_FOUND");
    expect((await server.call("DELETE", `/v1/threads/${bound.id}`)).status).toBe(404);
  });

  it("answers bad thread requests with problem+json", async () => {
    const unknownAgent = await server.call("POST", "/v1/threads", { agent: "nobody" });
    expect(unknownAgent.status).toBe(404);
    expect(unknownAgent.body.code).toBe("AGENT_NOT_FOUND");
    const badStrategy = await server.call("POST", "/v1/threads", {
      metadata: { multitaskStrategy: "shout" },
    });
    expect(badStrategy.status).toBe(422);
    expect(badStrategy.body.errors[0].path).toEqual(["metadata", "multitaskStrategy"]);
    const missing = await server.api("/v1/threads/thr_missing/messages");
    expect(missing.status).toBe(404);
    expect(missing.headers.get("content-type")).toContain("application/problem+json");
    expect((await server.call("GET", "/v1/threads?agent=nobody")).status).toBe(404);
  });

  it("needs a key with the right scope", async () => {
    const reader = await server.call("POST", "/v1/api-keys", { name: "reader", scopes: ["read"] });
    expect((await server.call("POST", "/v1/threads", {}, reader.body.key)).status).toBe(403);
    expect((await server.call("GET", "/v1/threads", undefined, reader.body.key)).status).toBe(200);
    expect((await server.call("GET", "/v1/threads", undefined, null)).status).toBe(401);
  });
});

describe("runs on threads", () => {
  it("need an existing thread, bound to the run's agent if bound at all", async () => {
    const missing = await run("echo", { input: "x", threadId: "thr_missing" });
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe("THREAD_NOT_FOUND");
    const bound = await newThread({ agent: "echo" });
    const wrongAgent = await run("other", { input: "x", threadId: bound.id });
    expect(wrongAgent.status).toBe(422);
    expect(wrongAgent.body.errors[0].path).toEqual(["threadId"]);
  });

  it("move the thread's updatedAt and are listed by thread", async () => {
    const thread = await newThread({ agent: "echo" });
    const res = await run("echo", { input: "x", threadId: thread.id });
    expect(res.body).toMatchObject({ status: "succeeded", threadId: thread.id });
    const after = (await server.call("GET", `/v1/threads/${thread.id}`)).body;
    expect(after.updatedAt > thread.updatedAt).toBe(true);
    const listed = await server.call("GET", `/v1/runs?thread=${thread.id}`);
    expect(listed.body.data.map((r: { id: string }) => r.id)).toEqual([res.body.id]);
  });

  it("builds the thread's memory, readable as messages, and deleting the thread deletes it", async () => {
    const thread = await newThread({ agent: "chat" });
    await run("chat", { input: "My name is Ada.", threadId: thread.id });
    await run("chat", { input: { messages: [{ role: "user", content: "Who am I?" }] }, threadId: thread.id });
    const messages = await server.call("GET", `/v1/threads/${thread.id}/messages`);
    expect(
      messages.body.data.map(({ role, content }: { role: string; content: string }) => ({ role, content })),
    ).toEqual([
      { role: "user", content: "My name is Ada." },
      { role: "assistant", content: "echo: My name is Ada." },
      { role: "user", content: "Who am I?" },
      { role: "assistant", content: "echo: Who am I?" },
    ]);
    expect(messages.body.data.every((m: { id: unknown }) => typeof m.id === "string" || m.id === null)).toBe(
      true,
    );

    const empty = await newThread();
    expect((await server.call("GET", `/v1/threads/${empty.id}/messages`)).body.data).toEqual([]);

    const checkpointer = server.services.runtime.store.checkpointer!;
    expect(await checkpointer.getTuple({ configurable: { thread_id: thread.id } })).toBeDefined();
    await server.call("DELETE", `/v1/threads/${thread.id}`);
    expect(await checkpointer.getTuple({ configurable: { thread_id: thread.id } })).toBeUndefined();
  });
  it("cancel their unfinished runs when the thread is deleted", async () => {
    const thread = await newThread();
    const slow = await run("echo", { input: { sleepMs: 30_000 }, threadId: thread.id, mode: "background" });
    const queued = await run("echo", { input: "later", threadId: thread.id, mode: "background" });
    await started(slow.body.id);
    expect((await server.call("DELETE", `/v1/threads/${thread.id}`)).status).toBe(204);
    for (const id of [slow.body.id, queued.body.id]) {
      expect((await server.call("GET", `/v1/runs/${id}`)).body.status).toBe("cancelled");
    }
  });
});

describe("double-texting", () => {
  it("enqueues by default: the second message waits for the first and sees its reply", async () => {
    const thread = await newThread({ agent: "chat" });
    harness.fake.setLatency(300);
    const first = await run("chat", { input: "My name is Ada.", threadId: thread.id, mode: "background" });
    await harness.fake.waitForRequests(1);
    const second = await run("chat", { input: "Who am I?", threadId: thread.id });
    expect(second.body.status).toBe("succeeded");
    expect((await server.call("GET", `/v1/runs/${first.body.id}`)).body.status).toBe("succeeded");
    expect(harness.fake.requests).toHaveLength(2);
    expect(harness.fake.requests[1]!.body.messages.map((m: { content: string }) => m.content)).toEqual([
      "My name is Ada.",
      "echo: My name is Ada.",
      "Who am I?",
    ]);
  });

  it("rejects with 409 THREAD_BUSY when asked to, per request or per thread", async () => {
    const perRequest = await newThread();
    const perThread = await newThread({ metadata: { multitaskStrategy: "reject" } });
    for (const [thread, strategy] of [
      [perRequest, { multitaskStrategy: "reject" }],
      [perThread, {}],
    ] as const) {
      const slow = await run("echo", { input: { sleepMs: 30_000 }, threadId: thread.id, mode: "background" });
      const busy = await run("echo", { input: "next", threadId: thread.id, ...strategy });
      expect(busy.status).toBe(409);
      expect(busy.body).toMatchObject({ code: "THREAD_BUSY" });
      await server.call("POST", `/v1/runs/${slow.body.id}/cancel`);
      // Once the thread is idle the same request goes through.
      expect((await run("echo", { input: "next", threadId: thread.id, ...strategy })).body.status).toBe(
        "succeeded",
      );
    }
  });

  it("interrupts: cancels the running turn, keeps the message it stored, and answers the new one", async () => {
    const thread = await newThread({ agent: "chat" });
    harness.fake.setLatency(30_000);
    const first = await run("chat", { input: "My name is Ada.", threadId: thread.id, mode: "background" });
    await started(first.body.id);
    await harness.fake.waitForRequests(1);
    harness.fake.setLatency(0);
    const second = await run("chat", {
      input: "Who am I?",
      threadId: thread.id,
      multitaskStrategy: "interrupt",
    });
    expect(second.body).toMatchObject({ status: "succeeded", output: { content: "echo: Who am I?" } });
    expect((await server.call("GET", `/v1/runs/${first.body.id}`)).body.status).toBe("cancelled");
    await harness.fake.waitForAbort(0);
    expect(harness.fake.requests[1]!.body.messages.map((m: { content: string }) => m.content)).toEqual([
      "My name is Ada.",
      "Who am I?",
    ]);
  });
});
