import { AgentrtError, ErrorCode } from "@agentrt/core";

export interface ConcurrencyLimits {
  /** Runs executing at once across all agents. */
  global: number;
  /** Runs executing at once for one agent. */
  perAgent: number;
  /** Runs waiting for a slot; beyond this `ensureRoom` throws QUEUE_FULL. */
  maxQueued: number;
}

export interface QueuedRun {
  runId: string;
  agentId: string;
}

export interface PushOptions {
  /** Start at once, ignoring the limits (a child run whose parent already holds a slot). */
  immediate?: boolean;
}

/**
 * Bounded concurrency with a FIFO wait list. A waiting run whose agent is at its own limit does not
 * block runs of other agents behind it; among runs that can start, the oldest goes first. Runs that
 * share a serial key (a conversation thread) execute one at a time, in the order they were pushed.
 */
export interface RunQueue<T extends QueuedRun> {
  /**
   * Starts the run when a slot is free, else queues it. Never refuses for room: the caller checks
   * `ensureRoom` before accepting a new run, while runs accepted earlier (start-up) always fit.
   */
  push(job: T, options?: PushOptions): void;
  /** Takes a waiting run out of the queue (cancel); undefined when it is not waiting. */
  remove(runId: string): T | undefined;
  /** Whether the run is waiting in this queue. */
  has(runId: string): boolean;
  /** Throws QUEUE_FULL when a run of this agent could neither start nor wait now. */
  ensureRoom(agentId: string): void;
  stats(): { running: number; queued: number };
  /** Stops starting runs and forgets the waiting ones (they stay `queued` in the store). */
  close(): void;
}

export function createRunQueue<T extends QueuedRun>(
  limits: ConcurrencyLimits,
  start: (job: T) => Promise<void>,
  serialKey: (job: T) => string | undefined = () => undefined,
): RunQueue<T> {
  const waiting: T[] = [];
  const perAgent = new Map<string, number>();
  /** Serial keys with a run executing. */
  const busy = new Set<string>();
  let running = 0;
  let closed = false;

  const hasSlot = (agentId: string) =>
    running < limits.global && (perAgent.get(agentId) ?? 0) < limits.perAgent;

  function canStart(job: T): boolean {
    const key = serialKey(job);
    return hasSlot(job.agentId) && (key === undefined || !busy.has(key));
  }

  function ensureRoom(agentId: string): void {
    if (hasSlot(agentId) || waiting.length < limits.maxQueued) return;
    throw new AgentrtError(
      ErrorCode.QUEUE_FULL,
      `the run queue is full (${limits.maxQueued} runs waiting); try again later`,
      // Slots free up as runs end: worth asking again soon.
      { details: { maxQueued: limits.maxQueued, retryAfterSeconds: 1 } },
    );
  }

  function launch(job: T): void {
    const key = serialKey(job);
    running++;
    perAgent.set(job.agentId, (perAgent.get(job.agentId) ?? 0) + 1);
    if (key !== undefined) busy.add(key);
    const done = () => {
      running--;
      if (key !== undefined) busy.delete(key);
      const left = perAgent.get(job.agentId)! - 1;
      if (left === 0) perAgent.delete(job.agentId);
      else perAgent.set(job.agentId, left);
      pump();
    };
    start(job).then(done, done);
  }

  function pump(): void {
    for (let i = 0; i < waiting.length && running < limits.global && !closed; ) {
      const job = waiting[i]!;
      if (canStart(job)) {
        waiting.splice(i, 1);
        launch(job);
      } else i++;
    }
  }

  return {
    push(job, options = {}) {
      if (closed) throw new AgentrtError(ErrorCode.NOT_READY, "the run engine is shutting down");
      if (options.immediate) {
        launch(job);
        return;
      }
      waiting.push(job);
      pump();
    },
    remove(runId) {
      const i = waiting.findIndex((job) => job.runId === runId);
      return i === -1 ? undefined : waiting.splice(i, 1)[0];
    },
    has: (runId) => waiting.some((job) => job.runId === runId),
    ensureRoom,
    stats: () => ({ running, queued: waiting.length }),
    close() {
      closed = true;
      waiting.length = 0;
    },
  };
}
