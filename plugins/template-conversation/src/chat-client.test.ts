import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { ErrorCode } from "@agentrt/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type ChatClient,
  createChatClient,
  parseRetryAfter,
  type ReplyPart,
  retryDelayMs,
} from "./chat-client.js";
import { configSchema } from "./config-schema.js";

/** A provider that answers each request with the next scripted handler: odd answers on a real port. */
type Handler = (req: IncomingMessage, res: ServerResponse) => void;
let handlers: Handler[] = [];
let received = 0;
let server: Server;
let baseUrl: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    received++;
    req.resume();
    req.on("end", () => (handlers.shift() ?? ((_, r) => r.writeHead(500).end()))(req, res));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function client(overrides: Record<string, unknown> = {}): ChatClient {
  handlers = [];
  received = 0;
  const config = configSchema.parse({ model: "m", baseUrl, maxRetries: 0, ...overrides });
  return createChatClient(config, async () => "sk-test");
}

const sse =
  (...events: string[]): Handler =>
  (_, res) => {
    res.writeHead(200, { "content-type": "text/event-stream" });
    res.end(events.map((e) => `data: ${e}\n\n`).join(""));
  };

async function collect(stream: AsyncIterable<ReplyPart>): Promise<ReplyPart[]> {
  const parts: ReplyPart[] = [];
  for await (const part of stream) parts.push(part);
  return parts;
}

const failure = (stream: AsyncIterable<ReplyPart>) => collect(stream).catch((error: unknown) => error);

