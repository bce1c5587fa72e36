import { describe, expect, it } from "vitest";
import { createMemoryLogger } from "../../test/engine-fixtures.js";
import { createMemoryStore } from "../memory-store.js";
import type { NewRun, Store } from "../store.js";
import { newAgent, newRun } from "../testing.js";
import { effectivePolicy, NO_RETENTION, parseDuration, type RetentionPolicy } from "./policy.js";
import { createRetentionPruner } from "./pruner.js";

const DAY = 86_400_000;
// Real time: the stores stamp tombstones with the clock, and the pruner compares against `NOW`.
const NOW = new Date();
const daysAgo = (days: number) => new Date(NOW.getTime() - days * DAY).toISOString();

function pruner(store: Store, policy: Partial<RetentionPolicy>, batchSize = 2) {
  return createRetentionPruner(
    store,
    {
      policy: { ...NO_RETENTION, ...policy },
      intervalMs: 60_000,
      batchSize,
      pauseMs: 0,
      tombstoneTtlMs: 30 * DAY,
      reclaimBytesPerPass: 1 << 20,
    },
    createMemoryLogger(),
  );
}

async function finished(store: Store, agentId: string, ageDays: number, overrides: Partial<NewRun> = {}) {
  const { run } = await store.runs.create(newRun(agentId, overrides));
  await store.runs.appendEvents(run.id, [
    { type: "output.delta", text: "4" },
    { type: "output.delta", text: "2" },
    { type: "run.finished", status: "succeeded", output: "42" },
  ]);
  return store.runs.update(run.id, { status: "succeeded", output: "42", finishedAt: daysAgo(ageDays) });
}

const runIds = async (store: Store, agentId: string) =>
  (await store.runs.list({ agentId, limit: 100 })).items.map((r) => r.id).sort();

describe("retention policy", () => {
  it("parses durations and lets an agent override or switch off each rule", () => {
    expect(parseDuration("90s")).toBe(90_000);
    expect(parseDuration("30d")).toBe(30 * DAY);
    expect(parseDuration("1w")).toBeUndefined();
    const server = { ...NO_RETENTION, runMaxAgeMs: 30 * DAY, threadIdleMs: DAY };
    expect(effectivePolicy(server, null)).toBe(server);
    expect(effectivePolicy(server, { runMaxAge: "1d", threadIdleTimeout: null, runMaxCount: 3 })).toEqual({
      ...server,
      runMaxAgeMs: DAY,
      threadIdleMs: null,
      runMaxCount: 3,
    });
  });
});

