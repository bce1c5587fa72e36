import { setTimeout as sleep } from "node:timers/promises";
import type { ClusterLimits, RunFence, RunLeases, RunRecord } from "../store.js";

const POLL_MS = 200;

/**
 * On a store shared by several nodes: starts the run (`running`) once its turn has come — no older
 * run of its thread queued or running on any node (ids order runs by acceptance), so a thread's
 * runs stay serial and in order whichever nodes hold them — and the cluster's limits have room.
 * Within one node the queue already orders a thread's runs; this covers runs other nodes hold.
 * Returns the fence of this execution; undefined when it should not run here after all: another
 * node ended it meanwhile (e.g. a cancel whose hand-off found no node holding the run) or took it over. Polls the store while it waits:
 * the wait lasts as long as the older runs do. Rejects with the signal's reason when cancelled.
 */
export async function startWhenReady(
  leases: RunLeases,
  run: RunRecord,
  limits: ClusterLimits | null,
  signal: AbortSignal,
): Promise<RunFence | undefined> {
  for (;;) {
    signal.throwIfAborted();
    const started = await leases.start(run.id, limits);
    if (started === "gone") return undefined;
    if (started !== "wait") return started;
    await sleep(POLL_MS, undefined, { signal }).catch(() => signal.throwIfAborted());
  }
}
