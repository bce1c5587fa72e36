import { ErrorCode } from "@agentrt/core";
import type { AgentRecord } from "@agentrt/runtime";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createSqliteStore, type SqliteStore } from "./sqlite-store.js";
import { newAgent, newestFirst } from "./test-fixtures.js";

let store: SqliteStore;
beforeEach(() => {
  store = createSqliteStore({ path: ":memory:" });
});
afterEach(() => store.close());

describe("agents.create", () => {
  it("stores the agent active at revision 1 together with revision 1", async () => {
    const input = newAgent({ description: "helps", config: { nested: { b: 1, a: [1, 2] } } });
    const agent = await store.agents.create(input);
    expect(agent).toMatchObject({ ...input, revision: 1, status: "active" });
    expect(agent.createdAt).toBe(agent.updatedAt);
    expect(await store.agents.revision(agent.id, 1)).toEqual({
      agentId: agent.id,
      revision: 1,
      templateVersion: "1.0.0",
      config: input.config,
      createdAt: agent.createdAt,
    });
  });

  it("rejects a taken name with AGENT_NAME_TAKEN and writes nothing", async () => {
    await store.agents.create(newAgent({ name: "dup" }));
    const second = newAgent({ name: "dup" });
    await expect(store.agents.create(second)).rejects.toMatchObject({
      code: ErrorCode.AGENT_NAME_TAKEN,
      details: { name: "dup" },
    });
    expect(await store.agents.get(second.id)).toBeUndefined();
    expect(await store.agents.revision(second.id, 1)).toBeUndefined();
  });

  it("rethrows other constraint failures unchanged", async () => {
    const agent = await store.agents.create(newAgent());
    await expect(store.agents.create(newAgent({ id: agent.id }))).rejects.toThrow(
      /UNIQUE constraint failed: agents.id/,
    );
  });
});

describe("agents.get", () => {
  it("finds by id, then by name", async () => {
    const agent = await store.agents.create(newAgent({ name: "by-name" }));
    expect(await store.agents.get(agent.id)).toEqual(agent);
    expect(await store.agents.get("by-name")).toEqual(agent);
    expect(await store.agents.get("missing")).toBeUndefined();
    // An id wins over a name that happens to equal it.
    const impostor = await store.agents.create(newAgent({ name: agent.id }));
    expect(await store.agents.get(agent.id)).toEqual(agent);
    expect(await store.agents.get(impostor.id)).toEqual(impostor);
  });
});

describe("agents.update", () => {
  it("patches plain fields without a new revision", async () => {
    const agent = await store.agents.create(newAgent());
    const updated = await store.agents.update(agent.id, {
      name: "renamed",
      description: "now described",
      status: "paused",
      templateRange: "^2",
    });
    expect(updated).toMatchObject({
      name: "renamed",
      description: "now described",
      status: "paused",
      templateRange: "^2",
      revision: 1,
      config: agent.config,
    });
    expect(updated.updatedAt >= agent.updatedAt).toBe(true);
    expect((await store.agents.revisions(agent.id, { limit: 10 })).items).toHaveLength(1);
    expect(await store.agents.update(agent.id, { description: null })).toMatchObject({ description: null });
  });

  it("bumps the revision when the config changes and records it", async () => {
    const agent = await store.agents.create(newAgent());
    const updated = await store.agents.update(agent.id, { config: { model: "other" } });
    expect(updated).toMatchObject({ revision: 2, config: { model: "other" } });
    expect(await store.agents.revision(agent.id, 2)).toMatchObject({
      revision: 2,
      templateVersion: "1.0.0",
      config: { model: "other" },
      createdAt: updated.updatedAt,
    });
    expect(await store.agents.revision(agent.id, 1)).toMatchObject({ config: agent.config });
  });

  it("bumps the revision when the template version changes", async () => {
    const agent = await store.agents.create(newAgent());
    const updated = await store.agents.update(agent.id, { templateVersion: "1.1.0" });
    expect(updated).toMatchObject({ revision: 2, templateVersion: "1.1.0", config: agent.config });
    expect(await store.agents.revision(agent.id, 2)).toMatchObject({ templateVersion: "1.1.0" });
  });

  it("does not create a revision for an equal config, whatever its key order", async () => {
    const agent = await store.agents.create(newAgent({ config: { a: 1, b: { c: 2, d: 3 } } }));
    const updated = await store.agents.update(agent.id, {
      config: { b: { d: 3, c: 2 }, a: 1 },
      templateVersion: agent.templateVersion,
    });
    expect(updated.revision).toBe(1);
    expect(await store.agents.revision(agent.id, 2)).toBeUndefined();
  });

  it("throws AGENT_NOT_FOUND for an unknown id", async () => {
    await expect(store.agents.update("agt_missing", { name: "x" })).rejects.toMatchObject({
      code: ErrorCode.AGENT_NOT_FOUND,
    });
  });

  it("throws AGENT_NAME_TAKEN on rename to a taken name and keeps the agent unchanged", async () => {
    await store.agents.create(newAgent({ name: "taken" }));
    const agent = await store.agents.create(newAgent({ name: "mine" }));
    await expect(
      store.agents.update(agent.id, { name: "taken", config: { changed: true } }),
    ).rejects.toMatchObject({ code: ErrorCode.AGENT_NAME_TAKEN });
    expect(await store.agents.get(agent.id)).toEqual(agent);
    expect(await store.agents.revision(agent.id, 2)).toBeUndefined();
  });
});

