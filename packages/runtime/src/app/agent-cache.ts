import type { AgentRecord, Store } from "../store.js";

/**
 * Agents as the store has them, kept in this process so a request that names an agent does not
 * read the store for it. Every write to an agent is followed by `invalidateAgent` (the agent use
 * cases call it; a node told of another node's write calls it too); `clear` forgets everything.
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

/**
 * `enabled: false` reads the store every time: for a store shared by several nodes whose writes
 * this node does not hear of.
 */
export function createAgentCache(store: Store, options: { enabled: boolean }): AgentCache {
  const byKey = new Map<string, AgentRecord>();
  // Bumped by every invalidation: a read that began before it may return what was just changed.
  let generation = 0;

  function forget(agentId: string): void {
    generation++;
    for (const [key, agent] of byKey) if (agent.id === agentId) byKey.delete(key);
  }

  return {
    async get(idOrName) {
      const cached = byKey.get(idOrName);
      if (cached) return cached;
      const started = generation;
      const agent = await store.agents.get(idOrName);
      if (agent && options.enabled && started === generation) {
        if (byKey.size >= MAX_KEYS) byKey.clear();
        byKey.set(idOrName, agent);
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
