import { ErrorCode } from "@agentrt/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createSqliteStore, type SqliteStore } from "./sqlite-store.js";
import { newAgent, newestFirst } from "./test-fixtures.js";

let store: SqliteStore;
beforeEach(() => {
  store = createSqliteStore({ path: ":memory:" });
});
afterEach(() => store.close());

describe("threads", () => {
  it("creates, gets, touches and deletes", async () => {
    const thread = await store.threads.create({ id: "thr_1", agentId: null, metadata: { user: "u1" } });
    expect(thread).toEqual({
      id: "thr_1",
      agentId: null,
      metadata: { user: "u1" },
      createdAt: expect.any(String),
      updatedAt: thread.createdAt,
    });
    expect(await store.threads.get("thr_1")).toEqual(thread);
    await store.threads.touch("thr_1", "2030-01-01T00:00:00.000Z");
    expect(await store.threads.get("thr_1")).toEqual({ ...thread, updatedAt: "2030-01-01T00:00:00.000Z" });
    expect(await store.threads.delete("thr_1")).toBe(true);
    expect(await store.threads.delete("thr_1")).toBe(false);
    expect(await store.threads.get("thr_1")).toBeUndefined();
  });

  it("lists newest first, filtered by agent", async () => {
    const agent = await store.agents.create(newAgent());
    const threads = [];
    for (let i = 0; i < 3; i++) {
      threads.push(
        await store.threads.create({ id: `thr_${i}`, agentId: i < 2 ? agent.id : null, metadata: {} }),
      );
    }
    const first = await store.threads.list({ limit: 2 });
    expect(first.items.map((t) => t.id)).toEqual(newestFirst(threads).slice(0, 2));
    const second = await store.threads.list({ limit: 2, cursor: first.nextCursor! });
    expect(second).toEqual({ items: [threads[0]], nextCursor: null });
    expect((await store.threads.list({ limit: 10, agentId: agent.id })).items.map((t) => t.id)).toEqual([
      "thr_1",
      "thr_0",
    ]);
  });

  it("throws AGENT_NOT_FOUND for an unknown agent", async () => {
    await expect(
      store.threads.create({ id: "thr_x", agentId: "agt_missing", metadata: {} }),
    ).rejects.toMatchObject({
      code: ErrorCode.AGENT_NOT_FOUND,
    });
  });

  it("rethrows other insert failures unchanged", async () => {
    await store.threads.create({ id: "thr_dup", agentId: null, metadata: {} });
    await expect(store.threads.create({ id: "thr_dup", agentId: null, metadata: {} })).rejects.toThrow(
      /UNIQUE constraint/,
    );
  });
});
