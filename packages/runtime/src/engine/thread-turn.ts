import { setTimeout as sleep } from "node:timers/promises";
import type { RunRecord, Store } from "../store.js";

const POLL_MS = 200;

/**
 * Waits until no older run of the same thread is queued or running anywhere. Within one node the
 * queue already runs a thread's runs one at a time; on a store shared by several nodes, another
 * node may hold older runs of the thread, and this keeps the thread's runs serial and in order
 * (ids order runs by acceptance). Polls the store: the wait lasts as long as the older runs do.
 * Rejects with the signal's reason when the run is cancelled meanwhile.
 */
async function awaitThreadTurn(store: Store, run: RunRecord, signal: AbortSignal): Promise<void> {
  const threadId = run.threadId;
  if (threadId === null) return;
  for (;;) {
    signal.throwIfAborted();
    const older = await Promise.all(
      (["running", "queued"] as const).map((status) =>
        store.runs.list({ threadId, status, cursor: run.id, limit: 1 }),
      ),
    );
    if (older.every((page) => page.items.length === 0)) return;
    await sleep(POLL_MS, undefined, { signal }).catch(() => signal.throwIfAborted());
  }
}

/**
 * On a store shared by several nodes, whether a run this node is about to start should start: after
 * its thread's turn has come, it must still be queued (another node may have ended it meanwhile,
 * e.g. a cancel whose hand-off found no node holding the run).
 */
export async function readyToStart(store: Store, run: RunRecord, signal: AbortSignal): Promise<boolean> {
  await awaitThreadTurn(store, run, signal);
  return (await store.runs.get(run.id))?.status === "queued";
}
