import { afterEach, describe, expect, it } from "vitest";
import { createId } from "./ids.js";
import type { RunStatus } from "./run-events.js";
import {
  type NewAgent,
  type NewRun,
  type Store,
  UNSTORED_RUNS_KEPT_MS,
  type UnstoredRunRecord,
} from "./store.js";

/** What a store reports since `since`: per version of the `task` template (in order), and of one agent. */
async function usageSince(store: Store, agentId: string, since: string) {
  const versions = await store.runs.usageByTemplateVersion("task", since);
  return {
    versions: versions.sort((a, b) => a.templateVersion.localeCompare(b.templateVersion)),
    agent: await store.runs.agentUsage(agentId, since),
  };
}

export function newAgent(name: string, config: Record<string, unknown> = { a: 1, b: { c: 2 } }): NewAgent {
  return {
    id: createId("agt"),
    name,
    description: null,
    templateName: "task",
    templateRange: "^1",
    templateVersion: "1.0.0",
    config,
  };
}

export function newRun(agentId: string, overrides: Partial<NewRun> = {}): NewRun {
  return {
    id: createId("run"),
    agentId,
    agentRevision: 1,
    threadId: null,
    scheduleId: null,
    input: { q: 1 },
    idempotencyKey: null,
    webhookUrl: null,
    timeoutMs: 1000,
    ...overrides,
  };
}

async function allPages<T>(
  fetch: (cursor: string | undefined) => Promise<{ items: T[]; nextCursor: string | null }>,
) {
  const pages: T[][] = [];
  let cursor: string | undefined;
  do {
    const page = await fetch(cursor);
    pages.push(page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return pages;
}

/** Ids are time-sortable; creating in separate milliseconds makes the expected order certain. */
async function tick(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 2));
}

export interface StoreConformanceOptions {
  /** Opens a fresh, empty store; each test opens its own and the suite closes it. */
  open(): Store | Promise<Store>;
}

/**
 * The contract every `Store` must keep, as vitest tests: agents and revisions, runs and their event
 * log, schedules' tick claims, API keys, threads and their admission lease. Store authors call it
 * from a test file: `describeStoreConformance("my store", { open: () => createMyStore() })`.
 */