describe("agents.delete", () => {
  it("removes the agent with its revisions, runs, events, schedules and threads", async () => {
    const agent = await store.agents.create(newAgent());
    const other = await store.agents.create(newAgent());
    await store.agents.update(agent.id, { config: { v: 2 } });
    const { run } = await store.runs.create({
      id: "run_1",
      agentId: agent.id,
      agentRevision: 2,
      threadId: null,
      scheduleId: null,
      input: null,
      idempotencyKey: null,
      webhookUrl: null,
      timeoutMs: 1000,
    });
    await store.runs.appendEvent(run.id, { type: "run.queued" });
    await store.schedules.create({
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
    await store.threads.create({ id: "thr_1", agentId: agent.id, metadata: {} });

    expect(await store.agents.delete(agent.id)).toBe(true);
    expect(await store.agents.get(agent.id)).toBeUndefined();
    expect(await store.agents.revision(agent.id, 1)).toBeUndefined();
    expect(await store.runs.get(run.id)).toBeUndefined();
    expect(await store.runs.events(run.id, 0)).toEqual([]);
    expect(await store.schedules.get("sch_1")).toBeUndefined();
    expect(await store.threads.get("thr_1")).toBeUndefined();
    expect(await store.agents.get(other.id)).toEqual(other);
    expect(await store.agents.delete(agent.id)).toBe(false);
  });
});

describe("agents.list and revisions", () => {
  it("pages newest first and filters by template and status", async () => {
    const created: AgentRecord[] = [];
    for (let i = 0; i < 5; i++) {
      created.push(await store.agents.create(newAgent({ templateName: i % 2 === 0 ? "task" : "chat" })));
    }
    await store.agents.update(created[4]!.id, { status: "paused" });
    const ids = newestFirst(created);

    const first = await store.agents.list({ limit: 2 });
    expect(first.items.map((agent) => agent.id)).toEqual(ids.slice(0, 2));
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = await store.agents.list({ limit: 2, cursor: first.nextCursor! });
    expect(second.items.map((agent) => agent.id)).toEqual(ids.slice(2, 4));
    const third = await store.agents.list({ limit: 2, cursor: second.nextCursor! });
    expect(third.items.map((agent) => agent.id)).toEqual(ids.slice(4));
    expect(third.nextCursor).toBeNull();

    const exact = await store.agents.list({ limit: 5 });
    expect(exact.items).toHaveLength(5);
    expect(exact.nextCursor).toBeNull();

    const tasks = await store.agents.list({ limit: 10, templateName: "task" });
    const taskAgents = created.filter((agent) => agent.templateName === "task");
    expect(tasks.items.map((agent) => agent.id)).toEqual(newestFirst(taskAgents));
    const activeTasks = await store.agents.list({ limit: 10, templateName: "task", status: "active" });
    expect(activeTasks.items.map((agent) => agent.id)).toEqual(
      newestFirst(taskAgents.filter((agent) => agent.id !== created[4]!.id)),
    );
  });

  it("pages revisions newest first", async () => {
    const agent = await store.agents.create(newAgent());
    for (let v = 2; v <= 4; v++) await store.agents.update(agent.id, { config: { v } });
    const first = await store.agents.revisions(agent.id, { limit: 3 });
    expect(first.items.map((revision) => revision.revision)).toEqual([4, 3, 2]);
    const second = await store.agents.revisions(agent.id, { limit: 3, cursor: first.nextCursor! });
    expect(second).toEqual({ items: [expect.objectContaining({ revision: 1 })], nextCursor: null });
  });

  it("rejects a revision cursor that is not a revision number", async () => {
    const agent = await store.agents.create(newAgent());
    await expect(store.agents.revisions(agent.id, { limit: 1, cursor: "x" })).rejects.toMatchObject({
      code: ErrorCode.BAD_REQUEST,
    });
  });
});
