import type { IncomingHttpHeaders, IncomingMessage } from "node:http";
import { isAgentrtError, type ToolCall } from "@agentrt/core";
import type { CallerParams } from "./caller-params.js";
import { type ChatOutcome, startChatSpan } from "./chat-span.js";
import type { ConversationConfig } from "./config-schema.js";
import { postForResponse, ResponseTimeoutError, readText } from "./http-post.js";
import type { ChatMessage } from "./input-schema.js";
import { createSseParser } from "./sse.js";
import {
  providerMessage,
  upstreamConnectionError,
  upstreamStatusError,
  upstreamStreamError,
  upstreamTimeoutError,
} from "./upstream-error.js";

export type ReplyPart =
  | { type: "delta"; text: string }
  | { type: "tool_calls"; calls: ToolCall[] }
  | { type: "usage"; promptTokens: number; completionTokens: number; model: string };

/** A whole reply, asked for without streaming. */
export interface CompleteReply {
  text: string;
  toolCalls: ToolCall[];
  usage: Extract<ReplyPart, { type: "usage" }> | undefined;
}

export interface ChatClient {
  /**
   * Streams one reply: its text as it arrives, then the tool calls it made (when any), then usage
   * when the provider reported it. Throws
   * UPSTREAM_ERROR for provider failures, or `signal.reason` once `signal` fired. Leaving the loop
   * early closes the HTTP request.
   */
  stream(messages: ChatMessage[], params: CallerParams, signal: AbortSignal): AsyncGenerator<ReplyPart>;
  /** The same call without streaming, for a caller that needs no text before the end; same errors. */
  complete(messages: ChatMessage[], params: CallerParams, signal: AbortSignal): Promise<CompleteReply>;
}

interface ToolCallDelta {
  index?: number;
  id?: string;
  function?: { name?: string; arguments?: string };
}

interface Completion {
  choices?: {
    message?: { content?: unknown; tool_calls?: ToolCall[] | null };
    finish_reason?: string | null;
  }[];
  usage?: { prompt_tokens?: number; completion_tokens?: number } | null;
}

interface StreamChunk {
  choices?: { delta?: { content?: unknown; tool_calls?: ToolCallDelta[] }; finish_reason?: string | null }[];
  usage?: { prompt_tokens?: number; completion_tokens?: number } | null;
  error?: unknown;
}

/** One attempt: the open response, or why it failed and whether another attempt could help. */
type Attempt =
  | { ok: true; response: IncomingMessage }
  | { ok: false; error: Error; retryable: boolean; retryAfterMs?: number | undefined };

/**
 * OpenAI streams a tool call in pieces under its `index`: the first with id and name, the rest
 * with more argument text. This joins them; calls come out in index order.
 */
export function createToolCallCollector() {
  const calls = new Map<number, ToolCall>();
  return {
    add(deltas: ToolCallDelta[]): void {
      for (const delta of deltas) {
        const index = delta.index ?? 0;
        let call = calls.get(index);
        if (!call) {
          call = { id: "", type: "function", function: { name: "", arguments: "" } };
          calls.set(index, call);
        }
        if (delta.id) call.id = delta.id;
        if (delta.function?.name) call.function.name += delta.function.name;
        if (delta.function?.arguments) call.function.arguments += delta.function.arguments;
      }
    },
    calls: (): ToolCall[] => [...calls.entries()].sort(([a], [b]) => a - b).map(([, call]) => call),
  };
}

const isRetryableStatus = (status: number) => status === 408 || status === 429 || status >= 500;

/** `retry-after-ms`, or `retry-after` in seconds or as an HTTP date, as the OpenAI SDK reads them. */
export function parseRetryAfter(headers: IncomingHttpHeaders, now = Date.now()): number | undefined {
  const ms = Number.parseFloat(String(headers["retry-after-ms"] ?? ""));
  if (Number.isFinite(ms)) return ms;
  const value = headers["retry-after"];
  if (value === undefined) return undefined;
  const seconds = Number.parseFloat(value);
  if (Number.isFinite(seconds)) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : date - now;
}