export function describeStoreConformance(name: string, options: StoreConformanceOptions): void {
  const opened: Store[] = [];
  const open = async () => {
    const store = await options.open();
    opened.push(store);
    return store;
  };
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((store) => store.close()));
  });

  describe(`${name}: agents`, () => {
    it("creates with revision 1, finds by id or name and refuses a taken name", async () => {
      const store = await open();
      const agent = await store.agents.create(newAgent("alpha"));
      expect(agent).toMatchObject({ name: "alpha", revision: 1, status: "active" });
      expect(await store.agents.get(agent.id)).toEqual(agent);
      expect(await store.agents.get("alpha")).toEqual(agent);
      expect(await store.agents.get("missing")).toBeUndefined();
      await expect(store.agents.create(newAgent("alpha"))).rejects.toMatchObject({
        code: "AGENT_NAME_TAKEN",
      });
      expect(await store.agents.revision(agent.id, 1)).toMatchObject({ revision: 1, config: agent.config });
    });

    it("bumps the revision only when config or template version really change", async () => {
      const store = await open();
      const agent = await store.agents.create(newAgent("alpha"));
      const reordered = await store.agents.update(agent.id, {
        config: { b: { c: 2 }, a: 1 },
        description: "d",
      });
      expect(reordered).toMatchObject({ revision: 1, description: "d" });
      expect((await store.agents.update(agent.id, { status: "paused" })).revision).toBe(1);
      expect((await store.agents.update(agent.id, { config: { a: 2 } })).revision).toBe(2);
      expect((await store.agents.update(agent.id, { templateVersion: "1.1.0" })).revision).toBe(3);
      const updated = await store.agents.update(agent.id, { name: "beta", templateRange: "^1.1" });
      expect(updated).toMatchObject({ name: "beta", templateRange: "^1.1", revision: 3, status: "paused" });
      expect(await store.agents.get("alpha")).toBeUndefined();

      const pages = await allPages((cursor) => store.agents.revisions(agent.id, { limit: 2, cursor }));
      expect(pages.map((p) => p.map((r) => r.revision))).toEqual([[3, 2], [1]]);
      expect(await store.agents.revision(agent.id, 2)).toMatchObject({
        config: { a: 2 },
        templateVersion: "1.0.0",
      });
    });

    it("keeps an agent's limits, replaced without a new revision", async () => {
      const store = await open();
      const plain = await store.agents.create(newAgent("plain"));
      expect(plain.limits).toEqual({
        maxConcurrentRuns: null,
        maxRunsPerMinute: null,
        maxTokensPerDay: null,
      });
      const limits = { maxConcurrentRuns: 2, maxRunsPerMinute: null, maxTokensPerDay: 1000 };
      const limited = await store.agents.create({ ...newAgent("limited"), limits });
      expect((await store.agents.get(limited.id))?.limits).toEqual(limits);
      const changed = { ...limits, maxRunsPerMinute: 5 };
      const updated = await store.agents.update(limited.id, { limits: changed });
      expect(updated).toMatchObject({ limits: changed, revision: 1 });
      expect((await store.agents.get("limited"))?.limits).toEqual(changed);
      expect((await store.agents.update(limited.id, { description: "d" })).limits).toEqual(changed);
    });

    it("refuses renaming onto a taken name and updating a missing agent", async () => {
      const store = await open();
      const a = await store.agents.create(newAgent("a"));
      await store.agents.create(newAgent("b"));
      await expect(store.agents.update(a.id, { name: "b" })).rejects.toMatchObject({
        code: "AGENT_NAME_TAKEN",
      });
      expect((await store.agents.update(a.id, { name: "a" })).name).toBe("a");
      await expect(store.agents.update("agt_missing", {})).rejects.toMatchObject({ code: "AGENT_NOT_FOUND" });
    });

    it("lists newest first with a cursor and filters, and deletes with revisions", async () => {
      const store = await open();
      const ids: string[] = [];
      for (const name of ["a", "b", "c", "d", "e"]) {
        ids.push((await store.agents.create(newAgent(name))).id);
        await tick();
      }
      await store.agents.update(ids[1]!, { status: "paused" });
      const pages = await allPages((cursor) => store.agents.list({ limit: 2, cursor }));
      expect(pages.map((p) => p.map((a) => a.name))).toEqual([["e", "d"], ["c", "b"], ["a"]]);
      expect((await store.agents.list({ limit: 10, status: "paused" })).items.map((a) => a.name)).toEqual([
        "b",
      ]);
      expect((await store.agents.list({ limit: 10, templateName: "other" })).items).toEqual([]);
      expect((await store.agents.list({ limit: 5 })).nextCursor).toBeNull();
      expect(await store.agents.delete(ids[0]!)).toBe(true);
      expect(await store.agents.delete(ids[0]!)).toBe(false);
      expect(await store.agents.revision(ids[0]!, 1)).toBeUndefined();
    });

    it("hands out copies, so callers cannot change stored state", async () => {
      const store = await open();
      const agent = await store.agents.create(newAgent("alpha"));
      agent.config.a = 99;
      expect((await store.agents.get(agent.id))!.config.a).toBe(1);
    });
  });

  describe(`${name}: runs and events`, () => {
    async function withAgent(): Promise<{ store: Store; agentId: string }> {
      const store = await open();
      return { store, agentId: (await store.agents.create(newAgent("a"))).id };
    }

    it("creates queued runs and honours the idempotency window", async () => {
      const { store, agentId } = await withAgent();
      const since = new Date(Date.now() - 60_000).toISOString();
      const first = await store.runs.create(newRun(agentId, { idempotencyKey: "k" }), since);
      expect(first.created).toBe(true);
      expect(first.run).toMatchObject({ status: "queued", output: null, error: null, webhookDeliveries: [] });
      const again = await store.runs.create(newRun(agentId, { idempotencyKey: "k" }), since);
      expect(again).toEqual({ run: first.run, created: false, events: [] });
      // Outside the window the key is free again.
      const later = new Date(Date.now() + 60_000).toISOString();
      expect((await store.runs.create(newRun(agentId, { idempotencyKey: "k" }), later)).created).toBe(true);
      // No window given: no idempotency lookup.
      expect((await store.runs.create(newRun(agentId, { idempotencyKey: "k" }))).created).toBe(true);
      // A run id is never reused: a second insert under it fails (the message is the store's own).
      await expect(store.runs.create(newRun(agentId, { id: first.run.id }))).rejects.toThrow();
    });

    it("stores a new run's first events with it, numbered from 1, and none on an idempotent hit", async () => {
      const { store, agentId } = await withAgent();
      const since = new Date(Date.now() - 60_000).toISOString();
      const first = await store.runs.create(newRun(agentId, { idempotencyKey: "e" }), since, [
        { type: "run.queued" },
        { type: "progress", done: 0, total: 2 },
      ]);
      expect(first.events.map((e) => [e.seq, e.type, e.runId])).toEqual([
        [1, "run.queued", first.run.id],
        [2, "progress", first.run.id],
      ]);
      expect(await store.runs.events(first.run.id, 0)).toEqual(first.events);
      // Later appends continue after them.
      expect((await store.runs.appendEvent(first.run.id, { type: "run.started" })).seq).toBe(3);
      const again = await store.runs.create(newRun(agentId, { idempotencyKey: "e" }), since, [
        { type: "run.queued" },
      ]);
      expect(again.created).toBe(false);
      expect(again.events).toEqual([]);
      expect((await store.runs.events(first.run.id, 0)).length).toBe(3);
    });

    it("keeps a run's invokeAgent depth (0 unless given)", async () => {
      const { store, agentId } = await withAgent();
      const top = await store.runs.create(newRun(agentId));
      const child = await store.runs.create(newRun(agentId, { invokeDepth: 3 }));
      expect(top.run.invokeDepth).toBe(0);
      expect(child.run.invokeDepth).toBe(3);
      expect((await store.runs.get(child.run.id))?.invokeDepth).toBe(3);
      await store.runs.update(child.run.id, { status: "running" });
      expect((await store.runs.listByStatus(["running"], 10)).map((r) => r.invokeDepth)).toEqual([3]);
    });

    it("keeps a run's trace context and request id (null unless given) through updates and status listings", async () => {
      const { store, agentId } = await withAgent();
      const traceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
      const submitted = { traceParent, traceState: "vendor=x", requestId: "req-1" };
      const untraced = await store.runs.create(newRun(agentId));
      const traced = await store.runs.create(newRun(agentId, submitted));
      expect(untraced.run).toMatchObject({ traceParent: null, traceState: null, requestId: null });
      expect(traced.run).toMatchObject(submitted);
      await store.runs.update(traced.run.id, { status: "running" });
      const [listed] = await store.runs.listByStatus(["running"], 10);
      expect(listed).toMatchObject({ id: traced.run.id, ...submitted });
      const { run } = await store.runs.appendEvents(traced.run.id, [{ type: "run.queued" }], {
        status: "queued",
      });
      expect(run).toMatchObject(submitted);
      expect(await store.runs.get(traced.run.id)).toMatchObject(submitted);
    });

    it("reports usage of executed runs ended since a time: per template version and per agent", async () => {
      const { store, agentId } = await withAgent();
      await store.agents.update(agentId, { templateVersion: "1.1.0" });
      const other = await store.agents.create({ ...newAgent("b"), templateName: "other" });
      // One clock reading: with a fresh Date.now() per timestamp, a millisecond ticking between a
      // run's start and end made its duration 301 ms instead of 300.
      const now = Date.now();
      const at = (msAgo: number) => new Date(now - msAgo).toISOString();
      const base = 10 * 60_000;
      const ended = async (
        agent: string,
        revision: number,
        patch: Parameters<Store["runs"]["update"]>[1],
      ): Promise<void> => {
        const { run } = await store.runs.create(newRun(agent, { agentRevision: revision }));
        await store.runs.update(run.id, patch);
      };
      const took = (status: RunStatus, ms: number) => ({
        status,
        startedAt: at(base),
        finishedAt: at(base - ms),
      });
      await ended(agentId, 1, took("succeeded", 100));
      await ended(agentId, 1, took("failed", 300));
      await ended(agentId, 1, took("timed_out", 200));
      await ended(agentId, 2, took("succeeded", 50));
      await ended(agentId, 1, took("cancelled", 20));
      // Left out: cancelled before it started, ended before the window, still running, another template.
      await ended(agentId, 1, { status: "cancelled", finishedAt: at(base) });
      await ended(agentId, 1, { status: "succeeded", startedAt: at(3 * base), finishedAt: at(2 * base) });
      await ended(agentId, 1, { status: "running", startedAt: at(base) });
      await ended(other.id, 1, took("failed", 10));
      const since = at(1.5 * base);

      expect(await usageSince(store, agentId, since)).toEqual({
        versions: [
          { templateVersion: "1.0.0", runs: 4, errors: 2, p50Ms: 100, p95Ms: 300 },
          { templateVersion: "1.1.0", runs: 1, errors: 0, p50Ms: 50, p95Ms: 50 },
        ],
        agent: { runs: 5, errors: 2, p50Ms: 100, p95Ms: 300 },
      });
      expect(await store.runs.agentUsage(other.id, since)).toEqual({
        runs: 1,
        errors: 1,
        p50Ms: 10,
        p95Ms: 10,
      });
      expect(await store.runs.agentUsage("agt_missing", since)).toEqual({
        runs: 0,
        errors: 0,
        p50Ms: null,
        p95Ms: null,
      });
      expect(await store.runs.usageByTemplateVersion("nothing", since)).toEqual([]);
    });

    it("counts recorded unstored runs in usage and tokens like stored ones, and lets old ones go", async () => {
      const { store, agentId } = await withAgent();
      await store.agents.update(agentId, { templateVersion: "1.1.0" });
      const now = Date.now();
      const at = (msAgo: number) => new Date(now - msAgo).toISOString();
      const base = 10 * 60_000;
      const unstored = (
        revision: number,
        status: UnstoredRunRecord["status"],
        ms: number,
        tokens: number,
        endedAgo = base - ms,
      ): UnstoredRunRecord => ({
        agentId,
        agentRevision: revision,
        status,
        startedAt: at(endedAgo + ms),
        finishedAt: at(endedAgo),
        tokens,
      });
      // A stored run of revision 1 alongside.
      const { run } = await store.runs.create(newRun(agentId));
      await store.runs.appendEvents(run.id, [{ type: "usage", promptTokens: 3, completionTokens: 4 }], {
        status: "succeeded",
        startedAt: at(base),
        finishedAt: at(base - 100),
      });
      await store.runs.recordUnstored([]);
      await store.runs.recordUnstored([
        unstored(1, "succeeded", 200, 10),
        unstored(1, "failed", 400, 0),
        unstored(2, "succeeded", 50, 5),
      ]);
      await store.runs.recordUnstored([
        unstored(2, "timed_out", 300, 1),
        // Ended before the window: in the day's tokens, not in the hour's usage.
        unstored(1, "succeeded", 10, 1000, 3 * base),
      ]);
      const since = at(1.5 * base);
      expect(await usageSince(store, agentId, since)).toEqual({
        versions: [
          { templateVersion: "1.0.0", runs: 3, errors: 1, p50Ms: 200, p95Ms: 400 },
          { templateVersion: "1.1.0", runs: 2, errors: 1, p50Ms: 50, p95Ms: 300 },
        ],
        agent: { runs: 5, errors: 2, p50Ms: 200, p95Ms: 400 },
      });
      expect(await store.runs.tokensUsed(agentId, since)).toBe(7 + 10 + 5 + 1);
      expect(await store.runs.tokensUsed(agentId, at(4 * base))).toBe(7 + 10 + 5 + 1 + 1000);
      expect(await store.runs.tokensUsed("agt_other", at(4 * base))).toBe(0);

      // Every batch lets the records go that ended more than UNSTORED_RUNS_KEPT_MS ago, its own too.
      const longAgo = at(UNSTORED_RUNS_KEPT_MS + 120_000);
      await store.runs.recordUnstored([
        unstored(1, "succeeded", 10, 100_000, UNSTORED_RUNS_KEPT_MS + 60_000),
        unstored(1, "succeeded", 10, 1, base),
      ]);
      expect(await store.runs.tokensUsed(agentId, longAgo)).toBe(7 + 10 + 5 + 1 + 1000 + 1);
    });

    it("updates, lists with filters and lists by status oldest first", async () => {
      const { store, agentId } = await withAgent();
      await store.threads.create({ id: "thr_1", agentId: null, metadata: {} });
      const runs = [];
      for (let i = 0; i < 3; i++) {
        runs.push((await store.runs.create(newRun(agentId, { threadId: i === 0 ? "thr_1" : null }))).run);
        await tick();
      }
      await store.runs.update(runs[1]!.id, { status: "running", startedAt: new Date().toISOString() });
      await expect(store.runs.update("run_missing", {})).rejects.toMatchObject({ code: "RUN_NOT_FOUND" });
      expect((await store.runs.list({ limit: 10, status: "running" })).items.map((r) => r.id)).toEqual([
        runs[1]!.id,
      ]);
      expect((await store.runs.list({ limit: 10, threadId: "thr_1" })).items.map((r) => r.id)).toEqual([
        runs[0]!.id,
      ]);
      expect((await store.runs.list({ limit: 10, agentId: "agt_other" })).items).toEqual([]);
      const pages = await allPages((cursor) => store.runs.list({ limit: 2, cursor }));
      expect(pages.flat().map((r) => r.id)).toEqual([runs[2]!.id, runs[1]!.id, runs[0]!.id]);
      const queued = await store.runs.listByStatus(["queued", "running"], 2);
      expect(queued.map((r) => r.id)).toEqual([runs[0]!.id, runs[1]!.id]);
    });

    it("numbers events per run from 1 and reads after a seq", async () => {
      const { store, agentId } = await withAgent();
      const a = (await store.runs.create(newRun(agentId))).run;
      const b = (await store.runs.create(newRun(agentId))).run;
      for (let i = 0; i < 4; i++) await store.runs.appendEvent(a.id, { type: "progress", done: i, total: 4 });
      const first = await store.runs.appendEvent(b.id, { type: "run.queued" });
      expect(first).toMatchObject({ runId: b.id, seq: 1, type: "run.queued", data: { type: "run.queued" } });
      expect((await store.runs.events(a.id, 0)).map((e) => e.seq)).toEqual([1, 2, 3, 4]);
      expect((await store.runs.events(a.id, 2)).map((e) => e.seq)).toEqual([3, 4]);
      expect((await store.runs.events(a.id, 1, 2)).map((e) => e.seq)).toEqual([2, 3]);
      expect(await store.runs.events("run_missing", 0)).toEqual([]);
      await expect(store.runs.appendEvent("run_missing", { type: "run.queued" })).rejects.toMatchObject({
        code: "RUN_NOT_FOUND",
      });
    });

    it("sums the tokens of an agent's usage events since a time", async () => {
      const { store, agentId } = await withAgent();
      const other = (await store.agents.create(newAgent("other"))).id;
      const since = new Date(Date.now() - 1000).toISOString();
      expect(await store.runs.tokensUsed(agentId, since)).toBe(0);
      const a = (await store.runs.create(newRun(agentId))).run;
      const b = (await store.runs.create(newRun(agentId))).run;
      const c = (await store.runs.create(newRun(other))).run;
      const usage = (promptTokens: number, completionTokens: number) =>
        ({ type: "usage", promptTokens, completionTokens }) as const;
      await store.runs.appendEvents(a.id, [usage(10, 5), { type: "output.delta", text: "x" }, usage(1, 1)]);
      await store.runs.appendEvent(b.id, usage(100, 0));
      await store.runs.appendEvent(c.id, usage(1000, 1000));
      expect(await store.runs.tokensUsed(agentId, since)).toBe(117);
      expect(await store.runs.tokensUsed(other, since)).toBe(2000);
      expect(await store.runs.tokensUsed(agentId, new Date(Date.now() + 60_000).toISOString())).toBe(0);
    });

    it("appends a batch of events with consecutive seqs after the ones already stored", async () => {
      const { store, agentId } = await withAgent();
      const run = (await store.runs.create(newRun(agentId))).run;
      await store.runs.appendEvent(run.id, { type: "run.queued" });
      const batch = await store.runs.appendEvents(run.id, [
        { type: "output.delta", text: "a" },
        { type: "output.delta", text: "b" },
      ]);
      expect(batch.events.map((e) => [e.seq, e.data])).toEqual([
        [2, { type: "output.delta", text: "a" }],
        [3, { type: "output.delta", text: "b" }],
      ]);
      expect(batch.run).toEqual(run);
      expect((await store.runs.events(run.id, 0)).map((e) => e.seq)).toEqual([1, 2, 3]);
      const ended = await store.runs.appendEvents(run.id, [{ type: "run.started" }], { status: "running" });
      expect(ended.events.map((e) => e.seq)).toEqual([4]);
      expect(ended.run).toMatchObject({ id: run.id, status: "running" });
      expect(await store.runs.get(run.id)).toEqual(ended.run);
      await expect(store.runs.appendEvents("run_missing", [{ type: "run.queued" }])).rejects.toMatchObject({
        code: "RUN_NOT_FOUND",
      });
    });

    it("writes a run's events fenced by the node holding it (refusals: the store's own tests)", async () => {
      const { store, agentId } = await withAgent();
      const run = (await store.runs.create(newRun(agentId))).run;
      // The node that created a run holds it and its start hands out the fence; a store without
      // leases has one node only.
      const fence = store.leases ? await store.leases.start(run.id, null) : { holder: "this-node", epoch: 0 };
      if (typeof fence === "string") throw new Error(`the run did not start: ${fence}`);
      const started = await store.runs.appendEvents(
        run.id,
        [{ type: "run.started" }],
        { status: "running" },
        fence,
      );
      expect(started.events.map((e) => e.seq)).toEqual([1]);
      expect(started.run.status).toBe("running");
      await expect(store.runs.appendEvents("run_missing", [], {}, fence)).rejects.toMatchObject({
        code: "RUN_NOT_FOUND",
      });
    });
  });

  describe(`${name}: schedules`, () => {
    it("reports due schedules in due order and claims each tick once", async () => {
      const store = await open();
      const agent = await store.agents.create(newAgent("scheduled"));
      const base = {
        agentId: agent.id,
        cron: "* * * * *",
        timezone: "UTC",
        input: null,
        webhookUrl: null,
        enabled: true,
        overlap: "skip" as const,
      };
      const late = await store.schedules.create({
        ...base,
        id: "sch_1",
        nextRunAt: "2025-01-01T00:02:00.000Z",
      });
      const early = await store.schedules.create({
        ...base,
        id: "sch_2",
        nextRunAt: "2025-01-01T00:01:00.000Z",
      });
      await store.schedules.create({
        ...base,
        id: "sch_3",
        enabled: false,
        nextRunAt: "2025-01-01T00:00:00.000Z",
      });
      await store.schedules.create({ ...base, id: "sch_4", nextRunAt: null });
      const due = await store.schedules.due("2025-01-01T00:05:00.000Z", 10);
      expect(due.map((s) => s.id)).toEqual([early.id, late.id]);
      expect(await store.schedules.due("2025-01-01T00:01:30.000Z", 10)).toHaveLength(1);

      const at = "2025-01-01T00:01:00.100Z";
      expect(
        await store.schedules.claim(early.id, early.nextRunAt!, "2025-01-01T00:03:00.000Z", "run_a", at),
      ).toBe(true);
      expect(
        await store.schedules.claim(early.id, early.nextRunAt!, "2025-01-01T00:03:00.000Z", "run_b", at),
      ).toBe(false);
      expect(await store.schedules.claim("sch_missing", early.nextRunAt!, null, "run_c", at)).toBe(false);
      expect(await store.schedules.get(early.id)).toMatchObject({
        nextRunAt: "2025-01-01T00:03:00.000Z",
        lastRunAt: at,
        lastRunId: "run_a",
      });
      expect((await store.schedules.list({ limit: 10, agentId: agent.id })).items).toHaveLength(4);
      expect((await store.schedules.list({ limit: 10, agentId: "agt_2" })).items).toHaveLength(0);
      expect(await store.schedules.delete(late.id)).toBe(true);
      expect(await store.schedules.get(late.id)).toBeUndefined();
    });

    it("updates the given fields only, null included", async () => {
      const store = await open();
      const agent = await store.agents.create(newAgent("patched"));
      const created = await store.schedules.create({
        id: "sch_p",
        agentId: agent.id,
        cron: "* * * * *",
        timezone: "UTC",
        input: { a: 1 },
        webhookUrl: "https://hooks.example/x",
        enabled: true,
        overlap: "skip",
        nextRunAt: "2025-01-01T00:01:00.000Z",
      });
      expect(created.overlap).toBe("skip");
      const updated = await store.schedules.update("sch_p", { cron: "0 * * * *", overlap: "enqueue" });
      expect(updated).toEqual({ ...created, cron: "0 * * * *", overlap: "enqueue" });
      const cleared = await store.schedules.update("sch_p", {
        input: null,
        webhookUrl: null,
        enabled: false,
        nextRunAt: null,
      });
      expect(cleared).toEqual({ ...updated, input: null, webhookUrl: null, enabled: false, nextRunAt: null });
      expect(await store.schedules.get("sch_p")).toEqual(cleared);
      expect(await store.schedules.update("sch_missing", { enabled: true })).toBeUndefined();
    });
  });

  describe(`${name}: api keys and threads`, () => {
    it("stores api keys by hash and touches them", async () => {
      const store = await open();
      const key = await store.apiKeys.create({
        id: "key_1",
        name: "ci",
        prefix: "ak_12",
        hash: "h1",
        scopes: ["read"],
      });
      expect(key.lastUsedAt).toBeNull();
      expect(await store.apiKeys.findByHash("h1")).toEqual(key);
      expect(await store.apiKeys.findByHash("nope")).toBeUndefined();
      await store.apiKeys.touch("key_1", "2025-01-01T00:00:00.000Z");
      await store.apiKeys.touch("key_missing", "2025-01-01T00:00:00.000Z");
      expect((await store.apiKeys.get("key_1"))?.lastUsedAt).toBe("2025-01-01T00:00:00.000Z");
      expect(await store.apiKeys.count()).toBe(1);
      expect((await store.apiKeys.list({ limit: 10 })).items).toHaveLength(1);
      expect(key.rateLimits).toEqual({});
      const patched = await store.apiKeys.update("key_1", {
        name: "ci-2",
        rateLimits: { invoke: 10, read: 0 },
      });
      expect(patched).toMatchObject({ name: "ci-2", scopes: ["read"], rateLimits: { invoke: 10, read: 0 } });
      expect(await store.apiKeys.findByHash("h1")).toEqual(patched);
      expect(await store.apiKeys.update("key_missing", { name: "x" })).toBeUndefined();
      expect(await store.apiKeys.delete("key_1")).toBe(true);
      expect(await store.apiKeys.count()).toBe(0);
    });

    it("stores threads, filters them by agent and touches them", async () => {
      const store = await open();
      const agent = await store.agents.create(newAgent("threaded"));
      const thread = await store.threads.create({ id: "thr_1", agentId: agent.id, metadata: { topic: "x" } });
      await store.threads.create({ id: "thr_2", agentId: null, metadata: {} });
      expect(await store.threads.get("thr_1")).toEqual(thread);
      expect((await store.threads.list({ limit: 10, agentId: agent.id })).items.map((t) => t.id)).toEqual([
        "thr_1",
      ]);
      expect((await store.threads.list({ limit: 10 })).items).toHaveLength(2);
      await store.threads.touch("thr_1", "2030-01-01T00:00:00.000Z");
      await store.threads.touch("thr_missing", "2030-01-01T00:00:00.000Z");
      expect((await store.threads.get("thr_1"))?.updatedAt).toBe("2030-01-01T00:00:00.000Z");
      expect(await store.threads.delete("thr_1")).toBe(true);
      expect(await store.threads.get("thr_1")).toBeUndefined();
      await store.ping();
      await store.close();
    });
  });

  describe(`${name}: thread admission lease`, () => {
    it("gives a thread's lease to one holder until it is released or expires", async () => {
      const store = await open();
      await store.threads.create({ id: "thr_lease", agentId: null, metadata: {} });
      expect(await store.threads.acquireLease("thr_lease", "a", 60_000)).toBe(true);
      expect(await store.threads.acquireLease("thr_lease", "b", 60_000)).toBe(false);
      // The holder may renew; another holder's release changes nothing.
      expect(await store.threads.acquireLease("thr_lease", "a", 60_000)).toBe(true);
      await store.threads.releaseLease("thr_lease", "b");
      expect(await store.threads.acquireLease("thr_lease", "b", 60_000)).toBe(false);
      await store.threads.releaseLease("thr_lease", "a");
      expect(await store.threads.acquireLease("thr_lease", "b", 1)).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 5));
      expect(await store.threads.acquireLease("thr_lease", "c", 60_000)).toBe(true);
      expect(await store.threads.acquireLease("thr_missing", "a", 60_000)).toBe(false);
    });
  });

  describe(`${name}: retention`, () => {
    const OLD = "2020-01-01T00:00:00.000Z";
    const CUTOFF = "2021-01-01T00:00:00.000Z";

    async function withAgent(): Promise<{ store: Store; agentId: string }> {
      const store = await open();
      return { store, agentId: (await store.agents.create(newAgent("kept"))).id };
    }
    async function finishedRun(
      store: Store,
      agentId: string,
      finishedAt: string,
      overrides: Partial<NewRun> = {},
    ) {
      const { run } = await store.runs.create(newRun(agentId, overrides));
      await store.runs.appendEvents(run.id, [{ type: "run.queued" }, { type: "output.delta", text: "a" }]);
      return store.runs.update(run.id, { status: "succeeded", output: { answer: 42 }, finishedAt });
    }

    it("stores an agent's retention override without a new revision", async () => {
      const store = await open();
      const agent = await store.agents.create({ ...newAgent("r"), retention: { runMaxCount: 5 } });
      expect(agent.retention).toEqual({ runMaxCount: 5 });
      expect((await store.agents.create(newAgent("plain"))).retention).toBeNull();
      const updated = await store.agents.update(agent.id, {
        retention: { runMaxAge: "1d", threadIdleTimeout: null },
      });
      expect(updated).toMatchObject({ revision: 1, retention: { runMaxAge: "1d", threadIdleTimeout: null } });
      expect((await store.agents.get(agent.id))?.retention).toEqual(updated.retention);
      expect((await store.agents.update(agent.id, { retention: null })).retention).toBeNull();
    });

    it("deletes a finished run with its events and leaves a tombstone; never an unfinished one", async () => {
      const { store, agentId } = await withAgent();
      const done = await finishedRun(store, agentId, OLD);
      const running = (await store.runs.create(newRun(agentId))).run;
      await store.runs.update(running.id, { status: "running" });
      expect(await store.retention.deleteRun(running.id, "deleted")).toBe("unfinished");
      expect(await store.runs.get(running.id)).toMatchObject({ status: "running" });
      expect(await store.retention.deleteRun(done.id, "deleted")).toBe("deleted");
      expect(await store.runs.get(done.id)).toBeUndefined();
      expect(await store.runs.events(done.id, 0)).toEqual([]);
      expect(await store.retention.tombstone(done.id)).toMatchObject({
        id: done.id,
        agentId,
        reason: "deleted",
      });
      expect(await store.retention.deleteRun(done.id, "deleted")).toBe("missing");
      expect(await store.retention.tombstone(running.id)).toBeUndefined();
    });

    it("prunes finished runs by finish time, oldest first, in batches, never a running one", async () => {
      const { store, agentId } = await withAgent();
      const old = [];
      for (let i = 0; i < 3; i++) old.push(await finishedRun(store, agentId, OLD));
      const recent = await finishedRun(store, agentId, new Date().toISOString());
      const running = (await store.runs.create(newRun(agentId))).run;
      await store.runs.update(running.id, { status: "running" });
      const rule = { agentId, finishedBefore: CUTOFF };
      expect(await store.retention.pruneRuns(rule, "expired", 2)).toBe(2);
      expect(await store.runs.get(old[0]!.id)).toBeUndefined();
      expect(await store.runs.get(old[2]!.id)).toBeDefined();
      expect(await store.retention.pruneRuns(rule, "expired", 2)).toBe(1);
      expect(await store.retention.pruneRuns(rule, "expired", 2)).toBe(0);
      const left = (await store.runs.list({ limit: 10, agentId })).items.map((r) => r.id);
      expect(left).toEqual([running.id, recent.id]);
      expect(await store.retention.tombstone(old[1]!.id)).toMatchObject({ reason: "expired" });
      // Another agent's rule touches nothing of this one.
      const other = await store.agents.create(newAgent("other"));
      expect(
        await store.retention.pruneRuns(
          { agentId: other.id, finishedBefore: "2999-01-01T00:00:00.000Z" },
          "expired",
          10,
        ),
      ).toBe(0);
    });

    it("keeps the newest runs by count, per agent or per schedule, and prunes by creation time", async () => {
      const { store, agentId } = await withAgent();
      const now = new Date().toISOString();
      const runs = [];
      for (let i = 0; i < 5; i++) {
        runs.push(await finishedRun(store, agentId, now, { scheduleId: i % 2 === 0 ? "sch_a" : null }));
        await tick();
      }
      // The oldest run is still running: counted, but never removed.
      await store.runs.update(runs[0]!.id, { status: "running", finishedAt: null });
      expect(
        await store.retention.pruneRuns({ agentId, scheduleId: "sch_a", keepLatest: 1 }, "expired", 10),
      ).toBe(1);
      expect(await store.runs.get(runs[2]!.id)).toBeUndefined();
      expect(await store.runs.get(runs[4]!.id)).toBeDefined();
      // Left: 0 (running), 1, 3, 4.
      expect(await store.retention.pruneRuns({ agentId, keepLatest: 2 }, "expired", 10)).toBe(1);
      expect((await store.runs.list({ limit: 10, agentId })).items.map((r) => r.id)).toEqual([
        runs[4]!.id,
        runs[3]!.id,
        runs[0]!.id,
      ]);
      expect(
        await store.retention.pruneRuns(
          { agentId, createdBefore: "2999-01-01T00:00:00.000Z" },
          "deleted",
          10,
        ),
      ).toBe(2);
      expect((await store.runs.list({ limit: 10, agentId })).items.map((r) => r.id)).toEqual([runs[0]!.id]);
    });

    it("compacts token deltas of finished runs once, keeping the run's output and other events", async () => {
      const { store, agentId } = await withAgent();
      const done = await finishedRun(store, agentId, OLD);
      await store.runs.appendEvents(done.id, [
        { type: "run.finished", status: "succeeded", output: { answer: 42 } },
      ]);
      const recent = await finishedRun(store, agentId, new Date().toISOString());
      const rule = { agentId, finishedBefore: CUTOFF, types: ["output.delta"] as const };
      expect(await store.retention.compactEvents(rule, 10)).toBe(1);
      expect((await store.runs.events(done.id, 0)).map((e) => [e.seq, e.type])).toEqual([
        [1, "run.queued"],
        [3, "run.finished"],
      ]);
      expect(await store.runs.get(done.id)).toMatchObject({ status: "succeeded", output: { answer: 42 } });
      expect((await store.runs.events(recent.id, 0)).map((e) => e.type)).toEqual([
        "run.queued",
        "output.delta",
      ]);
      expect(await store.retention.compactEvents(rule, 10)).toBe(0);
      // A run appended to after compaction (never, for a finished run) keeps numbering after the gap.
      expect((await store.runs.appendEvent(done.id, { type: "log", level: "info", message: "x" })).seq).toBe(
        4,
      );
    });

    it("expires idle threads of an agent unless a run or a lease holds them", async () => {
      const { store, agentId } = await withAgent();
      for (const id of ["thr_idle", "thr_fresh", "thr_busy", "thr_leased"])
        await store.threads.create({ id, agentId, metadata: {} });
      await store.threads.create({ id: "thr_free", agentId: null, metadata: {} });
      for (const id of ["thr_idle", "thr_busy", "thr_leased", "thr_free"]) await store.threads.touch(id, OLD);
      await store.runs.create(newRun(agentId, { threadId: "thr_busy" }));
      expect(await store.threads.acquireLease("thr_leased", "h", 60_000)).toBe(true);
      expect(await store.retention.expireThreads({ agentId, inactiveBefore: CUTOFF }, 10)).toBe(1);
      expect(await store.threads.get("thr_idle")).toBeUndefined();
      for (const id of ["thr_fresh", "thr_busy", "thr_leased", "thr_free"])
        expect(await store.threads.get(id)).toBeDefined();
      expect(await store.retention.expireThreads({ agentId: null, inactiveBefore: CUTOFF }, 10)).toBe(1);
      expect(await store.threads.get("thr_free")).toBeUndefined();
    });

    it("forgets old tombstones and reports the oldest run kept", async () => {
      const { store, agentId } = await withAgent();
      expect((await store.retention.stats()).oldestRunAt).toBeNull();
      const first = await finishedRun(store, agentId, OLD);
      await tick();
      const second = await finishedRun(store, agentId, OLD);
      expect((await store.retention.stats()).oldestRunAt).toBe(first.createdAt);
      await store.retention.deleteRun(first.id, "deleted");
      expect((await store.retention.stats()).oldestRunAt).toBe(second.createdAt);
      expect(await store.retention.pruneTombstones(OLD, 10)).toBe(0);
      expect(await store.retention.pruneTombstones("2999-01-01T00:00:00.000Z", 10)).toBe(1);
      expect(await store.retention.tombstone(first.id)).toBeUndefined();
      expect(await store.retention.reclaimSpace(1 << 20)).toBeGreaterThanOrEqual(0);
    });
  });
}
