import type { ChildProcess } from "node:child_process";
import type { ChildKind } from "./child-process.js";
import type { ChildError } from "./protocol.js";
import {
  createSandboxWorker,
  type Done,
  type KillReason,
  type RequestHandlers,
  type SandboxWorker,
} from "./worker.js";

type RequestBody = Parameters<SandboxWorker["request"]>[0];

export interface GroupOptions {
  kind: ChildKind;
  size: number;
  /** Requests one worker runs at once (isolates run on their own threads; Pyodide is single-threaded). */
  concurrency: number;
  spawn(): ChildProcess;
  heartbeatMs: number;
  startupMs: number;
  maxRuns: number;
  maxRssMb: number;
  onEvent(message: string): void;
  onCrash(): void;
  onKill?(reason: KillReason): void;
  /** A worker became ready (for callers that take workers out with `take`). */
  onAvailable?(): void;
  /** Workers keep failing to start: callers that queue work outside the group should fail it. */
  onGiveUp?(error: ChildError): void;
}

export interface Job {
  body: RequestBody;
  handlers: RequestHandlers;
  /** Parent-side deadline once dispatched: a child that overruns it is considered hung and killed. */
  deadlineMs: number;
  resolve(done: Done): void;
  /** Set once dispatched, so that a cancel can reach the child. */
  cancel?: () => void;
}

export interface WorkerGroup {
  submit(job: Job): void;
  /** Removes a job that has not been dispatched yet; false when it already runs. */
  withdraw(job: Job): boolean;
  /**
   * Hands an idle, ready worker out of the group for exclusive use and starts its replacement at
   * once. The group still supervises it (heartbeats, crash events, `close`) but never replaces it.
   */
  take(): SandboxWorker | undefined;
  /** Workers in the group's rotation (taken workers are not counted). */
  readonly live: number;
  close(): Promise<void>;
}

const MAX_START_FAILURES = 3;

/** A fixed-size set of sandbox children of one kind with a FIFO queue, replacement and recycling. */
export function createWorkerGroup(options: GroupOptions): WorkerGroup {
  const workers = new Set<SandboxWorker>();
  const exits = new Map<SandboxWorker, Promise<void>>();
  const queue: Job[] = [];
  let startFailures = 0;
  let closed = false;

  const fail = (job: Job, error: ChildError) => job.resolve({ type: "done", id: 0, error });

  const spawnOne = () => {
    let exited!: () => void;
    let wasReady = false;
    const worker = createSandboxWorker({
      spawn: options.spawn,
      heartbeatMs: options.heartbeatMs,
      startupMs: options.startupMs,
      ...(options.onKill ? { onKill: options.onKill } : {}),
      onReady: () => {
        wasReady = true;
        startFailures = 0;
        dispatch();
        options.onAvailable?.();
      },
      onExit: (w, crashed, reason) => {
        exits.delete(w);
        exited();
        const replace = workers.delete(w) && !closed;
        if (crashed && !closed) {
          options.onCrash();
          options.onEvent(`${options.kind} sandbox process ${w.pid} ended: ${reason}`);
        }
        if (!replace) return;
        if (!wasReady) startFailures += 1;
        if (startFailures >= MAX_START_FAILURES) {
          const error = {
            code: "SANDBOX_CRASHED",
            message: "sandbox processes fail to start",
            details: { reason },
          };
          for (const job of queue.splice(0)) fail(job, error);
          options.onGiveUp?.(error);
        }
        const delay = Math.min(startFailures * 500, 5_000);
        if (delay === 0) spawnOne();
        else setTimeout(() => !closed && spawnOne(), delay).unref();
      },
    });
    exits.set(worker, new Promise<void>((resolve) => (exited = resolve)));
    workers.add(worker);
  };

  /** Least busy, then least recently used: an idle JS child refills its warm isolates between runs. */
  const lastUsed = new WeakMap<SandboxWorker, number>();
  let uses = 0;
  const pick = (): SandboxWorker | undefined => {
    let best: SandboxWorker | undefined;
    for (const worker of workers) {
      if (worker.state !== "ready" || worker.active >= options.concurrency) continue;
      if (!best || worker.active < best.active) best = worker;
      else if (worker.active === best.active && (lastUsed.get(worker) ?? 0) < (lastUsed.get(best) ?? 0))
        best = worker;
    }
    if (best) lastUsed.set(best, ++uses);
    return best;
  };

  const dispatch = () => {
    while (queue.length > 0) {
      const worker = pick();
      if (!worker) return;
      start(worker, queue.shift()!);
    }
  };

  const start = (worker: SandboxWorker, job: Job) => {
    runJob(worker, job).then(() => {
      if (worker.state === "ready" && isWorn(worker, options)) {
        // Recycle: a fresh process takes its place now; the old one exits once idle.
        workers.delete(worker);
        worker.drain();
        if (!closed) spawnOne();
      }
      dispatch();
    });
  };

  for (let i = 0; i < options.size; i++) spawnOne();

  return {
    submit(job) {
      if (closed) return fail(job, { code: "SANDBOX_CRASHED", message: "the sandbox pool is closed" });
      queue.push(job);
      dispatch();
    },
    withdraw(job) {
      const index = queue.indexOf(job);
      if (index < 0) return false;
      queue.splice(index, 1);
      return true;
    },
    take() {
      if (closed) return undefined;
      for (const worker of workers) {
        if (worker.state !== "ready" || worker.active > 0) continue;
        workers.delete(worker);
        spawnOne();
        return worker;
      }
      return undefined;
    },
    get live() {
      return workers.size;
    },
    async close() {
      closed = true;
      for (const job of queue.splice(0))
        fail(job, { code: "SANDBOX_CRASHED", message: "the sandbox pool is closed" });
      for (const worker of exits.keys()) {
        if (worker.active > 0) worker.kill("pool closed");
        else worker.drain();
      }
      await Promise.all(exits.values());
    },
  };
}

/** Sends a job to a worker with a parent-side deadline; settles once the job has been resolved. */
export function runJob(worker: SandboxWorker, job: Job): Promise<void> {
  const { id, done } = worker.request(job.body, job.handlers);
  job.cancel = () => worker.cancel(id);
  const overrun = setTimeout(() => worker.kill("a run overran its deadline"), job.deadlineMs);
  return done.then((reply) => {
    clearTimeout(overrun);
    job.resolve(reply);
  });
}

/** A worker past its run budget or memory threshold should be replaced once idle. */
export function isWorn(worker: SandboxWorker, limits: { maxRuns: number; maxRssMb: number }): boolean {
  return worker.runs >= limits.maxRuns || worker.rssMb > limits.maxRssMb;
}
