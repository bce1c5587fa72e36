import { AgentrtError, ErrorCode } from "@agentrt/core";
import { type StoredRunEvent, TERMINAL_RUN_STATUSES } from "../run-events.js";
import type { Store } from "../store.js";
import type { EventHub } from "./event-hub.js";

const REPLAY_PAGE = 500;
/**
 * Live events one follower keeps for a consumer that has not taken them yet. Past this the backlog
 * is dropped and the follower reads from the store again once the consumer catches up: a slow
 * consumer costs store reads, never unbounded memory.
 */
export const LIVE_BACKLOG = 1000;

/** `events` up to and including `run.finished`, and whether that is the last one. */
function upToFinish(events: StoredRunEvent[]): { batch: StoredRunEvent[]; finished: boolean } {
  const at = events.findIndex((e) => e.type === "run.finished");
  return at === -1 ? { batch: events, finished: false } : { batch: events.slice(0, at + 1), finished: true };
}

/**
 * Stored events after `afterSeq`, then live ones, ending after `run.finished`, in batches: a page
 * of the store, or the live events published since the consumer last asked (the events one store
 * write published arrive together, and every follower of the run gets the same event objects). The
 * hub subscription is taken before the store is read, and events are deduplicated by `seq`, so
 * nothing written between the replay and the live phase is lost or repeated. Ends quietly when
 * `signal` fires.
 */
export async function* followRunBatches(
  store: Store,
  hub: EventHub,
  runId: string,
  afterSeq: number,
  signal?: AbortSignal,
): AsyncGenerator<StoredRunEvent[]> {
  let live: StoredRunEvent[] = [];
  /** The live backlog overflowed: what it dropped is read from the store. */
  let behind = false;
  let closedWith: Error | undefined;
  let wake: (() => void) | undefined;
  const unsubscribe = hub.subscribe(runId, {
    event(event) {
      if (live.length < LIVE_BACKLOG) live.push(event);
      else {
        live = [];
        behind = true;
      }
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
    let checked = false;
    for (;;) {
      behind = false;
      for (;;) {
        const page = await store.runs.events(runId, last, REPLAY_PAGE);
        if (signal?.aborted) return;
        const { batch, finished } = upToFinish(page);
        if (batch.length > 0) {
          yield batch;
          last = batch.at(-1)!.seq;
        }
        if (finished) return;
        if (page.length < REPLAY_PAGE) break;
      }
      if (!checked) {
        // One read after the first replay: an unknown run has no events, so nothing was yielded
        // yet. The journal writes `run.finished` with (or before) the terminal row, so for a run
        // that ended meanwhile the store has the rest (on another node's run the relay may bring
        // it only later). A terminal row without `run.finished` was written by someone else:
        // nothing more will come.
        const run = await store.runs.get(runId);
        if (!run) {
          throw new AgentrtError(ErrorCode.RUN_NOT_FOUND, `run ${runId} does not exist`, {
            details: { id: runId },
          });
        }
        if (TERMINAL_RUN_STATUSES.has(run.status) && !live.some((e) => e.type === "run.finished")) {
          const { batch } = upToFinish(await store.runs.events(runId, last));
          if (batch.length > 0 && !signal?.aborted) yield batch;
          return;
        }
        checked = true;
      }
      while (!behind) {
        const fresh = live[0] && live[0].seq > last ? live : live.filter((e) => e.seq > last);
        live = [];
        if (fresh.length > 0 && fresh[0]!.seq > last + 1) {
          // Live events past a gap (the relay missed some while the bus was cut off): the store
          // has them all, so the replay above reads on from `last`.
          behind = true;
          break;
        }
        if (fresh.length > 0) {
          const { batch, finished } = upToFinish(fresh);
          yield batch;
          last = batch.at(-1)!.seq;
          if (finished) return;
          continue;
        }
        if (closedWith) throw closedWith;
        if (signal?.aborted) return;
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = undefined;
      }
    }
  } finally {
    unsubscribe();
    signal?.removeEventListener("abort", onAbort);
  }
}

/** `followRunBatches` one event at a time. */
export async function* followRun(
  store: Store,
  hub: EventHub,
  runId: string,
  afterSeq: number,
  signal?: AbortSignal,
): AsyncGenerator<StoredRunEvent> {
  for await (const batch of followRunBatches(store, hub, runId, afterSeq, signal)) {
    for (const event of batch) {
      if (signal?.aborted) return;
      yield event;
    }
  }
}
