import type { Logger } from "@agentrt/core";
import type { RunLeases, RunRecord } from "../store.js";

export interface LeaseKeeperOptions {
  leases: RunLeases;
  /** How long this node's lease lasts unrenewed: the longest a dead node's runs wait. */
  leaseMs: number;
  /** Takes a run over: a `running` one is interrupted (re-queued or failed), a `queued` one queued. */
  adopt(run: RunRecord): Promise<void>;
  logger: Logger;
}

/** Far more than one node ever holds; a sweep takes over at most this many runs. */
const TAKEOVER_BATCH = 10_000;

export interface LeaseKeeper {
  /** Renews this node's lease and takes over runs of nodes whose lease ran out. */
  sweep(): Promise<void>;
  /** Stops renewing and ends the lease, so other nodes take the runs left here over at once. */
  stop(): Promise<void>;
}

/**
 * Keeps this node's lease on a shared store and takes over the runs of dead nodes: one sweep at
 * start-up (the crash recovery of a single process, generalised), then one every third of the
 * lease, so a killed node's runs are picked up within about one lease.
 */
export function startLeaseKeeper(options: LeaseKeeperOptions): LeaseKeeper {
  const { leases, leaseMs, logger } = options;
  let running: Promise<void> | undefined;
  let stopped = false;

  async function once(): Promise<void> {
    await leases.heartbeat(leaseMs);
    const runs = await leases.takeOver(TAKEOVER_BATCH);
    for (const run of runs) {
      if (stopped) return;
      await options.adopt(run);
    }
    if (runs.length > 0) logger.info("took over runs of stopped nodes", { runs: runs.length });
  }

  function sweep(): Promise<void> {
    running ??= once().finally(() => {
      running = undefined;
    });
    return running;
  }

  const timer = setInterval(
    () => {
      sweep().catch((error: unknown) => logger.warn("lease sweep failed", { error: String(error) }));
    },
    Math.max(100, Math.floor(leaseMs / 3)),
  );
  timer.unref();

  return {
    sweep,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running?.catch(() => {});
      await leases.leave();
    },
  };
}
