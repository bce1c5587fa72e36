import { createParser } from "eventsource-parser";

/** One event of a run's stream: `id` is its sequence number within the run. */
export interface RunEvent {
  id: number;
  type: string;
  // biome-ignore lint/suspicious/noExplicitAny: payloads differ per event type and template
  data: any;
}

export interface RunEventsOptions {
  baseUrl: string;
  apiKey: string;
  runId: string;
  /** Resume after this event (sent as `Last-Event-ID`); from the start when unset. */
  lastEventId?: number;
  /** How often a dropped connection is resumed before giving up (default 5). */
  maxReconnects?: number;
  signal?: AbortSignal;
  fetch?: typeof globalThis.fetch;
}

/** The server answered the event stream with an error (problem+json). */
export class RunEventsError extends Error {
  readonly status: number;
  readonly code: string | undefined;
  constructor(status: number, code: string | undefined, message: string) {
    super(message);
    this.name = "RunEventsError";
    this.status = status;
    this.code = code;
  }
}

async function refusal(res: Response): Promise<RunEventsError> {
  const body = (await res.json().catch(() => ({}))) as { code?: string; detail?: string; title?: string };
  return new RunEventsError(res.status, body.code, body.detail ?? body.title ?? `HTTP ${res.status}`);
}

/**
 * Follows `GET /v1/runs/{id}/events` until `run.finished`. A connection that ends before that is
 * resumed with `Last-Event-ID` set to the last event seen, so no event is lost or repeated.
 * `fetch` rather than `EventSource`: the API key goes in a header, never in the URL.
 */
export async function* runEvents(options: RunEventsOptions): AsyncGenerator<RunEvent, void, undefined> {
  const doFetch = options.fetch ?? globalThis.fetch;
  const maxReconnects = options.maxReconnects ?? 5;
  let lastId = options.lastEventId;
  let reconnects = 0;
  for (;;) {
    const headers: Record<string, string> = {
      authorization: `Bearer ${options.apiKey}`,
      accept: "text/event-stream",
    };
    if (lastId !== undefined) headers["last-event-id"] = String(lastId);
    let res: Response;
    try {
      res = await doFetch(`${options.baseUrl}/v1/runs/${encodeURIComponent(options.runId)}/events`, {
        headers,
        ...(options.signal ? { signal: options.signal } : {}),
      });
    } catch (error) {
      if (options.signal?.aborted || ++reconnects > maxReconnects) throw error;
      continue;
    }
    if (!res.ok || !res.body) throw await refusal(res);
    const queue: RunEvent[] = [];
    const parser = createParser({
      onEvent: (e) => queue.push({ id: Number(e.id), type: e.event ?? "message", data: JSON.parse(e.data) }),
    });
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        parser.feed(value);
        while (queue.length) {
          const event = queue.shift() as RunEvent;
          lastId = event.id;
          reconnects = 0;
          yield event;
          if (event.type === "run.finished") return;
        }
      }
    } catch (error) {
      if (options.signal?.aborted) throw error;
    } finally {
      await reader.cancel().catch(() => {});
    }
    if (++reconnects > maxReconnects)
      throw new RunEventsError(0, undefined, "The event stream kept closing before the run finished");
  }
}
