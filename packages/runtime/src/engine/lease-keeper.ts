import type { Logger } from "@agentrt/core";
import type { RunLeases, RunRecord } from "../store.js";

export interface LeaseKeeperOptions {
  leases: RunLeases;
  /** How long this node's lease lasts unrenewed: the longest a dead node's runs wait. */
  leaseMs: number;
  /** How many more queued runs this node can start now. */
  capacity(): number;
  /** Takes a run over: a `running` one is interrupted (re-queued or failed), a `queued` one queued. */
  adopt(run: RunRecord): Promise<void>;
  logger: Logger;
}

/** Runs cut short by dead nodes are all taken at once: ending or re-queueing them needs no slot. */
const INTERRUPTED_BATCH = 10_000;

export interface LeaseKeeper {
  /** Renews this node's lease and takes over what no live node holds, as far as it has room. */
  sweep(): Promise<void>;
  /** A slot came free: sweep again if the last sweep left runs waiting for room. */
  slotFreed(): void;
  /** Stops renewing and ends the lease, so other nodes take the runs left here over at once. */
  stop(): Promise<void>;
}

/**
 * Keeps this node's lease on a shared store and takes over runs no live node holds: those of dead
 * nodes and those API-only nodes accepted. One sweep at start-up (the crash recovery of a single
 * process, generalised), one every third of the lease, one when told that runs wait, and one when a
 * slot frees while runs were left waiting. Queued runs are taken only as far as this node has room,
 * so the executing nodes share them.
 */
export function startLeaseKeeper(options: LeaseKeeperOptions): LeaseKeeper {
  const { leases, leaseMs, logger } = options;
  let running: Promise<void> | undefined;
  let again = false;
  let backlog = false;
  let stopped = false;

  async function once(): Promise<void> {
    await leases.heartbeat(leaseMs);
    const interrupted = await leases.takeOver("running", INTERRUPTED_BATCH);
    const room = options.capacity();
    const queued = room > 0 ? await leases.takeOver("queued", room) : [];
    backlog = room > 0 && queued.length === room;
    for (const run of [...interrupted, ...queued]) {
      if (stopped) return;
      await options.adopt(run);
    }
    if (interrupted.length > 0) logger.info("took over runs of stopped nodes", { runs: interrupted.length });
  }

  function sweep(): Promise<void> {
    if (running) {
      // Asked while sweeping: what made the caller ask may have come after this sweep's reads.
      again = true;
      return running;
    }
    running = once().finally(() => {
      running = undefined;
      if (again && !stopped) {
        again = false;
        sweep().catch(warn);
      }
    });
    return running;
  }

  const warn = (error: unknown) => logger.warn("lease sweep failed", { error: String(error) });
  const timer = setInterval(() => sweep().catch(warn), Math.max(100, Math.floor(leaseMs / 3)));
  timer.unref();

  return {
    sweep,
    slotFreed() {
      if (backlog && !stopped) sweep().catch(warn);
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running?.catch(() => {});
      await leases.leave();
    },
  };
}
