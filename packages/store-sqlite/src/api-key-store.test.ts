import { createHash } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createSqliteStore, type SqliteStore } from "./sqlite-store.js";
import { newestFirst } from "./test-fixtures.js";

let store: SqliteStore;
beforeEach(() => {
  store = createSqliteStore({ path: ":memory:" });
});
afterEach(() => store.close());

const sha256 = (key: string) => createHash("sha256").update(key).digest("hex");

describe("apiKeys", () => {
  it("creates keys and finds them by hash, id and page", async () => {
    expect(await store.apiKeys.count()).toBe(0);
    const admin = await store.apiKeys.create({
      id: "key_1",
      name: "admin",
      prefix: "ak_abc",
      hash: sha256("ak_abc-secret"),
      scopes: ["admin"],
    });
    expect(admin).toEqual({
      id: "key_1",
      name: "admin",
      prefix: "ak_abc",
      hash: sha256("ak_abc-secret"),
      scopes: ["admin"],
      rateLimits: {},
      createdAt: expect.any(String),
      lastUsedAt: null,
    });
    const reader = await store.apiKeys.create({
      id: "key_2",
      name: "reader",
      prefix: "ak_def",
      hash: sha256("ak_def-secret"),
      scopes: ["read", "invoke"],
    });
    expect(await store.apiKeys.count()).toBe(2);
    expect(await store.apiKeys.findByHash(sha256("ak_def-secret"))).toEqual(reader);
    expect(await store.apiKeys.findByHash(sha256("wrong"))).toBeUndefined();
    expect(await store.apiKeys.get("key_1")).toEqual(admin);
    const page = await store.apiKeys.list({ limit: 1 });
    expect(page.items.map((key) => key.id)).toEqual(newestFirst([admin, reader]).slice(0, 1));
    expect((await store.apiKeys.list({ limit: 1, cursor: page.nextCursor! })).nextCursor).toBeNull();

    await store.apiKeys.touch("key_1", "2030-01-01T00:00:00.000Z");
    expect(await store.apiKeys.get("key_1")).toMatchObject({ lastUsedAt: "2030-01-01T00:00:00.000Z" });
    expect(await store.apiKeys.delete("key_1")).toBe(true);
    expect(await store.apiKeys.delete("key_1")).toBe(false);
    expect(await store.apiKeys.get("key_1")).toBeUndefined();
    expect(await store.apiKeys.count()).toBe(1);
  });

  it("rejects a second key with the same hash", async () => {
    const key = { id: "key_1", name: "a", prefix: "p", hash: sha256("x"), scopes: ["read" as const] };
    await store.apiKeys.create(key);
    await expect(store.apiKeys.create({ ...key, id: "key_2" })).rejects.toThrow(/UNIQUE constraint/);
  });
});
