import { describe, expect, it, vi } from "vitest";
import { createAgent, createHooks, scriptTemplate } from "../../test/engine-fixtures.js";
import { createMemoryStore } from "../memory-store.js";
import type { Store } from "../store.js";
import { createAgentCache } from "./agent-cache.js";

/** Counts the store's agent reads, so a test sees which lookups the cache answered. */
function countingReads(store: Store) {
  const reads: string[] = [];
  const get = store.agents.get.bind(store.agents);
  store.agents.get = (idOrName) => {
    reads.push(idOrName);
    return get(idOrName);
  };
  return reads;
}

describe("agent cache", () => {
  it("reads an agent once by each key until it is invalidated, and keeps no misses", async () => {
    const store = createMemoryStore();
    const agent = await createAgent(store, scriptTemplate(createHooks()), "main");
    const reads = countingReads(store);
    const cache = createAgentCache(store, { maxAgeMs: undefined });
    expect((await cache.get("main"))?.id).toBe(agent.id);
    expect((await cache.get("main"))?.id).toBe(agent.id);
    expect(await cache.get("nobody")).toBeUndefined();
    expect(await cache.get("nobody")).toBeUndefined();
    expect(reads).toEqual(["main", "nobody", "nobody"]);

    await store.agents.update(agent.id, { status: "paused" });
    expect((await cache.get("main"))?.status).toBe("active");
    cache.invalidateAgent(agent.id);
    expect((await cache.get("main"))?.status).toBe("paused");
    cache.clear();
    await cache.get("main");
    expect(reads).toEqual(["main", "nobody", "nobody", "main", "main"]);
  });

  it("does not keep a read that an invalidation overtook", async () => {
    const store = createMemoryStore();
    const agent = await createAgent(store, scriptTemplate(createHooks()), "main");
    const cache = createAgentCache(store, { maxAgeMs: undefined });
    const stale = cache.get("main");
    cache.invalidateAgent(agent.id);
    await store.agents.update(agent.id, { status: "paused" });
    expect((await stale)?.status).toBe("active");
    expect((await cache.get("main"))?.status).toBe("paused");
  });

  it("re-reads an entry older than maxAgeMs (a lost notification on a store shared by nodes)", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    try {
      const store = createMemoryStore();
      await createAgent(store, scriptTemplate(createHooks()), "main");
      const reads = countingReads(store);
      const cache = createAgentCache(store, { maxAgeMs: 5000 });
      await cache.get("main");
      vi.advanceTimersByTime(4999);
      await cache.get("main");
      expect(reads).toEqual(["main"]);
      vi.advanceTimersByTime(1);
      await cache.get("main");
      expect(reads).toEqual(["main", "main"]);
    } finally {
      vi.useRealTimers();
    }
  });
});
