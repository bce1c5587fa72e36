import type { RunRecord, Store } from "../store.js";

export interface RecoveryDeps {
  store: Store;
  /** Runs this engine already holds (submitted before `start()`); recovery leaves them alone. */
  owned(runId: string): boolean;
  /** Ends or re-queues a run whose process died while it was running. */
  interrupt(run: RunRecord): Promise<void>;
  /** Puts a stored `queued` run back in the in-memory queue. */
  enqueue(run: RunRecord): void;
}

/** Far more than one process ever holds; start-up reads them in one go, oldest first. */
const RECOVERY_LIMIT = 100_000;

/**
 * Start-up pass over runs a previous process left behind: `running` ones are interrupted (failed
 * with RUN_INTERRUPTED, or re-queued for idempotent templates) and `queued` ones are queued again,
 * oldest first, so nothing is left hanging.
 */
export async function recoverRuns(deps: RecoveryDeps): Promise<{ interrupted: number; requeued: number }> {
  const stale = await deps.store.runs.listByStatus(["running"], RECOVERY_LIMIT);
  let interrupted = 0;
  for (const run of stale) {
    if (deps.owned(run.id)) continue;
    await deps.interrupt(run);
    interrupted++;
  }
  const waiting = await deps.store.runs.listByStatus(["queued"], RECOVERY_LIMIT);
  let requeued = 0;
  for (const run of waiting) {
    if (deps.owned(run.id)) continue;
    deps.enqueue(run);
    requeued++;
  }
  return { interrupted, requeued };
}
