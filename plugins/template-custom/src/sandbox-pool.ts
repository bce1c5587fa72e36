import { channel } from "node:diagnostics_channel";
import type { Logger } from "@agentrt/core";
import { createSandboxPool, type SandboxPool } from "@agentrt/sandbox";
import type { CustomSettings } from "./settings.js";

export interface SandboxPoolLease {
  pool: SandboxPool;
  /** Gives the lease back; the last one out closes the pool. Calling it twice is harmless. */
  release(): Promise<void>;
}

let shared: { pool: SandboxPool; leases: number; id: string } | undefined;

/**
 * Where the pool announces itself to the host's metrics (agentrt's server reads busy/idle workers,
 * crashes and kills by reason from `stats` at scrape time). Costs nothing when nobody listens.
 */
const poolChannel = channel("agentrt:sandbox-pool");
let poolIds = 0;

function announce(type: "opened" | "closed", id: string, pool: SandboxPool): void {
  if (!poolChannel.hasSubscribers) return;
  poolChannel.publish({
    type,
    id,
    stats() {
      const s = pool.stats();
      const busy = s.activeRuns;
      return {
        busy,
        idle: Math.max(0, s.jsWorkers + s.pythonWorkers - busy),
        crashes: s.crashes,
        kills: s.kills,
      };
    },
  });
}

/**
 * One sandbox pool per process, shared by every custom agent instance: worker processes are costly
 * (Python interpreters take seconds to warm), so agents share them and each run still gets a fresh
 * isolate/namespace. The pool starts with the first instance, using that instance's operator
 * settings (settings are per server, so all instances agree), and closes with the last one.
 */
export function acquireSandboxPool(settings: CustomSettings, logger: Logger): SandboxPoolLease {
  if (!shared) {
    const pool = createSandboxPool({
      ...(settings.jsWorkers ? { jsWorkers: settings.jsWorkers } : {}),
      ...(settings.pythonWorkers ? { pythonWorkers: settings.pythonWorkers } : {}),
      ...(settings.maxRunsPerWorker ? { maxRunsPerWorker: settings.maxRunsPerWorker } : {}),
      ...(settings.maxWorkerRssMb ? { maxWorkerRssMb: settings.maxWorkerRssMb } : {}),
      defaults: settings.limits,
      fetchAllowList: settings.fetchAllowList,
      fetchAllowInternal: settings.fetchAllowInternal,
      onEvent: (message) => logger.info(`sandbox: ${message}`),
    });
    shared = { pool, leases: 0, id: `pool-${++poolIds}` };
    announce("opened", shared.id, pool);
  }
  const current = shared;
  current.leases++;
  let released = false;
  return {
    pool: current.pool,
    async release() {
      if (released) return;
      released = true;
      current.leases--;
      if (current.leases > 0) return;
      if (shared === current) shared = undefined;
      announce("closed", current.id, current.pool);
      await current.pool.close();
    },
  };
}
