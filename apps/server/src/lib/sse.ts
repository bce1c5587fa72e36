import { toErrorInfo } from "@agentrt/core";
import type { StoredRunEvent } from "@agentrt/runtime";

const encoder = new TextEncoder();

/** Headers of every event stream: no caching, no proxy buffering. */
export const SSE_HEADERS = {
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-cache, no-transform",
  "x-accel-buffering": "no",
} as const;

export function formatSseEvent(event: StoredRunEvent): string {
  return `id: ${event.seq}\nevent: ${event.type}\ndata: ${JSON.stringify(event.data)}\n\n`;
}

/**
 * Streams run events as Server-Sent Events. `follow` gets a signal that fires when the client goes
 * away, so nothing keeps following a closed connection, and `onCancel` is called then. Comment lines
 * keep idle streams alive through proxies. The stream ends after the iterable does (the run's
 * terminal event), or with an `error` event (no `id`: it is not one of the run's) when following
 * fails, e.g. the server shuts down: the client resumes from its `Last-Event-ID` elsewhere or later.
 */
export function createSseResponse(
  follow: (signal: AbortSignal) => AsyncIterable<StoredRunEvent>,
  options: { heartbeatMs: number; headers?: Record<string, string>; onCancel?: () => void },
): Response {
  const abort = new AbortController();
  let heartbeat: NodeJS.Timeout | undefined;
  const body = new ReadableStream<Uint8Array>({
    async start(controller) {
      controller.enqueue(encoder.encode(": connected\n\n"));
      heartbeat = setInterval(
        () => controller.enqueue(encoder.encode(": keep-alive\n\n")),
        options.heartbeatMs,
      );
      try {
        for await (const event of follow(abort.signal))
          controller.enqueue(encoder.encode(formatSseEvent(event)));
        controller.close();
      } catch (error) {
        if (!abort.signal.aborted) {
          const data = JSON.stringify({ type: "error", error: toErrorInfo(error) });
          controller.enqueue(encoder.encode(`event: error\ndata: ${data}\n\n`));
          controller.close();
        }
      } finally {
        clearInterval(heartbeat);
      }
    },
    cancel() {
      clearInterval(heartbeat);
      abort.abort();
      options.onCancel?.();
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
