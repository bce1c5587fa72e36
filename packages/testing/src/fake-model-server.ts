import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  type ChatCompletionRequestBody,
  type CompletionParts,
  countTokens,
  createCompletion,
  createErrorBody,
  createStreamFrames,
  lastUserMessage,
  messageText,
  promptTokens,
  type ToolCall,
} from "./openai-shapes.js";

/** A tool call the fake model makes; `arguments` may be given as an object (sent as JSON text). */
export interface FakeToolCall {
  /** Default `call_<n>`, numbered across the server's replies. */
  id?: string;
  name: string;
  arguments?: string | Record<string, unknown>;
}

export interface FakeReply {
  /** Default "" (a reply that only calls tools). */
  content?: string;
  /** Calls the model makes, in order (several = parallel calls); the reply ends with `finish_reason: "tool_calls"`. */
  toolCalls?: FakeToolCall[];
  usage?: { prompt_tokens: number; completion_tokens: number };
}

export interface FakeModelServerOptions {
  /**
   * Computes the reply; default: "echo: " + content of the last user message. `index` is the
   * 0-based number of this chat completion request since start or `reset()`.
   */
  reply?: (request: ChatCompletionRequestBody, index: number) => string | FakeReply;
  /** Delay before the first byte (default 0). */
  latencyMs?: number;
  /** Delay between streamed chunks (default 0). */
  tokenDelayMs?: number;
  /** Ids listed by GET /v1/models (default ["fake-model"]). */
  models?: string[];
}

export interface RecordedRequest {
  method: string;
  /** Path incl. query string, as received. */
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON body; the raw text when it was not JSON; undefined when empty. */
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary recorded JSON without casts
  body: any;
  /** `Date.now()` when the request (incl. body) was received. */
  receivedAt: number;
  /** True when the client closed the connection before the response was complete. */
  aborted: boolean;
  /** `Date.now()` when the response finished or the connection closed; null while open. */
  closedAt: number | null;
}

export interface FakeModelServer {
  /** Base URL incl. /v1, e.g. http://127.0.0.1:40123/v1 (what OpenAI clients take as baseURL). */
  url: string;
  port: number;
  requests: RecordedRequest[];
  /** Replies consumed, in order, before `options.reply`. */
  enqueueReply(...replies: (string | FakeReply)[]): void;
  /** The next `count` (default 1) chat completion requests fail with `status` (OpenAI error JSON by default). */
  failNext(status: number, body?: unknown, count?: number): void;
  setLatency(latencyMs: number, tokenDelayMs?: number): void;
  /** Resolves with the recorded requests once at least `n` were received (default timeout 5 s). */
  waitForRequests(n: number, timeoutMs?: number): Promise<RecordedRequest[]>;
  /** Resolves when that request's client connection closed early; rejects if it completed normally. */
  waitForAbort(requestIndex: number, timeoutMs?: number): Promise<RecordedRequest>;
  /** Forgets requests, queued replies and failures; restores the latency from the options. */
  reset(): void;
  close(): Promise<void>;
}

interface Failure {
  status: number;
  body: unknown;
}

const DEFAULT_TIMEOUT_MS = 5000;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function defaultReply(request: ChatCompletionRequestBody): string {
  return `echo: ${messageText(lastUserMessage(request.messages ?? []))}`;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(chunks.length === 0 ? "" : Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function parseBody(text: string): { ok: boolean; value: unknown } {
  if (text === "") return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false, value: text };
  }
}