describe("createChatClient", () => {
  it("streams the text pieces, then the usage, ignoring empty and role-only chunks", async () => {
    const chat = client();
    handlers.push(
      sse(
        '{"choices":[{"delta":{"role":"assistant","content":""}}]}',
        '{"choices":[{"delta":{"content":"Hel"}}],"usage":null}',
        '{"choices":[{"delta":{"content":"lo"}}]}',
        '{"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":2}}',
        "[DONE]",
      ),
    );
    expect(
      await collect(chat.stream([{ role: "user", content: "hi" }], {}, new AbortController().signal)),
    ).toEqual([
      { type: "delta", text: "Hel" },
      { type: "delta", text: "lo" },
      { type: "usage", promptTokens: 3, completionTokens: 2, model: "m" },
    ]);
  });

  it("asks for a whole reply without streaming: text, tool calls and usage from one JSON answer", async () => {
    const chat = client();
    let body = "";
    const json =
      (text: string): Handler =>
      (_, res) => {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(text);
      };
    handlers.push(
      json(
        JSON.stringify({
          choices: [
            {
              message: {
                role: "assistant",
                content: null,
                tool_calls: [{ id: "c1", type: "function", function: { name: "f", arguments: "{}" } }],
              },
              finish_reason: "tool_calls",
            },
          ],
          usage: { prompt_tokens: 4, completion_tokens: 1 },
        }),
      ),
      json("not json"),
      json("{}"),
    );
    server.once("request", (req: IncomingMessage) => {
      req.on("data", (chunk: Buffer) => {
        body += chunk.toString();
      });
    });
    const signal = new AbortController().signal;
    expect(await chat.complete([{ role: "user", content: "hi" }], {}, signal)).toEqual({
      text: "",
      toolCalls: [{ id: "c1", type: "function", function: { name: "f", arguments: "{}" } }],
      usage: { type: "usage", promptTokens: 4, completionTokens: 1, model: "m" },
    });
    expect(JSON.parse(body)).not.toHaveProperty("stream");
    for (const _ of [1, 2]) {
      const error = await chat
        .complete([{ role: "user", content: "hi" }], {}, signal)
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ code: ErrorCode.UPSTREAM_ERROR });
    }
  });

  it("reports an error object or a chunk that is not JSON inside the stream as UPSTREAM_ERROR", async () => {
    const chat = client();
    handlers.push(sse('{"error":{"message":"overloaded mid-stream"}}'), sse("{not json"));
    const signal = new AbortController().signal;
    expect(await failure(chat.stream([], {}, signal))).toMatchObject({
      code: ErrorCode.UPSTREAM_ERROR,
      message: "model provider stream failed: overloaded mid-stream",
      details: { reason: "stream" },
    });
    expect(await failure(chat.stream([], {}, signal))).toMatchObject({
      code: ErrorCode.UPSTREAM_ERROR,
      message: expect.stringContaining("not JSON: {not json"),
    });
  });

  it("reports a reply cut off mid-stream as UPSTREAM_ERROR", async () => {
    const chat = client();
    handlers.push((_, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write('data: {"choices":[{"delta":{"content":"par"}}]}\n\n');
      setTimeout(() => res.socket?.destroy(), 20);
    });
    expect(await failure(chat.stream([], {}, new AbortController().signal))).toMatchObject({
      code: ErrorCode.UPSTREAM_ERROR,
      details: { reason: "stream" },
    });
  });

  it("retries 429 after the provider's retry-after, and says what the provider said when it gives up", async () => {
    const chat = client({ maxRetries: 1 });
    const tooMany: Handler = (_, res) =>
      res
        .writeHead(429, { "content-type": "application/json", "retry-after-ms": "10" })
        .end('{"error":{"message":"slow down"}}');
    handlers.push(tooMany, tooMany);
    expect(await failure(chat.stream([], {}, new AbortController().signal))).toMatchObject({
      code: ErrorCode.UPSTREAM_ERROR,
      message: "model provider answered 429: slow down",
      details: { status: 429 },
    });
    expect(received).toBe(2);
  });

  it("reports a non-JSON error answer by its text", async () => {
    const chat = client();
    handlers.push((_, res) => res.writeHead(502).end("Bad gateway\n"));
    expect(await failure(chat.stream([], {}, new AbortController().signal))).toMatchObject({
      message: "model provider answered 502: Bad gateway",
    });
  });

  it("stops waiting to retry when the signal fires", async () => {
    const chat = client({ maxRetries: 3 });
    handlers.push((_, res) => res.writeHead(503, { "retry-after": "30" }).end());
    const controller = new AbortController();
    const pending = failure(chat.stream([], {}, controller.signal));
    await new Promise((resolve) => setTimeout(resolve, 50));
    controller.abort(new Error("stop"));
    expect(await pending).toEqual(new Error("stop"));
    expect(received).toBe(1);
  });

  it("throws the signal's reason at once when it already fired", async () => {
    const chat = client();
    const controller = new AbortController();
    controller.abort(new Error("gone"));
    expect(await failure(chat.stream([], {}, controller.signal))).toEqual(new Error("gone"));
    expect(received).toBe(0);
  });
});

describe("parseRetryAfter and retryDelayMs", () => {
  it("reads milliseconds, seconds or an HTTP date", () => {
    const now = Date.parse("2026-01-01T00:00:00Z");
    expect(parseRetryAfter({ "retry-after-ms": "250" }, now)).toBe(250);
    expect(parseRetryAfter({ "retry-after": "2" }, now)).toBe(2000);
    expect(parseRetryAfter({ "retry-after": "Thu, 01 Jan 2026 00:00:03 GMT" }, now)).toBe(3000);
    expect(parseRetryAfter({ "retry-after": "soon" }, now)).toBeUndefined();
    expect(parseRetryAfter({}, now)).toBeUndefined();
  });

  it("follows a sane hint, otherwise backs off exponentially up to 8 s with jitter", () => {
    expect(retryDelayMs(0, 1500)).toBe(1500);
    for (const [retry, max] of [
      [0, 500],
      [1, 1000],
      [6, 8000],
    ] as const) {
      const delay = retryDelayMs(retry, 120_000);
      expect(delay).toBeGreaterThan(max * 0.75 - 1);
      expect(delay).toBeLessThanOrEqual(max);
    }
  });
});
