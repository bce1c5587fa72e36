import { setTimeout as sleep } from "node:timers/promises";
import type { ClusterLimits, RunLeases, RunRecord, Store } from "../store.js";

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
 * On a store shared by several nodes: waits for the run's thread turn, then for room in the
 * cluster's limits, and starts it (`running`). False when it should not run here after all:
 * another node ended it meanwhile (e.g. a cancel whose hand-off found no node holding the run) or
 * took it over. Polls while the cluster is full, like the thread turn.
 */
export async function startWhenReady(
  store: Store,
  leases: RunLeases,
  run: RunRecord,
  limits: ClusterLimits | null,
  signal: AbortSignal,
): Promise<boolean> {
  await awaitThreadTurn(store, run, signal);
  for (;;) {
    const started = await leases.start(run.id, limits);
    if (started !== "full") return started === "started";
    await sleep(POLL_MS, undefined, { signal }).catch(() => signal.throwIfAborted());
  }
}
