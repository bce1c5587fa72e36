import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type ChatHarness,
  conversationConfig,
  createAgentOk,
  startChatHarness,
} from "./conversation-host.js";
import { ADMIN_KEY, type TestServer } from "./helpers.js";
import { readSse } from "./sse.js";

let harness: ChatHarness;
let server: TestServer;
let client: OpenAI;

beforeAll(async () => {
  harness = await startChatHarness({ AGENTRT_RUN_TIMEOUT_MS: "30000", AGENTRT_RUN_MAX_TIMEOUT_MS: "60000" });
  server = harness.server;
  client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: ADMIN_KEY, maxRetries: 0 });
  await createAgentOk(server, { name: "echo", template: "echo", config: { greeting: "hi" } });
  await createAgentOk(server, {
    name: "chat",
    template: "conversation",
    config: conversationConfig(harness.fake),
  });
});
afterAll(() => harness.close());

/** Follows a run to its end and answers its final status. */
async function finalStatus(runId: string): Promise<string> {
  const events = await readSse(
    await server.api(`/v1/runs/${runId}/events`),
    (e) => e.event === "run.finished",
  );
  return events.at(-1)?.data.status;
}

describe("wrong method on a known path", () => {
  it.each([
    ["PUT", "/v1/agents", "GET, HEAD, POST"],
    ["DELETE", "/v1/runs", "GET, HEAD"],
    ["GET", "/v1/runs/run_x/cancel", "POST"],
    ["POST", "/v1/schedules/sch_x", "DELETE, GET, HEAD, PATCH"],
    ["GET", "/v1/chat/completions", "POST"],
  ])("%s %s is a 405 naming the allowed methods", async (method, path, allow) => {
    const res = await server.call(method, path);
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe(allow);
    expect(res.headers.get("content-type")).toContain("application/problem+json");
    expect(res.body).toMatchObject({ status: 405, code: "METHOD_NOT_ALLOWED" });
  });

  it("an unknown path stays a 404", async () => {
    const res = await server.call("GET", "/v1/nothing-here");
    expect(res.status).toBe(404);
    expect(res.headers.get("allow")).toBeNull();
  });
});

describe("pagination cursors", () => {
  it.each(["/v1/agents", "/v1/runs", "/v1/threads", "/v1/schedules", "/v1/api-keys"])(
    "%s refuses a cursor it never handed out with 422",
    async (path) => {
      const res = await server.call("GET", `${path}?cursor=not-a-cursor`);
      expect(res.status).toBe(422);
      expect(res.body).toMatchObject({ code: "VALIDATION_FAILED", errors: [{ path: ["query", "cursor"] }] });
    },
  );

  it("a cursor it handed out pages on", async () => {
    await server.call("POST", "/v1/agents/echo/runs", { input: "a" });
    await server.call("POST", "/v1/agents/echo/runs", { input: "b" });
    const first = await server.call("GET", "/v1/runs?limit=1");
    const next = await server.call("GET", `/v1/runs?limit=1&cursor=${first.body.nextCursor}`);
    expect(next.status).toBe(200);
    expect(next.body.data[0].id).not.toBe(first.body.data[0].id);
  });
});

describe("the run id header", () => {
  it("is x-agentrt-run-id on every route that starts a run", async () => {
    const sync = await server.call("POST", "/v1/agents/echo/runs", { input: "s" });
    expect(sync.headers.get("x-agentrt-run-id")).toBe(sync.body.id);
    const background = await server.call("POST", "/v1/agents/echo/runs", { input: "b", mode: "background" });
    expect(background.headers.get("x-agentrt-run-id")).toBe(background.body.id);
    const stream = await server.api("/v1/agents/echo/runs", {
      method: "POST",
      body: JSON.stringify({ input: "t", mode: "stream" }),
    });
    await readSse(stream);
    expect(stream.headers.get("x-agentrt-run-id")).toMatch(/^run_/);
    const chat = await client.chat.completions
      .create({ model: "echo", messages: [{ role: "user", content: "c" }], store: true })
      .withResponse();
    expect(chat.response.headers.get("x-agentrt-run-id")).toBe(chat.data.id.replace("chatcmpl-", ""));
    // An unstored completion (no `store: true`) leaves no run to name.
    const unstored = await client.chat.completions
      .create({ model: "echo", messages: [{ role: "user", content: "c" }] })
      .withResponse();
    expect(unstored.response.headers.get("x-agentrt-run-id")).toBeNull();
    for (const res of [sync.headers, background.headers, stream.headers, chat.response.headers])
      expect(res.get("x-run-id")).toBeNull();
  });
});