describe("retention pruner", () => {
  it("removes finished runs past the age limit in batches and never a running one", async () => {
    const store = createMemoryStore();
    const agent = await store.agents.create(newAgent("a"));
    const old = [];
    for (let i = 0; i < 5; i++) old.push(await finished(store, agent.id, 40));
    const young = await finished(store, agent.id, 1);
    const running = (await store.runs.create(newRun(agent.id))).run;
    await store.runs.update(running.id, { status: "running", startedAt: daysAgo(45) });
    const stats = await pruner(store, { runMaxAgeMs: 30 * DAY }).runOnce(NOW);
    expect(stats.runsPruned).toBe(5);
    expect(await runIds(store, agent.id)).toEqual([young.id, running.id].sort());
    expect(await store.retention.tombstone(old[0]!.id)).toMatchObject({ reason: "expired" });
    expect(stats).toMatchObject({ passes: 1, lastPassAt: NOW.toISOString(), sizeBytes: null });
    expect(stats.oldestRunAt).toBe(young.createdAt);
  });

  it("keeps the newest runs by count, and an agent's override wins over the server's rules", async () => {
    const store = createMemoryStore();
    const plain = await store.agents.create(newAgent("plain"));
    const strict = await store.agents.create({ ...newAgent("strict"), retention: { runMaxCount: 1 } });
    const keeper = await store.agents.create({ ...newAgent("keeper"), retention: { runMaxAge: null } });
    for (const agent of [plain, strict, keeper]) {
      for (let i = 0; i < 3; i++) await finished(store, agent.id, 10 - i);
    }
    await pruner(store, { runMaxAgeMs: 9.5 * DAY, runMaxCount: 2 }).runOnce(NOW);
    // plain: the 10-day-old run is past the age, the rest within the count.
    expect(await runIds(store, plain.id)).toHaveLength(2);
    // strict: its own count of 1.
    expect(await runIds(store, strict.id)).toHaveLength(1);
    // keeper: no age limit of its own, the server's count of 2 still applies.
    expect(await runIds(store, keeper.id)).toHaveLength(2);
  });

  it("bounds each schedule's run history", async () => {
    const store = createMemoryStore();
    const agent = await store.agents.create(newAgent("cron"));
    const base = {
      agentId: agent.id,
      cron: "* * * * *",
      timezone: "UTC",
      input: null,
      webhookUrl: null,
      overlap: "skip" as const,
    };
    await store.schedules.create({ ...base, id: "sch_1", enabled: true, nextRunAt: null });
    for (let i = 0; i < 4; i++) await finished(store, agent.id, 1, { scheduleId: "sch_1" });
    const manual = await finished(store, agent.id, 1);
    await pruner(store, { scheduleRunMaxCount: 2 }).runOnce(NOW);
    const left = (await store.runs.list({ agentId: agent.id, limit: 10 })).items;
    expect(left.filter((r) => r.scheduleId === "sch_1")).toHaveLength(2);
    expect(left.map((r) => r.id)).toContain(manual.id);
  });

  it("compacts token deltas but keeps the run's final output", async () => {
    const store = createMemoryStore();
    const agent = await store.agents.create(newAgent("chatty"));
    const run = await finished(store, agent.id, 2);
    const stats = await pruner(store, { compactEventsAfterMs: DAY }).runOnce(NOW);
    expect(stats.runsCompacted).toBe(1);
    expect(await store.runs.get(run.id)).toMatchObject({ status: "succeeded", output: "42" });
    const events = await store.runs.events(run.id, 0);
    expect(events.map((e) => e.data)).toEqual([{ type: "run.finished", status: "succeeded", output: "42" }]);
  });

  it("expires idle threads, per agent and unbound ones by the server's rule", async () => {
    const store = createMemoryStore();
    const agent = await store.agents.create({ ...newAgent("t"), retention: { threadIdleTimeout: "1h" } });
    await store.threads.create({ id: "thr_agent", agentId: agent.id, metadata: {} });
    await store.threads.create({ id: "thr_free", agentId: null, metadata: {} });
    await store.threads.create({ id: "thr_recent", agentId: null, metadata: {} });
    await store.threads.touch("thr_agent", daysAgo(0.5));
    await store.threads.touch("thr_free", daysAgo(3));
    await store.threads.touch("thr_recent", daysAgo(1));
    const stats = await pruner(store, { threadIdleMs: 2 * DAY }).runOnce(NOW);
    expect(stats.threadsExpired).toBe(2);
    expect(await store.threads.get("thr_agent")).toBeUndefined();
    expect(await store.threads.get("thr_free")).toBeUndefined();
    expect(await store.threads.get("thr_recent")).toBeDefined();
  });

  it("runs passes in the background until stopped, and forgets old tombstones", async () => {
    const store = createMemoryStore();
    const agent = await store.agents.create(newAgent("bg"));
    const run = await finished(store, agent.id, 1);
    await store.retention.deleteRun(run.id, "deleted");
    const background = pruner(store, {});
    background.start();
    background.start(); // a second start changes nothing
    await expect.poll(() => background.stats().passes, { timeout: 10_000 }).toBeGreaterThan(0);
    await background.stop();
    expect(await store.retention.tombstone(run.id)).toBeDefined();
    // 31 days later the tombstone is past its 30-day TTL.
    await pruner(store, {}).runOnce(new Date(Date.now() + 31 * DAY));
    expect(await store.retention.tombstone(run.id)).toBeUndefined();
  });
});
