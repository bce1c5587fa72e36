import { AgentrtError, ErrorCode } from "@agentrt/core";
import { type StoredRunEvent, TERMINAL_RUN_STATUSES } from "../run-events.js";
import type { Store } from "../store.js";
import type { EventHub } from "./event-hub.js";

const REPLAY_PAGE = 500;

/**
 * Stored events after `afterSeq`, then live ones, ending after `run.finished`. The hub subscription
 * is taken before the store is read, and events are deduplicated by `seq`, so nothing written
 * between the replay and the live phase is lost or repeated. Ends quietly when `signal` fires.
 */
export async function* followRun(
  store: Store,
  hub: EventHub,
  runId: string,
  afterSeq: number,
  signal?: AbortSignal,
): AsyncGenerator<StoredRunEvent> {
  const live: StoredRunEvent[] = [];
  let closedWith: Error | undefined;
  let wake: (() => void) | undefined;
  const unsubscribe = hub.subscribe(runId, {
    event(event) {
      live.push(event);
      wake?.();
    },
    closed(error) {
      closedWith = error;
      wake?.();
    },
  });
  const onAbort = () => wake?.();
  signal?.addEventListener("abort", onAbort);
  try {
    let last = afterSeq;
    for (;;) {
      const page = await store.runs.events(runId, last, REPLAY_PAGE);
      for (const event of page) {
        if (signal?.aborted) return;
        yield event;
        last = event.seq;
        if (event.type === "run.finished") return;
      }
      if (page.length < REPLAY_PAGE) break;
    }
    // One read after the replay: an unknown run has no events, so nothing was yielded yet. The
    // journal writes `run.finished` with (or before) the terminal row, so for a run that ended
    // meanwhile the store has the rest: on another node's run the relay may bring it only later.
    // A terminal row without `run.finished` was written by someone else: nothing more will come.
    const run = await store.runs.get(runId);
    if (!run) {
      throw new AgentrtError(ErrorCode.RUN_NOT_FOUND, `run ${runId} does not exist`, {
        details: { id: runId },
      });
    }
    if (TERMINAL_RUN_STATUSES.has(run.status) && !live.some((e) => e.type === "run.finished")) {
      for (const event of await store.runs.events(runId, last)) {
        if (signal?.aborted) return;
        yield event;
        if (event.type === "run.finished") return;
      }
      return;
    }
    for (;;) {
      while (live.length > 0) {
        const event = live.shift()!;
        if (event.seq <= last) continue;
        // A live event past a gap (the relay missed some while the bus was cut off): the store has them.
        for (const missed of event.seq > last + 1
          ? await store.runs.events(runId, last, event.seq - last - 1)
          : []) {
          yield missed;
          last = missed.seq;
          if (missed.type === "run.finished") return;
        }
        yield event;
        last = event.seq;
        if (event.type === "run.finished") return;
      }
      if (closedWith) throw closedWith;
      if (signal?.aborted) return;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
      wake = undefined;
    }
  } finally {
    unsubscribe();
    signal?.removeEventListener("abort", onAbort);
  }
}
