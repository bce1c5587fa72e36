import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { Worker } from "node:worker_threads";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createSqliteStore, defaultDatabasePath } from "./sqlite-store.js";
import { newAgent, newRun } from "./test-fixtures.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "agentrt-store-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("defaultDatabasePath", () => {
  it("puts agentrt.db in the data dir, ./.agentrt by default", () => {
    expect(defaultDatabasePath()).toBe(join(".agentrt", "agentrt.db"));
    expect(defaultDatabasePath("/var/lib/agentrt")).toBe("/var/lib/agentrt/agentrt.db");
  });
});

describe("createSqliteStore", () => {
  it("creates the data dir and opens <dataDir>/agentrt.db in WAL mode", async () => {
    const dataDir = join(dir, "nested", "data");
    const store = createSqliteStore({ dataDir });
    expect(store.kind).toBe("sqlite");
    expect(store.path).toBe(resolve(dataDir, "agentrt.db"));
    await store.ping();
    const probe = new DatabaseSync(store.path);
    expect(probe.prepare("PRAGMA journal_mode").get()).toEqual({ journal_mode: "wal" });
    probe.close();
    await store.close();
    await store.close(); // closing twice is harmless
    await expect(store.ping()).rejects.toThrow();
  });

  it("creates the parent dir of an explicit path", async () => {
    const store = createSqliteStore({ path: join(dir, "a", "b.db") });
    expect(store.path).toBe(join(dir, "a", "b.db"));
    await store.close();
  });

  it("keeps data across close and reopen of the same file", async () => {
    const path = join(dir, "agentrt.db");
    const first = createSqliteStore({ path });
    const agent = await first.agents.create(newAgent());
    const { run } = await first.runs.create(newRun(agent.id));
    await first.runs.appendEvent(run.id, { type: "run.queued" });
    await first.close();

    const second = createSqliteStore({ path });
    expect(await second.agents.get(agent.id)).toEqual(agent);
    expect(await second.runs.get(run.id)).toEqual(run);
    // The seq counter is persisted with the run, so numbering continues after a restart.
    expect((await second.runs.appendEvent(run.id, { type: "run.started" })).seq).toBe(2);
    await second.close();
  });

  it("lets two connections to one file share seq numbering and schedule claims", async () => {
    const path = join(dir, "agentrt.db");
    const a = createSqliteStore({ path });
    const b = createSqliteStore({ path });
    const agent = await a.agents.create(newAgent());
    const { run } = await a.runs.create(newRun(agent.id));
    const appended = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        (i % 2 === 0 ? a : b).runs.appendEvent(run.id, { type: "run.started" }),
      ),
    );
    expect(appended.map((event) => event.seq).sort((x, y) => x - y)).toEqual(
      Array.from({ length: 50 }, (_, i) => i + 1),
    );

    const schedule = await a.schedules.create({
      id: "sch_1",
      agentId: agent.id,
      cron: "* * * * *",
      timezone: "UTC",
      input: null,
      webhookUrl: null,
      enabled: true,
      overlap: "skip",
      nextRunAt: "2030-01-01T00:00:00.000Z",
    });
    const tick = [schedule.id, schedule.nextRunAt!, "2030-01-01T00:01:00.000Z"] as const;
    const claims = await Promise.all([
      a.schedules.claim(...tick, "run_a", "2030-01-01T00:00:00.001Z"),
      b.schedules.claim(...tick, "run_b", "2030-01-01T00:00:00.002Z"),
    ]);
    expect(claims.filter(Boolean)).toHaveLength(1);
    await a.close();
    await b.close();
  });

  it("answers hot look-ups from indexes", async () => {
    const path = join(dir, "agentrt.db");
    const store = createSqliteStore({ path });
    const probe = new DatabaseSync(path);
    const plan = (sql: string) =>
      (probe.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[])
        .map((row) => row.detail)
        .join("; ");
    expect(plan("SELECT * FROM api_keys WHERE hash = 'x'")).toMatch(/USING INDEX/);
    expect(plan("SELECT * FROM agents WHERE name = 'x'")).toMatch(/USING INDEX/);
    expect(plan("SELECT * FROM run_events WHERE run_id = 'r' AND seq > 0 ORDER BY seq")).toMatch(
      /USING PRIMARY KEY/,
    );
    expect(
      plan("SELECT * FROM schedules WHERE enabled = 1 AND next_run_at IS NOT NULL AND next_run_at <= 'x'"),
    ).toMatch(/USING INDEX schedules_due/);
    probe.close();
    await store.close();
  });
});

/**
 * Holds the write lock from another thread (its own connection, as another process would) until
 * `release` is notified or `holdMs` passes, whichever comes first.
 */
function holdWriteLock(path: string, holdMs: number) {
  const release = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(
    `
      const { DatabaseSync } = require("node:sqlite");
      const { parentPort, workerData } = require("node:worker_threads");
      const db = new DatabaseSync(workerData.path);
      db.exec("BEGIN IMMEDIATE");
      parentPort.postMessage("locked");
      Atomics.wait(workerData.release, 0, 0, workerData.holdMs);
      db.exec("COMMIT");
      db.close();
    `,
    { eval: true, workerData: { path, release, holdMs } },
  );
  const locked = new Promise((resolve) => worker.once("message", resolve));
  const exited = new Promise((resolve) => worker.once("exit", resolve));
  return {
    locked,
    async release() {
      Atomics.store(release, 0, 1);
      Atomics.notify(release, 0);
      await exited;
    },
  };
}

describe("busy timeout", () => {
  it("waits for another connection's write lock instead of failing", async () => {
    const path = join(dir, "agentrt.db");
    const store = createSqliteStore({ path });
    const agent = await store.agents.create(newAgent());
    const { run } = await store.runs.create(newRun(agent.id));
    const lock = holdWriteLock(path, 200);
    await lock.locked;
    expect((await store.runs.appendEvent(run.id, { type: "run.queued" })).seq).toBe(1);
    await lock.release();
    await store.close();
  });

  it("fails with SQLITE_BUSY when told not to wait", async () => {
    const path = join(dir, "agentrt.db");
    const store = createSqliteStore({ path, busyTimeoutMs: 0 });
    const agent = await store.agents.create(newAgent());
    const { run } = await store.runs.create(newRun(agent.id));
    const lock = holdWriteLock(path, 10_000);
    await lock.locked;
    await expect(store.runs.appendEvent(run.id, { type: "run.queued" })).rejects.toThrow(/locked/);
    await lock.release();
    // Nothing was half-written: the next append still gets seq 1.
    expect((await store.runs.appendEvent(run.id, { type: "run.queued" })).seq).toBe(1);
    await store.close();
  });

  it("loads the LangGraph checkpointer only when it is first used, from the package's own entry", async () => {
    const store = createSqliteStore({ path: ":memory:" });
    const saver = store.checkpointer;
    expect(store.checkpointer).toBe(saver);
    expect(typeof saver.getTuple).toBe("function");
    await expect(saver.getTuple({ configurable: { thread_id: "none" } })).resolves.toBeUndefined();
    await store.close();
  });
});
