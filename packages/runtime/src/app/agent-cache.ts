import type { AgentRecord, Store } from "../store.js";

/**
 * Agents as the store has them, kept in this process so a request that names an agent does not
 * read the store for it. Every write to an agent, on this node or another, reaches
 * `invalidateAgent` through the runtime's invalidations; `clear` forgets everything.
 */
export interface AgentCache {
  /** The agent with this id or name; undefined when there is none (misses are not kept). */
  get(idOrName: string): Promise<AgentRecord | undefined>;
  /** Forgets the agent, under its id and every name it was looked up by. */
  invalidateAgent(agentId: string): void;
  clear(): void;
}

/** Beyond this many keys the cache starts over: agents are few, names looked up in error are not. */
const MAX_KEYS = 1000;

interface Entry {
  agent: AgentRecord;
  readAt: number;
}

/**
 * `maxAgeMs` bounds how long an entry is trusted without a notification: on a store shared by
 * several nodes a lost notification then costs at most that delay. Undefined keeps entries until
 * they are invalidated (one process: every write goes through this process).
 */
export function createAgentCache(store: Store, options: { maxAgeMs: number | undefined }): AgentCache {
  const byKey = new Map<string, Entry>();
  const { maxAgeMs } = options;
  // Bumped by every invalidation: a read that began before it may return what was just changed.
  let generation = 0;

  function forget(agentId: string): void {
    generation++;
    for (const [key, entry] of byKey) if (entry.agent.id === agentId) byKey.delete(key);
  }

  return {
    async get(idOrName) {
      const cached = byKey.get(idOrName);
      if (cached && (maxAgeMs === undefined || Date.now() - cached.readAt < maxAgeMs)) return cached.agent;
      const started = generation;
      const readAt = Date.now();
      const agent = await store.agents.get(idOrName);
      if (agent && started === generation) {
        if (byKey.size >= MAX_KEYS) byKey.clear();
        byKey.set(idOrName, { agent, readAt });
      } else if (!agent) {
        byKey.delete(idOrName);
      }
      return agent;
    },
    invalidateAgent: forget,
    clear() {
      generation++;
      byKey.clear();
    },
  };
}
