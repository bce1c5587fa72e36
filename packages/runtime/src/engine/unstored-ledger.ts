import type { Logger } from "@agentrt/core";
import type { RunStore, UnstoredRunRecord } from "../store.js";

/**
 * Unstored runs' usage records on their way to the store: written in batches (a completion must
 * not pay a write of its own), and counted here for the token quota until they are written.
 */
export interface UnstoredLedger {
  /** An ended unstored run; written with the next batch. */
  add(record: UnstoredRunRecord): void;
  /** Tokens of the agent's records not written yet that finished at or after `since` (ISO). */
  pendingTokens(agentId: string, since: string): number;
  /** Writes what is pending now; settles when it is written (or failed and kept for later). */
  flush(): Promise<void>;
  /** Writes what is pending and stops; records that come later are not kept. */
  close(): Promise<void>;
}

export interface UnstoredLedgerOptions {
  /** How long a record waits for its batch at most (default 1000 ms). */
  intervalMs?: number;
  /** A batch this large is written at once (default 500). */
  batchSize?: number;
  /** Records kept while the store refuses them; the oldest go beyond (default 100 000). */
  maxPending?: number;
}

export function createUnstoredLedger(
  runs: Pick<RunStore, "recordUnstored">,
  logger: Logger,
  options: UnstoredLedgerOptions = {},
): UnstoredLedger {
  const intervalMs = options.intervalMs ?? 1000;
  const batchSize = options.batchSize ?? 500;
  const maxPending = options.maxPending ?? 100_000;
  let pending: UnstoredRunRecord[] = [];
  /** The batch being written: still counted, until the store has it. */
  let writing: readonly UnstoredRunRecord[] = [];
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  /** Batches are written one after the other. */
  let tail = Promise.resolve();

  async function write(): Promise<void> {
    if (pending.length === 0) return;
    const batch = pending;
    pending = [];
    writing = batch;
    try {
      await runs.recordUnstored(batch);
    } catch (error) {
      // Kept for the next batch: the quota still counts them, and a store that comes back gets them.
      pending = [...batch, ...pending];
      const dropped = pending.length - maxPending;
      if (dropped > 0) pending = pending.slice(dropped);
      logger.warn("could not record unstored runs' usage; kept for the next batch", {
        records: batch.length,
        ...(dropped > 0 ? { dropped } : {}),
        error: String(error),
      });
      schedule();
    } finally {
      writing = [];
    }
  }

  function flush(): Promise<void> {
    if (timer) clearTimeout(timer);
    timer = undefined;
    tail = tail.then(write);
    return tail;
  }

  function schedule(): void {
    if (timer || closed) return;
    timer = setTimeout(() => void flush(), intervalMs);
    // A pending batch never keeps the process alive; close() writes it.
    timer.unref();
  }

  const tokensOf = (list: readonly UnstoredRunRecord[], agentId: string, since: string) => {
    let tokens = 0;
    for (const r of list) if (r.agentId === agentId && r.finishedAt >= since) tokens += r.tokens;
    return tokens;
  };

  return {
    add(record) {
      if (closed) return;
      pending.push(record);
      if (pending.length >= batchSize) void flush();
      else schedule();
    },
    pendingTokens: (agentId, since) => tokensOf(pending, agentId, since) + tokensOf(writing, agentId, since),
    flush,
    async close() {
      closed = true;
      await flush();
    },
  };
}
