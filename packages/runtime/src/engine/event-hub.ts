import type { StoredRunEvent } from "../run-events.js";
import type { RunRecord } from "../store.js";

/** What a subscriber hears about one run. Every callback is optional. */
export interface RunListener {
  /** A stored event, delivered after the store accepted it, in `seq` order. */
  event?(event: StoredRunEvent): void;
  /** The terminal record, after the store wrote it. */
  settled?(run: RunRecord): void;
  /** The hub shut down; no more calls follow. */
  closed?(error: Error): void;
}

/**
 * In-process fan-out of run events, so waiters and followers are woken by a push instead of
 * polling the store. Listeners are called synchronously; they only queue work.
 */
export interface EventHub {
  subscribe(runId: string, listener: RunListener): () => void;
  /** Whether anyone here listens to the run (cluster relays only fetch what someone waits for). */
  has(runId: string): boolean;
  /** The highest seq published for the run since someone here listens to it, if any. */
  lastSeq(runId: string): number | undefined;
  /** Runs someone here listens to. */
  runs(): string[];
  publish(event: StoredRunEvent): void;
  settle(run: RunRecord): void;
  /** Ends every subscription with `error` (engine shutdown); later subscribers hear it too. */
  close(error: Error): void;
}

export function createEventHub(): EventHub {
  const listeners = new Map<string, Set<RunListener>>();
  const last = new Map<string, number>();
  let closedWith: Error | undefined;
  const each = (runId: string, call: (listener: RunListener) => void) => {
    const set = listeners.get(runId);
    if (set) for (const listener of [...set]) call(listener);
  };
  return {
    subscribe(runId, listener) {
      if (closedWith) {
        // Told on the next microtask, so the caller already holds its unsubscribe function.
        const error = closedWith;
        queueMicrotask(() => listener.closed?.(error));
        return () => {};
      }
      let set = listeners.get(runId);
      if (!set) {
        set = new Set();
        listeners.set(runId, set);
      }
      set.add(listener);
      return () => {
        set.delete(listener);
        if (set.size === 0 && listeners.get(runId) === set) {
          listeners.delete(runId);
          last.delete(runId);
        }
      };
    },
    has: (runId) => listeners.has(runId),
    lastSeq: (runId) => last.get(runId),
    runs: () => [...listeners.keys()],
    publish(event) {
      if (!listeners.has(event.runId)) return;
      last.set(event.runId, Math.max(event.seq, last.get(event.runId) ?? 0));
      each(event.runId, (l) => l.event?.(event));
    },
    settle: (run) => each(run.id, (l) => l.settled?.(run)),
    close(error) {
      closedWith = error;
      const all = [...listeners.values()].flatMap((set) => [...set]);
      listeners.clear();
      last.clear();
      for (const listener of all) listener.closed?.(error);
    },
  };
}
