import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "@agentrt/core";
import type { AgentRecord, RetentionStoreStats, Store } from "../store.js";
import { COMPACTED_EVENT_TYPES, effectivePolicy, type RetentionPolicy } from "./policy.js";

export interface RetentionOptions {
  /** The server's rules; agents override them with `retention`. */
  policy: RetentionPolicy;
  /** Time between the end of one pass and the start of the next. */
  intervalMs: number;
  /** Rows one write touches at most: each batch is one short transaction. */
  batchSize: number;
  /** Pause between two batches, so request writes always get the store in between. */
  pauseMs: number;
  /** How long a removed run's id keeps answering RUN_EXPIRED/RUN_DELETED instead of RUN_NOT_FOUND. */
  tombstoneTtlMs: number;
  /** Free space given back per pass (SQLite: incremental vacuum), in bytes. */
  reclaimBytesPerPass: number;
}

/** What retention has done since start-up, and the store as of the last pass. */
export interface RetentionStats extends RetentionStoreStats {
  runsPruned: number;
  runsCompacted: number;
  threadsExpired: number;
  bytesReclaimed: number;
  passes: number;
  lastPassAt: string | null;
  lastPassMs: number | null;
}

export interface RetentionPruner {
  /** Starts passes every `intervalMs` (the first one right away). */
  start(): void;
  /** Stops after the batch in progress. */
  stop(): Promise<void>;
  /** One complete pass now (tests, benches); returns the stats after it. */
  runOnce(now?: Date): Promise<RetentionStats>;
  /** Synchronous, for /metrics: counters since start-up and the store as of the last pass. */
  stats(): RetentionStats;
}

const AGENT_PAGE = 100;
const RECLAIM_CHUNK = 1024 * 1024;

/**
 * Applies the retention policy in the background: per agent (its override on top of the server
 * policy), finished runs past their age or count, schedule histories, token deltas and idle
 * threads are removed in batches of `batchSize` rows, each one short write with a pause after it.
 */
export function createRetentionPruner(
  store: Store,
  options: RetentionOptions,
  logger: Logger,
): RetentionPruner {
  const { retention } = store;
  const stats: RetentionStats = {
    sizeBytes: null,
    freeBytes: null,
    oldestRunAt: null,
    runsPruned: 0,
    runsCompacted: 0,
    threadsExpired: 0,
    bytesReclaimed: 0,
    passes: 0,
    lastPassAt: null,
    lastPassMs: null,
  };
  let stopping = new AbortController();
  let loop: Promise<void> | undefined;
  let pass: Promise<RetentionStats> | undefined;

  /** Repeats one batch until it comes back short; returns the rows handled. */
  async function drain(batch: () => Promise<number>): Promise<number> {
    let total = 0;
    for (;;) {
      if (stopping.signal.aborted) return total;
      const done = await batch();
      total += done;
      if (done < options.batchSize) return total;
      await sleep(options.pauseMs, undefined, { signal: stopping.signal }).catch(() => {});
    }
  }

  const before = (now: number, ms: number) => new Date(now - ms).toISOString();

  async function pruneAgent(agent: AgentRecord, now: number): Promise<void> {
    const policy = effectivePolicy(options.policy, agent.retention);
    const limit = options.batchSize;
    if (policy.runMaxAgeMs !== null || policy.runMaxCount !== null) {
      const rule = {
        agentId: agent.id,
        finishedBefore: policy.runMaxAgeMs === null ? undefined : before(now, policy.runMaxAgeMs),
        keepLatest: policy.runMaxCount ?? undefined,
      };
      stats.runsPruned += await drain(() => retention.pruneRuns(rule, "expired", limit));
    }
    if (policy.scheduleRunMaxCount !== null) {
      let cursor: string | undefined;
      do {
        const page = await store.schedules.list({ agentId: agent.id, limit: AGENT_PAGE, cursor });
        for (const schedule of page.items) {
          const rule = { agentId: agent.id, scheduleId: schedule.id, keepLatest: policy.scheduleRunMaxCount };
          stats.runsPruned += await drain(() => retention.pruneRuns(rule, "expired", limit));
        }
        cursor = page.nextCursor ?? undefined;
      } while (cursor && !stopping.signal.aborted);
    }
    if (policy.compactEventsAfterMs !== null) {
      const rule = {
        agentId: agent.id,
        finishedBefore: before(now, policy.compactEventsAfterMs),
        types: COMPACTED_EVENT_TYPES,
      };
      stats.runsCompacted += await drain(() => retention.compactEvents(rule, limit));
    }
    if (policy.threadIdleMs !== null) {
      const rule = { agentId: agent.id, inactiveBefore: before(now, policy.threadIdleMs) };
      stats.threadsExpired += await drain(() => retention.expireThreads(rule, limit));
    }
  }

  async function runPass(at: Date): Promise<RetentionStats> {
    const started = performance.now();
    const now = at.getTime();
    let cursor: string | undefined;
    do {
      const page = await store.agents.list({ limit: AGENT_PAGE, cursor });
      for (const agent of page.items) {
        if (stopping.signal.aborted) break;
        await pruneAgent(agent, now);
      }
      cursor = page.nextCursor ?? undefined;
    } while (cursor && !stopping.signal.aborted);
    if (options.policy.threadIdleMs !== null) {
      const rule = { agentId: null, inactiveBefore: before(now, options.policy.threadIdleMs) };
      stats.threadsExpired += await drain(() => retention.expireThreads(rule, options.batchSize));
    }
    await drain(() => retention.pruneTombstones(before(now, options.tombstoneTtlMs), options.batchSize));
    // Given back a chunk at a time: moving pages holds the write lock for as long as it takes.
    let reclaimed = 0;
    while (reclaimed < options.reclaimBytesPerPass && !stopping.signal.aborted) {
      const given = await retention.reclaimSpace(RECLAIM_CHUNK);
      reclaimed += given;
      if (given < RECLAIM_CHUNK) break;
      await sleep(options.pauseMs, undefined, { signal: stopping.signal }).catch(() => {});
    }
    stats.bytesReclaimed += reclaimed;
    Object.assign(stats, await retention.stats());
    stats.passes++;
    stats.lastPassAt = at.toISOString();
    stats.lastPassMs = Math.round(performance.now() - started);
    return { ...stats };
  }

  function runOnce(now = new Date()): Promise<RetentionStats> {
    // One pass at a time: a pass asked for while one runs waits for it, then runs its own.
    const next = (pass ?? Promise.resolve()).catch(() => {}).then(() => runPass(now));
    pass = next;
    return next;
  }

  return {
    start() {
      if (loop) return;
      stopping = new AbortController();
      const signal = stopping.signal;
      loop = (async () => {
        while (!signal.aborted) {
          try {
            await runOnce();
          } catch (error) {
            // A failed pass (store busy, disk full) is retried at the next interval.
            logger.warn("retention pass failed", { error: String(error) });
          }
          await sleep(options.intervalMs, undefined, { signal }).catch(() => {});
        }
      })();
    },
    async stop() {
      stopping.abort();
      await loop;
      await pass?.catch(() => {});
      loop = undefined;
    },
    runOnce,
    stats: () => ({ ...stats }),
  };
}
