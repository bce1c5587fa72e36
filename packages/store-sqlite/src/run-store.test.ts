import { ErrorCode } from "@agentrt/core";
import type { AgentRecord } from "@agentrt/runtime";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createSqliteStore, type SqliteStore } from "./sqlite-store.js";
import { newAgent, newestFirst, newRun } from "./test-fixtures.js";

let store: SqliteStore;
let agent: AgentRecord;
beforeEach(async () => {
  store = createSqliteStore({ path: ":memory:" });
  agent = await store.agents.create(newAgent());
});
afterEach(() => store.close());

describe("runs.create", () => {
  it("inserts a queued run with defaults", async () => {
    const input = newRun(agent.id, {
      threadId: "thr_1",
      scheduleId: "sch_1",
      webhookUrl: "http://127.0.0.1/x",
    });
    const { run, created } = await store.runs.create(input);
    expect(created).toBe(true);
    expect(run).toEqual({
      ...input,
      invokeDepth: 0,
      traceParent: null,
      traceState: null,
      requestId: null,
      status: "queued",
      output: null,
      error: null,
      webhookDeliveries: [],
      createdAt: expect.any(String),
      startedAt: null,
      finishedAt: null,
    });
    expect(await store.runs.get(run.id)).toEqual(run);
    expect(await store.runs.get("run_missing")).toBeUndefined();
  });

  it("stores an undefined input as null", async () => {
    const { run } = await store.runs.create(newRun(agent.id, { input: undefined }));
    expect(run.input).toBeNull();
  });

  it("throws AGENT_NOT_FOUND for an unknown agent", async () => {
    await expect(store.runs.create(newRun("agt_missing"))).rejects.toMatchObject({
      code: ErrorCode.AGENT_NOT_FOUND,
    });
  });

  it("rethrows other insert failures unchanged", async () => {
    const { run } = await store.runs.create(newRun(agent.id));
    await expect(store.runs.create(newRun(agent.id, { id: run.id }))).rejects.toThrow(/UNIQUE constraint/);
  });

  it("returns the existing run for a reused idempotency key inside the window", async () => {
    const since = new Date(Date.now() - 60_000).toISOString();
    const first = await store.runs.create(newRun(agent.id, { idempotencyKey: "k1" }), since);
    const again = await store.runs.create(newRun(agent.id, { idempotencyKey: "k1" }), since);
    expect(again).toEqual({ run: first.run, created: false, events: [] });
    // Without a window the key is not checked.
    expect((await store.runs.create(newRun(agent.id, { idempotencyKey: "k1" }))).created).toBe(true);
  });

  it("creates a new run once the earlier use is older than the window", async () => {
    const first = await store.runs.create(
      newRun(agent.id, { idempotencyKey: "k1" }),
      "1970-01-01T00:00:00.000Z",
    );
    const future = new Date(Date.now() + 60_000).toISOString();
    const again = await store.runs.create(newRun(agent.id, { idempotencyKey: "k1" }), future);
    expect(again.created).toBe(true);
    expect(again.run.id).not.toBe(first.run.id);
  });

  it("scopes idempotency keys to the agent", async () => {
    const other = await store.agents.create(newAgent());
    const since = "1970-01-01T00:00:00.000Z";
    await store.runs.create(newRun(agent.id, { idempotencyKey: "k1" }), since);
    expect((await store.runs.create(newRun(other.id, { idempotencyKey: "k1" }), since)).created).toBe(true);
  });

  it("creates exactly one run for concurrent requests with one key", async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        store.runs.create(newRun(agent.id, { idempotencyKey: "same" }), "1970-01-01T00:00:00.000Z"),
      ),
    );
    expect(results.filter((result) => result.created)).toHaveLength(1);
    expect(new Set(results.map((result) => result.run.id)).size).toBe(1);
  });
});