/** Starts an OpenAI-compatible chat model on 127.0.0.1 with a free port; LLM stand-in for tests and benches. */
export async function createFakeModelServer(options: FakeModelServerOptions = {}): Promise<FakeModelServer> {
  const models = options.models ?? ["fake-model"];
  const replyFn = options.reply ?? defaultReply;
  const modelList = JSON.stringify({
    object: "list",
    data: models.map((id) => ({ id, object: "model", created: 0, owned_by: "agentrt-testing" })),
  });

  const requests: RecordedRequest[] = [];
  let replies: (string | FakeReply)[] = [];
  let failures: Failure[] = [];
  let latencyMs = options.latencyMs ?? 0;
  let tokenDelayMs = options.tokenDelayMs ?? 0;
  let completionIndex = 0;
  let completionSeq = 0;
  let toolCallSeq = 0;
  // Waiters re-check their condition whenever a request arrives or closes.
  const waiters = new Set<() => void>();
  const notify = () => {
    for (const waiter of waiters) waiter();
  };

  function waitFor<T>(check: () => T | undefined, timeoutMs: number, describe: () => string): Promise<T> {
    return new Promise((resolve, reject) => {
      const settle = (fn: () => void) => {
        clearTimeout(timer);
        waiters.delete(waiter);
        fn();
      };
      const waiter = () => {
        try {
          const value = check();
          if (value !== undefined) settle(() => resolve(value));
        } catch (error) {
          settle(() => reject(error));
        }
      };
      const timer = setTimeout(() => settle(() => reject(new Error(describe()))), timeoutMs);
      waiters.add(waiter);
      waiter();
    });
  }

  function nextReply(body: ChatCompletionRequestBody, index: number): FakeReply {
    const reply = replies.length > 0 ? replies.shift()! : replyFn(body, index);
    return typeof reply === "string" ? { content: reply } : reply;
  }

  const toToolCall = (call: FakeToolCall): ToolCall => ({
    id: call.id ?? `call_${++toolCallSeq}`,
    type: "function",
    function: {
      name: call.name,
      arguments: typeof call.arguments === "string" ? call.arguments : JSON.stringify(call.arguments ?? {}),
    },
  });

  async function handleCompletion(body: ChatCompletionRequestBody, res: ServerResponse): Promise<void> {
    const index = completionIndex++;
    const failure = failures.shift();
    if (latencyMs > 0) await sleep(latencyMs);
    if (res.destroyed) return;
    if (failure) return sendJson(res, failure.status, failure.body);
    if (!body || typeof body !== "object" || !Array.isArray(body.messages)) {
      return sendJson(res, 400, createErrorBody(400, "'messages' is a required property"));
    }

    let reply: FakeReply;
    try {
      reply = nextReply(body, index);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return sendJson(res, 500, createErrorBody(500, `fake reply failed: ${message}`));
    }
    const content = reply.content ?? "";
    const toolCalls = (reply.toolCalls ?? []).map(toToolCall);
    const prompt = reply.usage?.prompt_tokens ?? promptTokens(body.messages);
    const completion =
      reply.usage?.completion_tokens ??
      countTokens(content) + toolCalls.reduce((sum, call) => sum + countTokens(call.function.arguments), 0);
    const parts: CompletionParts = {
      id: `chatcmpl-fake${++completionSeq}`,
      created: Math.floor(Date.now() / 1000),
      model: typeof body.model === "string" ? body.model : models[0]!,
      content,
      ...(toolCalls.length > 0 ? { toolCalls } : {}),
      usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion },
    };
    if (!body.stream) return sendJson(res, 200, createCompletion(parts));

    const frames = createStreamFrames(parts, body.stream_options?.include_usage === true);
    res.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache",
      connection: "keep-alive",
    });
    // Without a token delay one write is enough and keeps benchmarks cheap.
    if (tokenDelayMs <= 0) return void res.end(frames.join(""));
    for (let i = 0; i < frames.length; i++) {
      if (res.destroyed) return;
      if (i > 0) await sleep(tokenDelayMs);
      if (res.destroyed) return;
      res.write(frames[i]);
    }
    res.end();
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const text = await readBody(req);
    const parsed = parseBody(text);
    const record: RecordedRequest = {
      method: req.method ?? "GET",
      path: req.url ?? "/",
      headers: req.headers,
      body: parsed.value,
      receivedAt: Date.now(),
      aborted: false,
      closedAt: null,
    };
    res.on("close", () => {
      record.closedAt = Date.now();
      record.aborted = !res.writableFinished;
      if (waiters.size > 0) notify();
    });
    requests.push(record);
    if (waiters.size > 0) notify();

    const query = record.path.indexOf("?");
    const path = query === -1 ? record.path : record.path.slice(0, query);
    if (record.method === "POST" && path === "/v1/chat/completions") {
      if (!parsed.ok) {
        return sendJson(res, 400, createErrorBody(400, "We could not parse the JSON body of your request."));
      }
      return handleCompletion(parsed.value as ChatCompletionRequestBody, res);
    }
    if (record.method === "GET" && path === "/v1/models") {
      res.writeHead(200, { "content-type": "application/json" });
      return void res.end(modelList);
    }
    if (record.method === "GET" && path.startsWith("/v1/models/")) {
      const id = decodeURIComponent(path.slice("/v1/models/".length));
      if (models.includes(id)) {
        return sendJson(res, 200, { id, object: "model", created: 0, owned_by: "agentrt-testing" });
      }
      return sendJson(res, 404, createErrorBody(404, `The model '${id}' does not exist`));
    }
    sendJson(
      res,
      404,
      createErrorBody(404, `Unknown request URL: ${record.method} ${record.path}.`, "unknown_url"),
    );
  }

  // Replies and bodies are handled inside; what is left (a client gone mid-upload) just drops the socket.
  const server = createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}/v1`,
    port,
    requests,
    enqueueReply(...next) {
      replies.push(...next);
    },
    failNext(status, body, count = 1) {
      const failureBody = body ?? createErrorBody(status, `fake failure with status ${status}`);
      for (let i = 0; i < count; i++) failures.push({ status, body: failureBody });
    },
    setLatency(nextLatencyMs, nextTokenDelayMs) {
      latencyMs = nextLatencyMs;
      if (nextTokenDelayMs !== undefined) tokenDelayMs = nextTokenDelayMs;
    },
    waitForRequests(n, timeoutMs = DEFAULT_TIMEOUT_MS) {
      return waitFor(
        () => (requests.length >= n ? requests.slice() : undefined),
        timeoutMs,
        () => `expected ${n} requests within ${timeoutMs} ms, got ${requests.length}`,
      );
    },
    waitForAbort(requestIndex, timeoutMs = DEFAULT_TIMEOUT_MS) {
      return waitFor(
        () => {
          const record = requests[requestIndex];
          if (!record || record.closedAt === null) return undefined;
          if (!record.aborted) throw new Error(`request ${requestIndex} completed without being aborted`);
          return record;
        },
        timeoutMs,
        () => `request ${requestIndex} was not aborted within ${timeoutMs} ms`,
      );
    },
    reset() {
      requests.length = 0;
      replies = [];
      failures = [];
      latencyMs = options.latencyMs ?? 0;
      tokenDelayMs = options.tokenDelayMs ?? 0;
      completionIndex = 0;
      toolCallSeq = 0;
    },
    close() {
      return new Promise((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
    },
  };
}
