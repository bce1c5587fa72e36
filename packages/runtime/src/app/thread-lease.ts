import { AgentrtError, ErrorCode } from "@agentrt/core";
import { createId } from "../ids.js";
import type { Store } from "../store.js";

/** Longer than any admission takes (a cancelled run ends within the engine's abort grace). */
const LEASE_TTL_MS = 30_000;
const MAX_BACKOFF_MS = 50;

/**
 * Runs `work` while holding the thread's admission lease in the store, so a busy check and the
 * submission after it never race with another request for the same thread, in this process or any
 * other on the same store. Callers in this process queue up in memory first, so only callers from
 * different processes ever wait on the store.
 */
export function createThreadLease(store: Store) {
  const local = new Map<string, Promise<unknown>>();

  async function underLease<T>(threadId: string, work: () => Promise<T>): Promise<T> {
    const holder = createId("lease");
    const deadline = Date.now() + LEASE_TTL_MS;
    for (let backoff = 1; !(await store.threads.acquireLease(threadId, holder, LEASE_TTL_MS)); ) {
      if (!(await store.threads.get(threadId)))
        throw new AgentrtError(ErrorCode.THREAD_NOT_FOUND, `no thread with id "${threadId}"`, {
          details: { id: threadId },
        });
      if (Date.now() > deadline)
        throw new AgentrtError(
          ErrorCode.THREAD_BUSY,
          `thread ${threadId} is being changed by another request`,
        );
      await new Promise((resolve) => setTimeout(resolve, backoff));
      backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
    }
    try {
      return await work();
    } finally {
      await store.threads.releaseLease(threadId, holder);
    }
  }

  return function withThreadLease<T>(threadId: string, work: () => Promise<T>): Promise<T> {
    const run = () => underLease(threadId, work);
    const next = (local.get(threadId) ?? Promise.resolve()).then(run, run);
    local.set(threadId, next);
    const forget = () => {
      if (local.get(threadId) === next) local.delete(threadId);
    };
    next.then(forget, forget);
    return next;
  };
}