describe("runs.update", () => {
  it("applies only the given fields", async () => {
    const { run } = await store.runs.create(newRun(agent.id));
    const started = await store.runs.update(run.id, {
      status: "running",
      startedAt: "2030-01-01T00:00:00.000Z",
    });
    expect(started).toEqual({ ...run, status: "running", startedAt: "2030-01-01T00:00:00.000Z" });
    const finished = await store.runs.update(run.id, {
      status: "failed",
      output: { partial: true },
      error: { code: ErrorCode.RUN_FAILED, message: "boom" },
      finishedAt: "2030-01-01T00:00:01.000Z",
      webhookDeliveries: [{ attempt: 1, at: "2030-01-01T00:00:02.000Z", status: 500, error: null }],
    });
    expect(finished).toEqual({
      ...started,
      status: "failed",
      output: { partial: true },
      error: { code: ErrorCode.RUN_FAILED, message: "boom" },
      finishedAt: "2030-01-01T00:00:01.000Z",
      webhookDeliveries: [{ attempt: 1, at: "2030-01-01T00:00:02.000Z", status: 500, error: null }],
    });
    const cleared = await store.runs.update(run.id, { status: "queued", startedAt: null, error: null });
    expect(cleared).toMatchObject({
      status: "queued",
      startedAt: null,
      error: null,
      output: { partial: true },
    });
    expect(await store.runs.get(run.id)).toEqual(cleared);
  });

  it("throws RUN_NOT_FOUND for an unknown run", async () => {
    await expect(store.runs.update("run_missing", { status: "running" })).rejects.toMatchObject({
      code: ErrorCode.RUN_NOT_FOUND,
    });
  });
});

