import type { Logger } from "@agentrt/core";
import type { Store, StoreBus } from "../store.js";
import type { EventHub } from "./event-hub.js";

/**
 * Brings events of runs executing on other nodes into this node's hub, so followers and waiters
 * here hear them live. The bus says only where a run's new events start; the relay reads them from
 * the store, per run in order, and only for runs someone here listens to. After `run.finished` it
 * settles the run with its stored record. Runs this node executes are published by its own journal.
 */
export function relayRemoteEvents(
  store: Store,
  bus: StoreBus,
  hub: EventHub,
  executingHere: (runId: string) => boolean,
  logger: Logger,
): () => void {
  /** The last seq published per relayed run, so each read continues where the previous ended. */
  const published = new Map<string, number>();
  const chains = new Map<string, Promise<void>>();

  async function pull(runId: string, firstSeq: number): Promise<void> {
    if (!hub.has(runId)) {
      published.delete(runId);
      return;
    }
    const events = await store.runs.events(runId, published.get(runId) ?? firstSeq - 1);
    for (const event of events) {
      hub.publish(event);
      published.set(runId, event.seq);
      if (event.type !== "run.finished") continue;
      published.delete(runId);
      const run = await store.runs.get(runId);
      if (run) hub.settle(run);
      return;
    }
  }

  return bus.onEvents((runId, firstSeq) => {
    if (executingHere(runId) || !hub.has(runId)) return;
    const next = (chains.get(runId) ?? Promise.resolve())
      .then(() => pull(runId, firstSeq))
      .catch((error: unknown) =>
        logger.warn("could not relay a run's events", { runId, error: String(error) }),
      );
    chains.set(runId, next);
    void next.then(() => {
      if (chains.get(runId) === next) chains.delete(runId);
    });
  });
}
