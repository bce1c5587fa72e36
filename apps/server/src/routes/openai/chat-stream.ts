import { ErrorCode, isAgentrtError, type ToolCall } from "@agentrt/core";
import type { StoredRunEvent } from "@agentrt/runtime";
import { createProblem, type TemplateStatusLookup, toOpenAiError } from "../../lib/problem.js";
import { SSE_HEADERS } from "../../lib/sse.js";
import type { ChatEvent } from "./chat-events.js";

export interface CompletionIdentity {
  id: string;
  created: number;
  model: string;
}

type ChatEnd = Extract<ChatEvent, { type: "end" }>;

/** OpenAI's completion: with tool calls, `tool_calls` (content `null` when there is no text) and `finish_reason: "tool_calls"`. */
export function chatCompletion(identity: CompletionIdentity, { text, toolCalls, usage }: ChatEnd) {
  const calls = toolCalls.length > 0;
  return {
    ...identity,
    object: "chat.completion" as const,
    system_fingerprint: null,
    choices: [
      {
        index: 0,
        message: {
          role: "assistant" as const,
          content: calls && text === "" ? null : text,
          refusal: null,
          ...(calls ? { tool_calls: toolCalls } : {}),
        },
        logprobs: null,
        finish_reason: calls ? ("tool_calls" as const) : ("stop" as const),
      },
    ],
    usage,
  };
}

/**
 * Tool calls as OpenAI streams them: per call, a delta with its index, id, type and name (empty
 * arguments), then one with the argument text under the same index. The SDKs join them by index.
 */
function toolCallDeltas(toolCalls: ToolCall[]): string[] {
  return toolCalls.flatMap(({ id, type, function: fn }, index) => [
    JSON.stringify({ tool_calls: [{ index, id, type, function: { name: fn.name, arguments: "" } }] }),
    JSON.stringify({ tool_calls: [{ index, function: { arguments: fn.arguments } }] }),
  ]);
}

const encoder = new TextEncoder();

/**
 * OpenAI's stream framing: a role chunk, content chunks, tool call chunks, a `finish_reason` chunk
 * (`stop`, or `tool_calls` when the reply calls the caller's tools), with
 * `include_usage` a `choices: []` usage chunk (and `usage: null` on all the others), then
 * `[DONE]`. An error after the first byte can't change the status, so it is sent the way OpenAI
 * does: an `error` object as the last data line. Returns the frames of one event at a time (the
 * role chunk goes with the first).
 */
function chunkWriter(
  identity: CompletionIdentity,
  includeUsage: boolean,
  templateStatus: TemplateStatusLookup,
) {
  // The identity fields are serialised once; each chunk only adds its own part.
  const head = `data: {"id":${JSON.stringify(identity.id)},"object":"chat.completion.chunk","created":${identity.created},"model":${JSON.stringify(identity.model)},"system_fingerprint":null,`;
  const usageNull = includeUsage ? `,"usage":null` : "";
  const chunk = (delta: string, finish: string) =>
    `${head}"choices":[{"index":0,"delta":${delta},"logprobs":null,"finish_reason":${finish}}]${usageNull}}\n\n`;
  const content = (text: string) => chunk(`{"content":${JSON.stringify(text)}}`, "null");
  let role = chunk(`{"role":"assistant","content":""}`, "null");
  /** Whatever has not gone out yet comes first (the role chunk, until the first frames). */
  const opening = () => {
    const frames = role;
    role = "";
    return frames;
  };
  return {
    frames(event: ChatEvent): string {
      if (event.type === "delta") return opening() + content(event.text);
      let frames = opening();
      // Agents that don't stream their text send it whole.
      if (!event.streamed && event.text !== "") frames += content(event.text);
      for (const delta of toolCallDeltas(event.toolCalls)) frames += chunk(delta, "null");
      frames += chunk("{}", event.toolCalls.length > 0 ? `"tool_calls"` : `"stop"`);
      if (includeUsage) frames += `${head}"choices":[],"usage":${JSON.stringify(event.usage)}}\n\n`;
      return `${frames}data: [DONE]\n\n`;
    },
    error(error: unknown): string {
      const problem = isAgentrtError(error)
        ? createProblem(error.code, error.message, undefined, templateStatus)
        : createProblem(ErrorCode.INTERNAL, "An internal error occurred");
      return `${opening()}data: ${JSON.stringify(toOpenAiError(problem).body)}\n\n`;
    },
  };
}