describe("runs.list and listByStatus", () => {
  it("pages newest first with agent, status and thread filters", async () => {
    const other = await store.agents.create(newAgent());
    const runs = [];
    for (let i = 0; i < 6; i++) {
      const { run } = await store.runs.create(
        newRun(i % 2 === 0 ? agent.id : other.id, { threadId: i < 3 ? "thr_a" : null }),
      );
      runs.push(run);
    }
    await store.runs.update(runs[0]!.id, { status: "running" });

    const all: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await store.runs.list({ limit: 4, cursor });
      all.push(...page.items.map((run) => run.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(all).toEqual(newestFirst(runs));

    const mine = runs.filter((run) => run.agentId === agent.id);
    expect((await store.runs.list({ limit: 10, agentId: agent.id })).items.map((run) => run.id)).toEqual(
      newestFirst(mine),
    );
    expect((await store.runs.list({ limit: 10, status: "running" })).items.map((run) => run.id)).toEqual([
      runs[0]!.id,
    ]);
    expect(
      (
        await store.runs.list({ limit: 10, agentId: agent.id, threadId: "thr_a", status: "queued" })
      ).items.map((run) => run.id),
    ).toEqual([runs[2]!.id]);
  });

  it("lists runs in the given states oldest first", async () => {
    const runs = [];
    for (let i = 0; i < 4; i++) runs.push((await store.runs.create(newRun(agent.id))).run);
    await store.runs.update(runs[1]!.id, { status: "running" });
    await store.runs.update(runs[2]!.id, { status: "succeeded" });
    const oldestFirst = newestFirst([runs[0]!, runs[1]!, runs[3]!]).reverse();
    expect((await store.runs.listByStatus(["queued", "running"], 10)).map((run) => run.id)).toEqual(
      oldestFirst,
    );
    expect((await store.runs.listByStatus(["queued", "running"], 2)).map((run) => run.id)).toEqual(
      oldestFirst.slice(0, 2),
    );
    expect(await store.runs.listByStatus(["timed_out"], 10)).toEqual([]);
  });
});

describe("runs events", () => {
  it("numbers events per run from 1 and reads them after a seq", async () => {
    const { run } = await store.runs.create(newRun(agent.id));
    const { run: other } = await store.runs.create(newRun(agent.id));
    const first = await store.runs.appendEvent(run.id, { type: "run.queued" });
    expect(first).toEqual({
      runId: run.id,
      seq: 1,
      type: "run.queued",
      data: { type: "run.queued" },
      createdAt: expect.any(String),
    });
    await store.runs.appendEvent(run.id, { type: "run.started" });
    await store.runs.appendEvent(other.id, { type: "run.queued" });
    await store.runs.appendEvent(run.id, { type: "output.delta", text: "hi" });

    const events = await store.runs.events(run.id, 0);
    expect(events.map((event) => [event.seq, event.type])).toEqual([
      [1, "run.queued"],
      [2, "run.started"],
      [3, "output.delta"],
    ]);
    expect(events[0]).toEqual(first);
    expect(events[2]!.data).toEqual({ type: "output.delta", text: "hi" });
    expect((await store.runs.events(run.id, 1)).map((event) => event.seq)).toEqual([2, 3]);
    expect((await store.runs.events(run.id, 0, 2)).map((event) => event.seq)).toEqual([1, 2]);
    expect(await store.runs.events(run.id, 3)).toEqual([]);
    expect((await store.runs.events(other.id, 0)).map((event) => event.seq)).toEqual([1]);
  });

  it("assigns distinct consecutive seqs to concurrent appends", async () => {
    const { run } = await store.runs.create(newRun(agent.id));
    const appended = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        store.runs.appendEvent(run.id, { type: "progress", done: i, total: 200 }),
      ),
    );
    expect(appended.map((event) => event.seq).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 200 }, (_, i) => i + 1),
    );
    const stored = await store.runs.events(run.id, 0);
    expect(stored.map((event) => event.seq)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    // Each stored event is the one returned to its appender.
    expect(stored).toEqual([...appended].sort((a, b) => a.seq - b.seq));
  });

  it("appends a batch in one step, numbered on from what is stored, interleaved with single appends", async () => {
    const { run } = await store.runs.create(newRun(agent.id));
    await store.runs.appendEvent(run.id, { type: "run.queued" });
    const [batch, single] = await Promise.all([
      store.runs.appendEvents(run.id, [
        { type: "output.delta", text: "a" },
        { type: "output.delta", text: "b" },
        { type: "output.delta", text: "c" },
      ]),
      store.runs.appendEvent(run.id, { type: "run.started" }),
    ]);
    expect(batch.events.map((event) => [event.seq, event.data])).toEqual([
      [2, { type: "output.delta", text: "a" }],
      [3, { type: "output.delta", text: "b" }],
      [4, { type: "output.delta", text: "c" }],
    ]);
    expect(batch.run).toEqual(run);
    expect(single.seq).toBe(5);
    expect(await store.runs.events(run.id, 1)).toEqual([...batch.events, single]);
  });

  it("applies a patch to the run in the same step as a batch, and only that patch", async () => {
    const { run } = await store.runs.create(newRun(agent.id));
    const { events, run: finished } = await store.runs.appendEvents(
      run.id,
      [{ type: "run.finished", status: "succeeded", output: { ok: true } }],
      { status: "succeeded", output: { ok: true }, finishedAt: "2026-01-01T00:00:00.000Z" },
    );
    expect(events.map((event) => event.seq)).toEqual([1]);
    expect(finished).toEqual({
      ...run,
      status: "succeeded",
      output: { ok: true },
      finishedAt: "2026-01-01T00:00:00.000Z",
    });
    expect(await store.runs.get(run.id)).toEqual(finished);
    // A batch that fails leaves the row as it was, too.
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    await expect(
      store.runs.appendEvents(run.id, [{ type: "output", output: circular }], { status: "failed" }),
    ).rejects.toThrow();
    expect(await store.runs.get(run.id)).toEqual(finished);
  });

  it("throws RUN_NOT_FOUND when appending to an unknown run, and stores nothing of a failed batch", async () => {
    await expect(store.runs.appendEvent("run_missing", { type: "run.queued" })).rejects.toMatchObject({
      code: ErrorCode.RUN_NOT_FOUND,
    });
    await expect(store.runs.appendEvents("run_missing", [{ type: "run.queued" }])).rejects.toMatchObject({
      code: ErrorCode.RUN_NOT_FOUND,
    });
    const { run } = await store.runs.create(newRun(agent.id));
    // A payload JSON can't encode fails the whole batch: the first event is not kept either.
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    await expect(
      store.runs.appendEvents(run.id, [{ type: "run.queued" }, { type: "output", output: circular }]),
    ).rejects.toThrow();
    expect(await store.runs.events(run.id, 0)).toEqual([]);
    expect((await store.runs.appendEvent(run.id, { type: "run.queued" })).seq).toBe(1);
  });
});
