import { ErrorCode, isAgentrtError } from "@agentrt/core";
import { createProblem, type TemplateStatusLookup, toOpenAiError } from "../../lib/problem.js";
import { SSE_HEADERS } from "../../lib/sse.js";
import type { ChatEvent, ChatUsage } from "./chat-events.js";

export interface CompletionIdentity {
  id: string;
  created: number;
  model: string;
}

export function chatCompletion(identity: CompletionIdentity, text: string, usage: ChatUsage) {
  return {
    ...identity,
    object: "chat.completion" as const,
    system_fingerprint: null,
    choices: [
      {
        index: 0,
        message: { role: "assistant" as const, content: text, refusal: null },
        logprobs: null,
        finish_reason: "stop" as const,
      },
    ],
    usage,
  };
}

const encoder = new TextEncoder();

/**
 * OpenAI's stream framing: a role chunk, content chunks, a `finish_reason: "stop"` chunk, with
 * `include_usage` a `choices: []` usage chunk (and `usage: null` on all the others), then
 * `[DONE]`. An error after the first byte can't change the status, so it is sent the way OpenAI
 * does: an `error` object as the last data line.
 */
async function* chunkFrames(
  identity: CompletionIdentity,
  first: IteratorResult<ChatEvent>,
  events: AsyncIterator<ChatEvent>,
  includeUsage: boolean,
  templateStatus: TemplateStatusLookup,
): AsyncGenerator<string> {
  // The identity fields are serialised once; each chunk only adds its own part.
  const head = `data: {"id":${JSON.stringify(identity.id)},"object":"chat.completion.chunk","created":${identity.created},"model":${JSON.stringify(identity.model)},"system_fingerprint":null,`;
  const usageNull = includeUsage ? `,"usage":null` : "";
  const chunk = (delta: string, finish: string) =>
    `${head}"choices":[{"index":0,"delta":${delta},"logprobs":null,"finish_reason":${finish}}]${usageNull}}\n\n`;
  yield chunk(`{"role":"assistant","content":""}`, "null");
  try {
    for (let step = first; !step.done; step = await events.next()) {
      const event = step.value;
      if (event.type === "delta") {
        yield chunk(`{"content":${JSON.stringify(event.text)}}`, "null");
        continue;
      }
      // Agents that don't stream their text send it whole.
      if (!event.streamed && event.text !== "")
        yield chunk(`{"content":${JSON.stringify(event.text)}}`, "null");
      yield chunk("{}", `"stop"`);
      if (includeUsage) yield `${head}"choices":[],"usage":${JSON.stringify(event.usage)}}\n\n`;
      yield "data: [DONE]\n\n";
    }
  } catch (error) {
    const problem = isAgentrtError(error)
      ? createProblem(error.code, error.message, undefined, templateStatus)
      : createProblem(ErrorCode.INTERNAL, "An internal error occurred");
    yield `data: ${JSON.stringify(toOpenAiError(problem).body)}\n\n`;
  } finally {
    // Iterated by hand, so closed by hand: that ends the run follower and its subscription.
    await events.return?.();
  }
}

/**
 * The SSE response of a streamed completion. `first` was read before answering, so a run that
 * fails before its first token still gets a real error status. `onCancel` runs when the client goes away.
 */
export function chatStreamResponse(
  identity: CompletionIdentity,
  first: IteratorResult<ChatEvent>,
  events: AsyncIterator<ChatEvent>,
  options: {
    includeUsage: boolean;
    headers: Record<string, string>;
    onCancel: () => void;
    templateStatus: TemplateStatusLookup;
  },
): Response {
  const frames = chunkFrames(identity, first, events, options.includeUsage, options.templateStatus);
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { value, done } = await frames.next();
      if (done) controller.close();
      else controller.enqueue(encoder.encode(value));
    },
    cancel() {
      options.onCancel();
      void frames.return(undefined);
    },
  });
  return new Response(body, {
    status: 200,
    headers: {
      ...SSE_HEADERS,
      ...options.headers,
    },
  });
}