type RunEvents = AsyncIterator<StoredRunEvent>;

/**
 * Reads a run's events into SSE text a batch at a time: a batch is the frames that became ready
 * before the event loop went round (at least one frame), so frames that come together go out in
 * one write. The run events are turned into frames synchronously, and the loop turn is checked
 * once per batch: a fast agent's whole reply is a dozen events in one turn.
 */
function batches(
  first: ChatEvent | undefined,
  events: RunEvents,
  read: (event: StoredRunEvent) => ChatEvent | undefined,
  writer: ReturnType<typeof chunkWriter>,
) {
  let ended = first === undefined || first.type === "end";
  let pending: string | undefined = first && writer.frames(first);
  /** An event asked for but not ready when the last batch was taken. */
  let ahead: Promise<IteratorResult<StoredRunEvent>> | undefined;
  /** Frames for the next run event; ends the batch on the end, an error or the events stopping. */
  const take = (step: IteratorResult<StoredRunEvent>): string => {
    if (step.done) {
      ended = true;
      return "";
    }
    try {
      const event = read(step.value);
      if (!event) return "";
      if (event.type === "end") ended = true;
      return writer.frames(event);
    } catch (error) {
      ended = true;
      return writer.error(error);
    }
  };
  const ask = () => {
    const next = ahead ?? events.next();
    ahead = undefined;
    return next;
  };
  /** The frames of the batch being taken. */
  let batch = "";
  /** Adds the frames that are ready before the loop goes round; false if it went round first. */
  const takeUntilTurn = async (): Promise<boolean> => {
    // Settles the pending wait for an event once the loop has gone round without it.
    let wake: (turned: undefined) => void = () => {};
    const turn = setImmediate(() => wake(undefined));
    try {
      while (!ended) {
        const next = ask();
        const ready = await new Promise<IteratorResult<StoredRunEvent> | undefined>((resolve, reject) => {
          wake = resolve;
          next.then(resolve, reject);
        });
        if (ready === undefined) {
          ahead = next;
          return false;
        }
        batch += take(ready);
      }
      return true;
    } finally {
      clearImmediate(turn);
    }
  };
  return async (): Promise<{ text: string; done: boolean }> => {
    batch = pending ?? "";
    pending = undefined;
    try {
      while (batch === "" && !ended) batch = take(await ask());
      if (!ended && !(await takeUntilTurn())) return { text: batch, done: false };
    } catch (error) {
      ended = true;
      batch += writer.error(error);
    }
    // Followed by hand, so closed by hand: that ends the run follower and its subscription.
    await events.return?.();
    return { text: batch, done: true };
  };
}

/**
 * The SSE response of a streamed completion. `first` was read before answering, so a run that
 * fails before its first token still gets a real error status. `onCancel` runs when the client goes
 * away, `onEnd` once the stream has ended. A stream that is over by the time its first batch is
 * ready (a fast agent) is answered as one body with a length, in one write; otherwise each batch is
 * one write.
 */
export async function chatStreamResponse(
  identity: CompletionIdentity,
  first: ChatEvent | undefined,
  events: RunEvents,
  read: (event: StoredRunEvent) => ChatEvent | undefined,
  options: {
    includeUsage: boolean;
    headers: Record<string, string>;
    onCancel: () => void;
    /** Runs once the stream has ended, so nothing keeps watching the finished request. */
    onEnd: () => void;
    templateStatus: TemplateStatusLookup;
  },
): Promise<Response> {
  const next = batches(
    first,
    events,
    read,
    chunkWriter(identity, options.includeUsage, options.templateStatus),
  );
  const init = { status: 200, headers: { ...SSE_HEADERS, ...options.headers } };
  const opening = await next();
  if (opening.done) {
    options.onEnd();
    return new Response(opening.text, init);
  }
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(opening.text));
    },
    async pull(controller) {
      const { text, done } = await next();
      if (text !== "") controller.enqueue(encoder.encode(text));
      if (!done) return;
      controller.close();
      options.onEnd();
    },
    cancel() {
      options.onCancel();
      void events.return?.(undefined);
    },
  });
  return new Response(body, init);
}
