import type { RunEventPayload, StoredRunEvent } from "../run-events.js";

/**
 * The events of a run kept nowhere but here, for the one caller that follows it: numbered from 1
 * like a stored run's, so the caller reads them the same way, ending after `run.finished`.
 */
export interface RunChannel {
  push(payload: RunEventPayload): void;
  /** Ends the events with `error` (the engine shut down before the run started). */
  fail(error: Error): void;
  /**
   * The events, for one consumer; ends quietly when `signal` fires. Leaving early drops whatever
   * comes later.
   */
  follow(signal?: AbortSignal): AsyncGenerator<StoredRunEvent>;
}

export function createRunChannel(runId: string): RunChannel {
  const buffer: StoredRunEvent[] = [];
  let seq = 0;
  let failure: Error | undefined;
  let detached = false;
  let wake: (() => void) | undefined;

  async function* follow(signal?: AbortSignal): AsyncGenerator<StoredRunEvent> {
    const onAbort = () => wake?.();
    signal?.addEventListener("abort", onAbort);
    try {
      for (;;) {
        if (signal?.aborted) return;
        const event = buffer.shift();
        if (event) {
          yield event;
          if (event.type === "run.finished") return;
          continue;
        }
        if (failure) throw failure;
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = undefined;
      }
    } finally {
      signal?.removeEventListener("abort", onAbort);
      detached = true;
      buffer.length = 0;
    }
  }

  return {
    push(payload) {
      if (detached) return;
      // The timestamp is only read by callers that show it; the engine's clock is good enough.
      buffer.push({
        runId,
        seq: ++seq,
        type: payload.type,
        data: payload,
        createdAt: new Date().toISOString(),
      });
      wake?.();
    },
    fail(error) {
      failure ??= error;
      wake?.();
    },
    follow,
  };
}
