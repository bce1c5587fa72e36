import type { ChildError } from "./protocol.js";
import type { SandboxWorker } from "./worker.js";
import { isWorn, type Job, runJob, type WorkerGroup } from "./worker-group.js";

export interface BoundWorkersOptions {
  /** Spare (unbound) workers; a key takes one on first use and the group starts its replacement. */
  spares: WorkerGroup;
  /** Most workers bound at once; beyond it the least recently used idle binding is retired. */
  maxBound: number;
  maxRuns: number;
  maxRssMb: number;
}

export interface BoundWorkers {
  submit(key: string, job: Job): void;
  /** Removes a job that has not been dispatched yet; false when it already runs. */
  withdraw(job: Job): boolean;
  /** Live bound workers. */
  readonly bound: number;
  /** A spare became ready: serve keys waiting for a worker. */
  spareReady(): void;
  /** Fails queued work (start-up failures, close). */
  failQueued(error: ChildError): void;
}

interface Binding {
  key: string;
  worker?: SandboxWorker;
  queue: Job[];
  busy: boolean;
  lastUsed: number;
}

/**
 * Workers bound to one isolation key for their whole life: interpreter state that cannot be reset
 * safely (patched classes, replaced harness code) can then only ever reach later runs of the same key.
 * A key's runs are serialised on its worker; a new key takes a warm spare, never another key's worker.
 */
export function createBoundWorkers(options: BoundWorkersOptions): BoundWorkers {
  const bindings = new Map<string, Binding>();
  /** Keys with queued work and no worker, in arrival order. */
  const waiting: Binding[] = [];
  let clock = 0;

  const live = (b: Binding) => b.worker !== undefined && b.worker.state === "ready";
  const boundCount = () => [...bindings.values()].filter(live).length;

  const unbind = (b: Binding) => {
    b.worker?.drain();
    b.worker = undefined;
    if (b.queue.length === 0 && !b.busy) bindings.delete(b.key);
  };

  /** Retires least recently used idle bindings until the cap holds (busy ones wait for their run). */
  const evict = () => {
    for (const b of bindings.values())
      if (!live(b) && !b.busy && b.queue.length === 0) bindings.delete(b.key);
    let excess = boundCount() - options.maxBound;
    const idle = [...bindings.values()]
      .filter((b) => live(b) && !b.busy && b.queue.length === 0)
      .sort((a, b) => a.lastUsed - b.lastUsed);
    for (const b of idle) {
      if (excess-- <= 0) break;
      unbind(b);
    }
  };

  const pump = (b: Binding) => {
    if (b.busy || b.queue.length === 0) return;
    if (!live(b)) {
      // A dead or retiring worker (crash, recycled, killed interpreter) is never reused.
      b.worker = options.spares.take();
      if (!b.worker) {
        if (!waiting.includes(b)) waiting.push(b);
        return;
      }
      evict();
    }
    const worker = b.worker!;
    b.busy = true;
    b.lastUsed = ++clock;
    runJob(worker, b.queue.shift()!).then(() => {
      b.busy = false;
      if (worker.state === "ready" && isWorn(worker, options)) unbind(b);
      else if (b.queue.length === 0 && !live(b)) bindings.delete(b.key);
      evict();
      pump(b);
    });
  };

  return {
    submit(key, job) {
      let b = bindings.get(key);
      if (!b) {
        b = { key, queue: [], busy: false, lastUsed: 0 };
        bindings.set(key, b);
      }
      b.queue.push(job);
      pump(b);
    },
    withdraw(job) {
      for (const b of bindings.values()) {
        const index = b.queue.indexOf(job);
        if (index < 0) continue;
        b.queue.splice(index, 1);
        if (b.queue.length === 0 && !b.busy && !b.worker) bindings.delete(b.key);
        return true;
      }
      return false;
    },
    get bound() {
      return boundCount();
    },
    failQueued(error) {
      waiting.length = 0;
      for (const b of [...bindings.values()]) {
        for (const job of b.queue.splice(0)) job.resolve({ type: "done", id: 0, error });
        if (!b.busy && !b.worker) bindings.delete(b.key);
      }
    },
    spareReady() {
      // pump puts back, in order, the keys that still find no spare.
      for (const b of waiting.splice(0)) if (bindings.get(b.key) === b) pump(b);
    },
  };
}
