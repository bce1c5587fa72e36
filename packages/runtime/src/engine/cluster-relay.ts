import type { Logger } from "@agentrt/core";
import type { Store, StoreBus } from "../store.js";
import type { EventHub } from "./event-hub.js";

export interface ClusterRelay {
  /**
   * Reads what the hub may have missed of a followed run (or of every followed run not executing
   * here): after the bus was cut off, or after this node lost a run to another node.
   */
  catchUp(runId?: string): void;
  stop(): void;
}

/**
 * Brings events of runs executing on other nodes into this node's hub, so followers and waiters
 * here hear them live. The bus says only where a run's new events start; the relay reads them from
 * the store, per run in order, continuing after the last seq the hub published (so a missed
 * notification leaves no gap), and only for runs someone here listens to. After `run.finished` it
 * settles the run with its stored record. Runs this node executes are published by its own journal.
 * When the bus was cut off, every followed run is read again after its last published seq, so a
 * follower still gets every event and the end that happened meanwhile.
 */
export function relayRemoteEvents(
  store: Store,
  bus: StoreBus,
  hub: EventHub,
  executingHere: (runId: string) => boolean,
  logger: Logger,
): ClusterRelay {
  const chains = new Map<string, Promise<void>>();

  async function pull(runId: string, after: number): Promise<void> {
    if (!hub.has(runId)) return;
    const events = await store.runs.events(runId, hub.lastSeq(runId) ?? after);
    for (const event of events) {
      hub.publish(event);
      if (event.type !== "run.finished") continue;
      const run = await store.runs.get(runId);
      if (run) hub.settle(run);
      return;
    }
  }

  function relay(runId: string, after: number): void {
    if (executingHere(runId) || !hub.has(runId)) return;
    const next = (chains.get(runId) ?? Promise.resolve())
      .then(() => pull(runId, after))
      .catch((error: unknown) =>
        logger.warn("could not relay a run's events", { runId, error: String(error) }),
      );
    chains.set(runId, next);
    void next.then(() => {
      if (chains.get(runId) === next) chains.delete(runId);
    });
  }

  // Unknown position: from the start (followers skip what they already have).
  const catchUp = (runId?: string) => {
    for (const id of runId === undefined ? hub.runs() : [runId]) relay(id, 0);
  };
  const unsubscribe = [
    bus.onEvents((runId, firstSeq) => relay(runId, firstSeq - 1)),
    bus.onResumed(() => catchUp()),
  ];
  return {
    catchUp,
    stop: () => {
      for (const stop of unsubscribe) stop();
    },
  };
}
