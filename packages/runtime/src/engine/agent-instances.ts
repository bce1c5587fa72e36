import type { AgentInstance, Logger, TemplateContext } from "@agentrt/core";
import type { InstalledTemplate } from "../installed-template.js";
import { outsideRuns } from "./logging.js";

/** What an instance is built from: one agent revision and the template version it runs on. */
export interface InstanceSource {
  agentId: string;
  revision: number;
  template: InstalledTemplate;
  config: Record<string, unknown>;
}

export interface InstanceLease {
  instance: AgentInstance;
  /** Call exactly once when the run is over; a dropped instance is disposed with its last lease. */
  release(): void;
}

/**
 * Cache of configured agents: `template.create` runs once per (agent, revision) and the instance is
 * shared by every run of that revision. Dropping an agent never pulls an instance from under a
 * running run: it is disposed when the last run using it is done.
 */
export interface AgentInstances {
  acquire(source: InstanceSource): Promise<InstanceLease>;
  /**
   * Drops the agent's cached instances (agent updated or deleted), except those of `keepRevision`
   * (the agent's current one, which a run may have built already).
   */
  invalidate(agentId: string, keepRevision?: number): Promise<void>;
  /** Drops everything (shutdown). */
  close(): Promise<void>;
}

interface Entry {
  agentId: string;
  revision: number;
  instance: Promise<AgentInstance>;
  leases: number;
  dropped: boolean;
}

export function createAgentInstances(
  contextFor: (template: InstalledTemplate) => TemplateContext,
  logger: Logger,
): AgentInstances {
  const entries = new Map<string, Entry>();

  async function dispose(entry: Entry): Promise<void> {
    try {
      const instance = await entry.instance;
      await instance.dispose?.();
    } catch (error) {
      // A failed create has nothing to dispose; a failed dispose must not break the caller.
      logger.warn("agent instance dispose failed", { agentId: entry.agentId, error: String(error) });
    }
  }

  async function drop(matches: (entry: Entry) => boolean): Promise<void> {
    const disposals: Promise<void>[] = [];
    for (const [key, entry] of entries) {
      if (!matches(entry)) continue;
      entries.delete(key);
      entry.dropped = true;
      if (entry.leases === 0) disposals.push(dispose(entry));
    }
    await Promise.all(disposals);
  }

  return {
    async acquire({ agentId, revision, template, config }) {
      const key = `${agentId}#${revision}`;
      let entry = entries.get(key);
      if (!entry) {
        // A newer revision makes the idle older ones garbage, even if the change notice was missed
        // (their disposal need not hold up this run).
        void drop((old) => old.agentId === agentId && old.revision < revision && old.leases === 0);
        const created: Entry = {
          agentId,
          revision,
          // Shared by every run of this revision: created outside the run that asks first.
          instance: outsideRuns(() =>
            Promise.resolve().then(() => template.create(config, contextFor(template))),
          ),
          leases: 0,
          dropped: false,
        };
        // A failed create is not cached: the next run tries again (e.g. after a fixed env var).
        created.instance.catch(() => {
          if (entries.get(key) === created) entries.delete(key);
        });
        entries.set(key, created);
        entry = created;
      }
      const leased = entry;
      leased.leases++;
      try {
        const instance = await leased.instance;
        return {
          instance,
          release() {
            leased.leases--;
            if (leased.dropped && leased.leases === 0) void dispose(leased);
          },
        };
      } catch (error) {
        leased.leases--;
        throw error;
      }
    },
    invalidate: (agentId, keepRevision) =>
      drop((entry) => entry.agentId === agentId && entry.revision !== keepRevision),
    close: () => drop(() => true),
  };
}
