import { toErrorInfo } from "@agentrt/core";
import type { StoredRunEvent } from "@agentrt/runtime";

const encoder = new TextEncoder();
const CONNECTED = encoder.encode(": connected\n\n");
const KEEP_ALIVE = encoder.encode(": keep-alive\n\n");
/**
 * Bytes a stream holds for a client that is not taking them (its socket is full) before the server
 * stops reading events for it; it then waits, and the run's live events wait in the follower's
 * bounded backlog (or in the store).
 */
export const SSE_BUFFER_BYTES = 64 * 1024;

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
 * A batch's frames, serialized once however many followers get it: followers of one run receive
 * the same event objects, so a batch is known by its first and last event.
 */
const frames = new WeakMap<StoredRunEvent, { last: StoredRunEvent; bytes: Uint8Array }>();

function framesOf(batch: StoredRunEvent[]): Uint8Array {
  const first = batch[0]!;
  const last = batch.at(-1)!;
  const cached = frames.get(first);
  if (cached?.last === last) return cached.bytes;
  let text = "";
  for (const event of batch) text += formatSseEvent(event);
  const bytes = encoder.encode(text);
  frames.set(first, { last, bytes });
  return bytes;
}

/** One timer per interval beats every open stream, instead of a timer per stream. */
const heartbeats = new Map<number, { timer: NodeJS.Timeout; beats: Set<() => void> }>();

function onHeartbeat(intervalMs: number, beat: () => void): () => void {
  let entry = heartbeats.get(intervalMs);
  if (!entry) {
    const beats = new Set<() => void>();
    const timer = setInterval(() => {
      for (const each of beats) each();
    }, intervalMs);
    // Open streams keep their sockets, and so the process, alive; the timer alone need not.
    timer.unref();
    entry = { timer, beats };
    heartbeats.set(intervalMs, entry);
  }
  const { beats, timer } = entry;
  beats.add(beat);
  return () => {
    beats.delete(beat);
    if (beats.size === 0 && heartbeats.get(intervalMs)?.timer === timer) {
      clearInterval(timer);
      heartbeats.delete(intervalMs);
    }
  };
}

/**
 * Streams run events as Server-Sent Events. `follow` gets a signal that fires when the client goes
 * away, so nothing keeps following a closed connection, and `onCancel` is called then. A comment
 * line keeps an idle stream alive through proxies. The stream ends after the iterable does (the
 * run's terminal event), or with an `error` event (no `id`: it is not one of the run's) when
 * following fails, e.g. the server shuts down: the client resumes from its `Last-Event-ID`
 * elsewhere or later.
 *
 * A slow client holds at most SSE_BUFFER_BYTES (plus one batch) here; a client whose buffer stays
 * full for `stallMs` is disconnected (without `onCancel`: the server closed it, the client did not
 * go away) and resumes with `Last-Event-ID`.
 */
export function createSseResponse(
  follow: (signal: AbortSignal) => AsyncIterable<StoredRunEvent[]>,
  options: {
    heartbeatMs: number;
    /** How long a client may take nothing while its buffer is full (checked at each heartbeat). */
    stallMs: number;
    headers?: Record<string, string>;
    onCancel?: () => void;
    /**
     * Closes the connection of a client that stalled. The response body cannot: a body that errors
     * is reported as a server error, and one that closes still waits for the client to take it.
     */
    disconnect: () => void;
  },
): Response {
  const abort = new AbortController();
  let ended = false;
  /** Resolves when the client took enough for the buffer to have room again. */
  let room: (() => void) | undefined;
  /** Since when the buffer has been full without the client taking anything (performance.now()). */
  let stalledSince: number | undefined;
  let leaveHeartbeat = () => {};
  const end = () => {
    ended = true;
    leaveHeartbeat();
    abort.abort();
    room?.();
  };
  const body = new ReadableStream<Uint8Array>(
    {
      start(controller) {
        controller.enqueue(CONNECTED);
        leaveHeartbeat = onHeartbeat(options.heartbeatMs, () => {
          if ((controller.desiredSize ?? 0) > 0) controller.enqueue(KEEP_ALIVE);
          else if (stalledSince === undefined) stalledSince = performance.now();
          else if (performance.now() - stalledSince >= options.stallMs) {
            end();
            options.disconnect();
          }
        });
        void pump(controller);
      },
      pull() {
        stalledSince = undefined;
        room?.();
      },
      cancel() {
        if (ended) return;
        end();
        options.onCancel?.();
      },
    },
    { highWaterMark: SSE_BUFFER_BYTES, size: (chunk) => chunk.byteLength },
  );

  async function pump(controller: ReadableStreamDefaultController<Uint8Array>): Promise<void> {
    try {
      for await (const batch of follow(abort.signal)) {
        if (ended) return;
        controller.enqueue(framesOf(batch));
        if ((controller.desiredSize ?? 0) > 0) continue;
        await new Promise<void>((resolve) => {
          room = resolve;
        });
        room = undefined;
        if (ended) return;
      }
      if (ended) return;
      end();
      controller.close();
    } catch (error) {
      if (ended) return;
      end();
      const data = JSON.stringify({ type: "error", error: toErrorInfo(error) });
      controller.enqueue(encoder.encode(`event: error\ndata: ${data}\n\n`));
      controller.close();
    }
  }

  return new Response(body, {
    status: 200,
    headers: {
      ...SSE_HEADERS,
      ...options.headers,
    },
  });
}
