import { type ApiKeyStore, createMemoryStore } from "@agentrt/runtime";
import { describe, expect, it } from "vitest";
import { createApiKey, createKeyResolver } from "./auth.js";

/** The store's keys, with lookups held until `release` (a read in flight while a change lands). */
function gatedKeys(keys: ApiKeyStore) {
  let gate: Promise<void> | undefined;
  let release = () => {};
  let reads = 0;
  const store: ApiKeyStore = {
    ...keys,
    async findByHash(hash) {
      reads++;
      const found = await keys.findByHash(hash);
      await gate;
      return found;
    },
  };
  return {
    store,
    reads: () => reads,
    hold() {
      gate = new Promise((resolve) => {
        release = () => {
          gate = undefined;
          resolve();
        };
      });
    },
    release: () => release(),
  };
}

describe("key resolver", () => {
  it("serves a cached key until told, and re-reads it once older than maxAgeMs", async () => {
    const { apiKeys } = createMemoryStore();
    const keys = gatedKeys(apiKeys);
    const { record, key } = await createApiKey(apiKeys, "k", ["read"]);

    const forever = createKeyResolver(keys.store);
    expect((await forever.resolve(key))?.id).toBe(record.id);
    await apiKeys.delete(record.id);
    // Nothing told it (one process: the delete would have): the entry stays.
    expect((await forever.resolve(key))?.id).toBe(record.id);
    forever.forget(record.id);
    expect(await forever.resolve(key)).toBeUndefined();

    const again = await createApiKey(apiKeys, "k2", ["read"]);
    const aging = createKeyResolver(keys.store, { maxAgeMs: 0 });
    expect((await aging.resolve(again.key))?.scopes).toEqual(["read"]);
    await apiKeys.update(again.record.id, { scopes: ["admin"] });
    // Told nothing, but older than 0 ms on the next request: read again.
    await new Promise((resolve) => setTimeout(resolve, 2));
    expect((await aging.resolve(again.key))?.scopes).toEqual(["admin"]);
  });

  it("does not cache a read that was in flight when the key changed", async () => {
    const { apiKeys } = createMemoryStore();
    const keys = gatedKeys(apiKeys);
    const { record, key } = await createApiKey(apiKeys, "k", ["read"]);
    const resolver = createKeyResolver(keys.store);
    keys.hold();
    const inFlight = resolver.resolve(key);
    await apiKeys.delete(record.id);
    resolver.forget(record.id);
    keys.release();
    // The request that raced the delete may pass; the next one must not.
    expect((await inFlight)?.id).toBe(record.id);
    expect(await resolver.resolve(key)).toBeUndefined();
    expect(keys.reads()).toBe(2);
  });
});