/** The provider's hint when it is sane (0–60 s), else exponential from 0.5 s up to 8 s, with jitter. */
export function retryDelayMs(retry: number, retryAfterMs: number | undefined): number {
  if (retryAfterMs !== undefined && retryAfterMs >= 0 && retryAfterMs <= 60_000) return retryAfterMs;
  return Math.min(500 * 2 ** retry, 8000) * (1 - Math.random() * 0.25);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * An OpenAI-compatible Chat Completions client on plain HTTP: streaming only, retries before the
 * first byte of the reply (5xx, 408, 429, timeouts, connection errors), a timeout on each attempt
 * until the provider starts answering. Deliberately not the OpenAI SDK or LangChain's ChatOpenAI:
 * a turn through those costs several times the request itself in callbacks, tracing objects and
 * config merging, and this is the hot path of every chat completion.
 */
export function createChatClient(config: ConversationConfig, apiKey: () => Promise<string>): ChatClient {
  const url = new URL(`${config.baseUrl.replace(/\/+$/, "")}/chat/completions`);
  const sampling = {
    temperature: config.temperature,
    top_p: config.topP,
    max_tokens: config.maxTokens,
  };
  const timeoutMs = config.requestTimeoutMs;

  /** One attempt up to the response headers (and the whole body of an error answer). */
  async function attempt(body: string, key: string, signal: AbortSignal, stream: boolean): Promise<Attempt> {
    const headers = {
      "content-type": "application/json",
      accept: stream ? "text/event-stream" : "application/json",
      authorization: `Bearer ${key}`,
    };
    let response: IncomingMessage;
    try {
      response = await postForResponse(url, headers, body, signal, timeoutMs);
      const status = response.statusCode ?? 0;
      if (status >= 200 && status < 300) return { ok: true, response };
      return {
        ok: false,
        error: upstreamStatusError(status, providerMessage(await readText(response))),
        retryable: isRetryableStatus(status),
        retryAfterMs: parseRetryAfter(response.headers),
      };
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      if (error instanceof ResponseTimeoutError) {
        return { ok: false, error: upstreamTimeoutError(timeoutMs), retryable: true };
      }
      return { ok: false, error: upstreamConnectionError(error), retryable: true };
    }
  }

  async function open(
    messages: ChatMessage[],
    params: CallerParams,
    signal: AbortSignal,
    stream: boolean,
  ): Promise<IncomingMessage> {
    const key = await apiKey();
    const body = JSON.stringify({
      model: config.model,
      messages,
      ...sampling,
      ...params,
      ...(stream ? { stream: true, stream_options: { include_usage: true } } : {}),
    });
    for (let retry = 0; ; retry++) {
      const result = await attempt(body, key, signal, stream);
      if (result.ok) return result.response;
      if (!result.retryable || retry >= config.maxRetries) throw result.error;
      await sleep(retryDelayMs(retry, result.retryAfterMs), signal);
    }
  }

  return {
    // One generator from the socket to the caller: each layer would cost a promise hop per token.
    async *stream(messages, params, signal) {
      const span = startChatSpan(config.model, url);
      const outcome: ChatOutcome = {};
      let failure: unknown;
      try {
        const response = await open(messages, params, signal, true);
        const reader = createStreamReader(outcome);
        try {
          response.setEncoding("utf8");
          // An event's JSON is parsed just before its text is yielded: a bad event fails after the text before it.
          for await (const chunk of response) {
            for (const data of reader.sse.push(chunk as string)) {
              const text = reader.take(data);
              if (text !== undefined) yield { type: "delta", text };
            }
          }
          const last = reader.sse.end();
          const text = last === undefined ? undefined : reader.take(last);
          if (text !== undefined) yield { type: "delta", text };
        } catch (error) {
          if (signal.aborted) throw signal.reason;
          if (isAgentrtError(error)) throw error;
          throw upstreamStreamError((error as Error).message, error);
        } finally {
          // Left early (consumer stopped, or a bad chunk): close the HTTP request.
          if (!response.complete) response.destroy();
        }
        const calls = reader.toolCalls.calls();
        if (calls.length > 0) yield { type: "tool_calls", calls };
        if (reader.usage) {
          outcome.usage = reader.usage;
          yield reader.usage;
        }
      } catch (error) {
        failure = error;
        throw error;
      } finally {
        span.end(outcome, failure);
      }
    },
    async complete(messages, params, signal) {
      const span = startChatSpan(config.model, url);
      const outcome: ChatOutcome = {};
      try {
        const reply = await whole(messages, params, signal, outcome);
        if (reply.usage) outcome.usage = reply.usage;
        span.end(outcome);
        return reply;
      } catch (error) {
        span.end(outcome, error);
        throw error;
      }
    },
  };

  function usagePart(usage: StreamChunk["usage"]): CompleteReply["usage"] {
    if (!usage) return undefined;
    return {
      type: "usage",
      promptTokens: usage.prompt_tokens ?? 0,
      completionTokens: usage.completion_tokens ?? 0,
      model: config.model,
    };
  }

  async function whole(
    messages: ChatMessage[],
    params: CallerParams,
    signal: AbortSignal,
    outcome: ChatOutcome,
  ): Promise<CompleteReply> {
    const response = await open(messages, params, signal, false);
    let text: string;
    try {
      text = await readText(response);
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      throw upstreamStreamError((error as Error).message, error);
    }
    let completion: Completion;
    try {
      completion = JSON.parse(text) as Completion;
    } catch (error) {
      throw upstreamStreamError(`not JSON: ${text.slice(0, 200)}`, error);
    }
    const choice = completion.choices?.[0];
    if (!choice) throw upstreamStreamError(providerMessage(text));
    outcome.finishReason = choice.finish_reason ?? undefined;
    const content = choice.message?.content;
    const calls = choice.message?.tool_calls;
    return {
      text: typeof content === "string" ? content : "",
      toolCalls: Array.isArray(calls) ? calls : [],
      usage: usagePart(completion.usage),
    };
  }

  /**
   * Reads a streamed reply event by event, synchronously: `take` hands back an event's text and
   * keeps the rest (tool calls, usage, finish reason).
   */
  function createStreamReader(outcome: ChatOutcome) {
    const toolCalls = createToolCallCollector();
    /** One event's data; returns the text it adds, if any. */
    function take(data: string): string | undefined {
      // `[DONE]` ends the reply, but the body is read to its end so the connection can be reused.
      if (data === "[DONE]") return undefined;
      let chunk: StreamChunk;
      try {
        chunk = JSON.parse(data) as StreamChunk;
      } catch (error) {
        throw upstreamStreamError(`not JSON: ${data.slice(0, 200)}`, error);
      }
      if (chunk.error) throw upstreamStreamError(providerMessage(data));
      if (chunk.usage) reader.usage = usagePart(chunk.usage);
      const choice = chunk.choices?.[0];
      if (!choice) return undefined;
      if (choice.finish_reason) outcome.finishReason = choice.finish_reason;
      const delta = choice.delta;
      if (Array.isArray(delta?.tool_calls)) toolCalls.add(delta.tool_calls);
      const text = delta?.content;
      return typeof text === "string" && text !== "" ? text : undefined;
    }
    const reader = {
      sse: createSseParser(),
      toolCalls,
      usage: undefined as CompleteReply["usage"],
      take,
    };
    return reader;
  }
}
