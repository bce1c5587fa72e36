import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { emptyCheckpoint, uuid6 } from "@langchain/langgraph-checkpoint";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createSqliteStore } from "./sqlite-store.js";
import { newAgent, newRun, sourceCheckpointer } from "./test-fixtures.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "agentrt-retention-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const autoVacuum = (path: string) => {
  const probe = new DatabaseSync(path);
  const mode = probe.prepare("PRAGMA auto_vacuum").get();
  probe.close();
  return mode;
};

describe("sqlite retention", () => {
  it("opens new databases with incremental auto-vacuum and converts an older file once", async () => {
    const fresh = join(dir, "fresh.db");
    await createSqliteStore({ path: fresh }).close();
    expect(autoVacuum(fresh)).toEqual({ auto_vacuum: 2 });

    // A file made before retention existed: tables created without auto_vacuum.
    const old = join(dir, "old.db");
    const legacy = new DatabaseSync(old);
    legacy.exec("CREATE TABLE legacy (x TEXT); INSERT INTO legacy VALUES ('kept')");
    legacy.close();
    expect(autoVacuum(old)).toEqual({ auto_vacuum: 0 });
    await createSqliteStore({ path: old }).close();
    expect(autoVacuum(old)).toEqual({ auto_vacuum: 2 });
    const probe = new DatabaseSync(old);
    expect(probe.prepare("SELECT x FROM legacy").all()).toEqual([{ x: "kept" }]);
    probe.close();
  });

  it("gives the space of pruned runs back to the file system", async () => {
    const path = join(dir, "agentrt.db");
    const store = createSqliteStore({ path });
    const agent = await store.agents.create(newAgent());
    const text = "x".repeat(2000);
    for (let i = 0; i < 300; i++) {
      const { run } = await store.runs.create(newRun(agent.id));
      await store.runs.appendEvents(
        run.id,
        Array.from({ length: 5 }, () => ({ type: "output.delta" as const, text })),
        { status: "succeeded", finishedAt: "2020-01-01T00:00:00.000Z" },
      );
    }
    const full = await store.retention.stats();
    let pruned = 0;
    for (;;) {
      const n = await store.retention.pruneRuns(
        { agentId: agent.id, finishedBefore: "2021-01-01T00:00:00.000Z" },
        "expired",
        50,
      );
      pruned += n;
      if (n < 50) break;
    }
    expect(pruned).toBe(300);
    const freed = await store.retention.stats();
    expect(freed.freeBytes!).toBeGreaterThan(full.sizeBytes! / 2);
    const given = await store.retention.reclaimSpace(64 << 20);
    expect(given).toBe(freed.freeBytes);
    const after = await store.retention.stats();
    expect(after.freeBytes).toBe(0);
    expect(after.sizeBytes!).toBeLessThan(full.sizeBytes! / 2);
    expect(after.oldestRunAt).toBeNull();
    await store.close(); // checkpoints the WAL into the file
    expect(statSync(path).size).toBeLessThan(full.sizeBytes! / 2);
  });

  it("drops an expired thread's LangGraph checkpoints with it", async () => {
    const store = createSqliteStore({ path: ":memory:", createCheckpointer: sourceCheckpointer });
    const agent = await store.agents.create(newAgent());
    for (const id of ["thr_old", "thr_new"]) {
      await store.threads.create({ id, agentId: agent.id, metadata: {} });
      const cp = { ...emptyCheckpoint(), id: uuid6(0) };
      await store.checkpointer.put(
        { configurable: { thread_id: id } },
        cp,
        { source: "input", step: 0, parents: {} },
        {},
      );
    }
    await store.threads.touch("thr_old", "2020-01-01T00:00:00.000Z");
    expect(
      await store.retention.expireThreads(
        { agentId: agent.id, inactiveBefore: "2021-01-01T00:00:00.000Z" },
        10,
      ),
    ).toBe(1);
    expect(await store.checkpointer.getTuple({ configurable: { thread_id: "thr_old" } })).toBeUndefined();
    expect(await store.checkpointer.getTuple({ configurable: { thread_id: "thr_new" } })).toBeDefined();
    await store.close();
  });

  it("finds prune and compaction candidates through indexes", async () => {
    const path = join(dir, "agentrt.db");
    const store = createSqliteStore({ path });
    const probe = new DatabaseSync(path);
    const plan = (sql: string) =>
      (probe.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[])
        .map((r) => r.detail)
        .join("; ");
    expect(
      plan("SELECT id FROM runs WHERE agent_id = 'a' AND finished_at < 'x' ORDER BY finished_at"),
    ).toMatch(/USING INDEX runs_agent_finished/);
    expect(
      plan(
        "SELECT id FROM runs WHERE agent_id = 'a' AND finished_at < 'x' AND compacted = 0 ORDER BY finished_at",
      ),
    ).toMatch(/USING INDEX runs_uncompacted/);
    // A compaction batch drops its runs' deltas in one statement, one key lookup per run.
    expect(
      plan(`DELETE FROM run_events WHERE run_id IN (SELECT value FROM json_each('["r1","r2"]'))
            AND type IN (SELECT value FROM json_each('["output.delta"]'))`),
    ).toMatch(/SEARCH run_events USING PRIMARY KEY \(run_id=\?\)/);
    expect(plan("SELECT id FROM runs WHERE agent_id = 'a' AND schedule_id = 's' ORDER BY id DESC")).toMatch(
      /USING INDEX runs_schedule/,
    );
    expect(
      plan("SELECT id FROM threads WHERE agent_id IS 'a' AND updated_at < 'x' ORDER BY updated_at"),
    ).toMatch(/USING INDEX threads_idle/);
    probe.close();
    await store.close();
  });
});