describe("timeoutMs bounds", () => {
  it.each([50, 60_001])(
    "a timeoutMs of %d is refused with a message stating 100 and the maximum",
    async (timeoutMs) => {
      const res = await server.call("POST", "/v1/agents/echo/runs", { input: "x", timeoutMs });
      expect(res.status).toBe(422);
      expect(res.body.errors[0]).toMatchObject({ path: ["timeoutMs"] });
      expect(res.body.errors[0].message).toMatch(
        timeoutMs < 100 ? /at least 100 ms/ : /between 100 and 60000 ms/,
      );
    },
  );
});

describe("onDisconnect on the runs stream", () => {
  async function dropStream(extra: Record<string, unknown>): Promise<string> {
    const res = await server.api("/v1/agents/echo/runs", {
      method: "POST",
      body: JSON.stringify({ input: { sleepMs: 1500 }, mode: "stream", ...extra }),
    });
    const runId = res.headers.get("x-agentrt-run-id")!;
    // Reading stops after the start: the reader is cancelled, which drops the stream.
    await readSse(res, (e) => e.event === "run.started");
    return finalStatus(runId);
  }

  it("cancels the run by default", async () => {
    expect(await dropStream({})).toBe("cancelled");
  });

  it("lets the run finish with continue", async () => {
    expect(await dropStream({ onDisconnect: "continue" })).toBe("succeeded");
  });

  it("applies to a sync wait too", async () => {
    for (const [onDisconnect, expected] of [
      ["cancel", "cancelled"],
      ["continue", "succeeded"],
    ] as const) {
      const controller = new AbortController();
      const pending = server
        .api("/v1/agents/echo/runs", {
          method: "POST",
          body: JSON.stringify({
            input: { sleepMs: 1500 },
            idempotencyKey: `sync-${onDisconnect}`,
            onDisconnect,
          }),
          signal: controller.signal,
        })
        .catch(() => undefined);
      let runId: string | undefined;
      await expect
        .poll(async () => {
          const page = await server.call("GET", "/v1/runs?agent=echo&status=running");
          runId = page.body.data.find(
            (run: { idempotencyKey: string }) => run.idempotencyKey === `sync-${onDisconnect}`,
          )?.id;
          return runId;
        })
        .toBeDefined();
      controller.abort();
      await pending;
      expect(await finalStatus(runId!)).toBe(expected);
    }
  });
});

describe("onDisconnect on the chat completions stream", () => {
  async function dropChat(headers: Record<string, string>): Promise<string> {
    harness.fake.reset();
    harness.fake.setLatency(0, 100);
    harness.fake.enqueueReply(Array.from({ length: 20 }, (_, i) => `word${i}`).join(" "));
    const { data: stream, response } = await client.chat.completions
      .create(
        { model: "chat", messages: [{ role: "user", content: "talk" }], stream: true, store: true },
        { headers },
      )
      .withResponse();
    let received = "";
    for await (const chunk of stream) {
      received += chunk.choices[0]?.delta.content ?? "";
      if (received.includes("word1")) break; // leaving the loop drops the connection
    }
    return finalStatus(response.headers.get("x-agentrt-run-id")!);
  }

  it("cancels the run by default, the same default as the runs stream", async () => {
    expect(await dropChat({})).toBe("cancelled");
  });

  it("lets the run finish with x-agentrt-on-disconnect: continue", async () => {
    expect(await dropChat({ "x-agentrt-on-disconnect": "continue" })).toBe("succeeded");
  });
});
