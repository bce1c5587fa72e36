import {
  CACHE_MAX_AGE_MS,
  createId,
  createInvalidations,
  type Invalidation,
  RunHeldElsewhere,
  silentLogger,
} from "@agentrt/runtime";
import { afterEach, describe, expect, it } from "vitest";
import { freshSchema, postgresUrl } from "../test/postgres.js";
import { createPostgresStore, type PostgresStore } from "./postgres-store.js";

const opened: PostgresStore[] = [];
async function open(schema: string): Promise<PostgresStore> {
  const store = await createPostgresStore({ url: postgresUrl, schema, poolSize: 3 });
  opened.push(store);
  return store;
}
afterEach(async () => {
  await Promise.all(opened.splice(0).map((store) => store.close()));
});

async function agentWithRuns(store: PostgresStore, count: number): Promise<string[]> {
  const agent = await store.agents.create({
    id: createId("agt"),
    name: `agent-${createId("x")}`,
    description: null,
    templateName: "task",
    templateRange: "^1",
    templateVersion: "1.0.0",
    config: {},
  });
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const { run } = await store.runs.create({
      id: createId("run"),
      agentId: agent.id,
      agentRevision: 1,
      threadId: null,
      scheduleId: null,
      input: i,
      idempotencyKey: null,
      webhookUrl: null,
      timeoutMs: 1000,
    });
    ids.push(run.id);
  }
  return ids;
}

/** What `leases.start` returns when it started the run on `store`: that execution's fence. */
function startedOn(store: PostgresStore) {
  return { holder: store.leases.nodeId, epoch: expect.any(Number) };
}

/** Everything a sweep of `store` takes over: running runs, then queued ones. */
async function sweep(store: PostgresStore, limit = 100) {
  return [
    ...(await store.leases.takeOver("running", limit)),
    ...(await store.leases.takeOver("queued", limit)),
  ];
}

describe("cluster coordination", () => {
  it("gives a dead node's unfinished runs to exactly one live node, oldest first", async () => {
    const schema = freshSchema();
    const [dead, a, b] = await Promise.all([open(schema), open(schema), open(schema)]);
    await dead!.leases.heartbeat(60_000);
    const ids = await agentWithRuns(dead!, 12);
    await dead!.runs.update(ids[0]!, { status: "running" });
    await dead!.runs.update(ids[1]!, { status: "succeeded" });
    await a!.leases.heartbeat(60_000);
    await b!.leases.heartbeat(60_000);
    // While the owner's lease lasts, nobody takes its runs.
    expect(await sweep(a!)).toEqual([]);
    await dead!.leases.leave();
    const [fromA, fromB] = await Promise.all([sweep(a!), sweep(b!)]);
    const taken = [...fromA, ...fromB].map((r) => r.id).sort();
    // Finished runs stay where they are; the rest go to one node each.
    expect(taken).toEqual(ids.filter((id) => id !== ids[1]).sort());
    const queuedFromA = fromA.filter((r) => r.status === "queued").map((r) => r.id);
    expect(queuedFromA).toEqual([...queuedFromA].sort());
    // Taken runs belong to a live node now: a second sweep finds nothing.
    expect([...(await sweep(a!)), ...(await sweep(b!))]).toEqual([]);
  });

  it("leaves runs an API-only node accepts to executing nodes, and tells them", async () => {
    const schema = freshSchema();
    const api = await createPostgresStore({ url: postgresUrl, schema, poolSize: 3, holdsRuns: false });
    opened.push(api);
    const worker = await open(schema);
    let announced = 0;
    worker.bus.onRunsAnnounced(() => announced++);
    await worker.bus.listening();
    await api.leases.heartbeat(60_000);
    await worker.leases.heartbeat(60_000);
    const ids = await agentWithRuns(api, 3);
    await api.bus.announceRuns();
    await expect.poll(() => announced).toBe(1);
    expect((await worker.leases.takeOver("queued", 2)).map((r) => r.id)).toEqual(ids.slice(0, 2));
    expect(await api.leases.takeOver("running", 10)).toEqual([]);
  });

  it("treats a node whose lease ran out as gone", async () => {
    const schema = freshSchema();
    const [late, a] = await Promise.all([open(schema), open(schema)]);
    await late!.leases.heartbeat(1);
    const ids = await agentWithRuns(late!, 2);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await a!.leases.heartbeat(60_000);
    expect((await a!.leases.takeOver("queued", 1)).map((r) => r.id)).toEqual([ids[0]]);
    expect((await a!.leases.takeOver("queued", 1)).map((r) => r.id)).toEqual([ids[1]]);
  });

  it("tells every node about event appends and cancel requests", async () => {
    const schema = freshSchema();
    const [a, b] = await Promise.all([open(schema), open(schema)]);
    const events: string[] = [];
    const cancels: string[] = [];
    const stopEvents = b!.bus.onEvents((runId, firstSeq) => events.push(`${runId}@${firstSeq}`));
    b!.bus.onCancelRequest((runId) => cancels.push(runId));
    await b!.bus.listening();
    const [runId] = await agentWithRuns(a!, 1);
    await a!.runs.appendEvents(runId!, [{ type: "run.queued" }, { type: "run.started" }]);
    await a!.runs.appendEvent(runId!, { type: "progress", done: 1, total: 2 });
    await a!.bus.requestCancel(runId!);
    await expect.poll(() => cancels).toEqual([runId]);
    expect(events).toEqual([`${runId}@1`, `${runId}@3`]);
    stopEvents();
    await a!.runs.appendEvent(runId!, { type: "progress", done: 2, total: 2 });
    await a!.bus.requestCancel(runId!);
    await expect.poll(() => cancels).toHaveLength(2);
    expect(events).toHaveLength(2);
  });

  it("carries cache invalidations to every node, its own included, and drops them when told to (test hook)", async () => {
    const schema = freshSchema();
    const [a, b] = await Promise.all([open(schema), open(schema)]);
    const onA = createInvalidations({ bus: a!.bus, logger: silentLogger });
    const onB = createInvalidations({ bus: b!.bus, logger: silentLogger });
    expect(onB.maxAgeMs).toBe(CACHE_MAX_AGE_MS);
    const heardA: Invalidation[] = [];
    const heardB: Invalidation[] = [];
    onA.subscribe("agent", (change) => heardA.push(change));
    onB.subscribe("agent", (change) => heardB.push(change));
    onB.subscribe("apiKey", (change) => heardB.push(change));
    await Promise.all([a!.bus.listening(), b!.bus.listening()]);
    const published = onA.publish({ kind: "agent", id: "agt_1", revision: 3 });
    // At once on the publishing node, before any notification could arrive (its own echo may come
    // back before `publish` resolves, so this is checked before awaiting it).
    expect(heardA).toEqual([{ kind: "agent", id: "agt_1", revision: 3 }]);
    await published;
    await onA.publish({ kind: "apiKey", id: "key_1" });
    await onA.publish({ kind: "agent", id: "agt_2" });
    await expect
      .poll(() => heardB)
      .toEqual([
        { kind: "agent", id: "agt_1", revision: 3 },
        { kind: "apiKey", id: "key_1" },
        { kind: "agent", id: "agt_2" },
      ]);
    // A's own notifications come back to it too (harmless: dropping twice is dropping).
    await expect.poll(() => heardA).toHaveLength(4);
    onB.close();
    await onA.publish({ kind: "agent", id: "agt_3" });
    await expect.poll(() => heardA).toHaveLength(6);
    expect(heardB).toHaveLength(3);

    const deaf = await createPostgresStore({
      url: postgresUrl,
      schema,
      poolSize: 3,
      dropInvalidations: true,
    });
    opened.push(deaf);
    const onDeaf = createInvalidations({ bus: deaf.bus, logger: silentLogger });
    const heardDeaf: Invalidation[] = [];
    const deafCancels: string[] = [];
    onDeaf.subscribe("agent", (change) => heardDeaf.push(change));
    deaf.bus.onCancelRequest((runId) => deafCancels.push(runId));
    await deaf.bus.listening();
    await onDeaf.publish({ kind: "agent", id: "agt_4" });
    await onA.publish({ kind: "agent", id: "agt_5" });
    await a!.bus.requestCancel("run_after");
    // Notifications arrive in commit order: once the later cancel request is heard, agt_5 was too.
    await expect.poll(() => deafCancels).toEqual(["run_after"]);
    await expect.poll(() => heardA.map((c) => c.id)).toContain("agt_5");
    // The deaf node neither sent agt_4 nor heard agt_5; its own change reached its own caches.
    expect(heardA.map((c) => c.id)).not.toContain("agt_4");
    expect(heardDeaf.map((c) => c.id)).toEqual(["agt_4"]);
  });

  it("reconnects its listening connection after losing it", async () => {
    const schema = freshSchema();
    const errors: Error[] = [];
    const store = await createPostgresStore({
      url: postgresUrl,
      schema,
      poolSize: 3,
      onBusError: (error) => errors.push(error),
    });
    opened.push(store);
    const cancels: string[] = [];
    let resumed = 0;
    store.bus.onCancelRequest((runId) => cancels.push(runId));
    store.bus.onResumed(() => resumed++);
    await store.bus.listening();
    expect(resumed).toBe(0);
    await store.pool.query(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1",
      [`agentrt-bus ${store.leases.nodeId}`],
    );
    await expect.poll(() => errors.length, { timeout: 10_000 }).toBeGreaterThan(0);
    await expect
      .poll(
        async () => {
          await store.bus.requestCancel("run_again");
          return cancels.includes("run_again");
        },
        { timeout: 15_000, interval: 500 },
      )
      .toBe(true);
    // Listeners are told it came back, so they read what they missed meanwhile.
    expect(resumed).toBe(1);
  });

  it("starts a held run only while the cluster has room, in all and per agent", async () => {
    const schema = freshSchema();
    const [a, b] = await Promise.all([open(schema), open(schema)]);
    const [first, second, third] = await agentWithRuns(a!, 3);
    const [other] = await agentWithRuns(b!, 1);
    const tight = { global: 2, perAgent: 1 };
    expect(await a!.leases.start(first!, tight)).toEqual(startedOn(a!));
    expect((await a!.runs.get(first!))?.status).toBe("running");
    // The agent's one slot is taken, on whichever node asks.
    expect(await a!.leases.start(second!, tight)).toBe("wait");
    // Another agent's run, held by B: the cluster has one slot left.
    expect(await b!.leases.start(other!, tight)).toEqual(startedOn(b!));
    expect(await a!.leases.start(second!, { global: 2, perAgent: 5 })).toBe("wait");
    // A child run (no limits) starts anyway; a run held by another node, or started, is not A's to start.
    expect(await a!.leases.start(second!, null)).toEqual(startedOn(a!));
    expect(await a!.leases.start(second!, null)).toBe("gone");
    expect(await b!.leases.start(third!, null)).toBe("gone");
    expect((await a!.runs.get(third!))?.status).toBe("queued");
  });

  it("starts a thread's runs one at a time, oldest first, whichever node holds them", async () => {
    const schema = freshSchema();
    const [a, b] = await Promise.all([open(schema), open(schema)]);
    const [agentRun] = await agentWithRuns(a!, 1);
    const { agentId } = (await a!.runs.get(agentRun!))!;
    const inThread = async (store: PostgresStore) =>
      (
        await store.runs.create({
          id: createId("run"),
          agentId,
          agentRevision: 1,
          threadId: "thr_shared",
          scheduleId: null,
          input: null,
          idempotencyKey: null,
          webhookUrl: null,
          timeoutMs: 1000,
        })
      ).run.id;
    const older = await inThread(a!);
    const newer = await inThread(b!);
    expect(await b!.leases.start(newer, null)).toBe("wait");
    expect(await a!.leases.start(older, null)).toEqual(startedOn(a!));
    expect(await b!.leases.start(newer, null)).toBe("wait");
    await a!.runs.appendEvents(older, [{ type: "run.finished", status: "succeeded", output: null }], {
      status: "succeeded",
    });
    expect(await b!.leases.start(newer, null)).toEqual(startedOn(b!));
  });

  it("refuses a stalled execution's fenced writes, even once its run came back to its node (A → B → A)", async () => {
    const schema = freshSchema();
    const [a, b] = await Promise.all([open(schema), open(schema)]);
    await a!.leases.heartbeat(60_000);
    const [runId] = await agentWithRuns(a!, 1);
    const stalled = await a!.leases.start(runId!, null);
    if (typeof stalled === "string") throw new Error(`not started: ${stalled}`);
    await a!.runs.appendEvents(runId!, [{ type: "run.started" }], {}, stalled);
    /** A's node (not the stalled execution) loses its lease; `taker` takes the run over, re-queues and starts it. */
    const handOver = async (from: PostgresStore, taker: PostgresStore) => {
      await from.leases.leave();
      await taker.leases.heartbeat(60_000);
      expect((await taker.leases.takeOver("running", 10)).map((r) => r.id)).toEqual([runId]);
      await taker.runs.appendEvents(runId!, [{ type: "run.queued" }], { status: "queued" });
      const fence = await taker.leases.start(runId!, null);
      if (typeof fence === "string") throw new Error(`not started: ${fence}`);
      return fence;
    };
    const onB = await handOver(a!, b!);
    const late = a!.runs.appendEvents(runId!, [{ type: "progress", done: 1, total: 2 }], {}, stalled);
    await expect(late).rejects.toBeInstanceOf(RunHeldElsewhere);
    await expect(late).rejects.toMatchObject({ code: "RUN_INTERRUPTED" });

    // B stalls in turn and the run comes back to A: same node, a new execution, a new epoch.
    const again = await handOver(b!, a!);
    expect(again.holder).toBe(stalled.holder);
    expect(again.epoch).toBeGreaterThan(onB.epoch);
    for (const fence of [stalled, onB]) {
      await expect(
        a!.runs.appendEvents(runId!, [{ type: "progress", done: 1, total: 2 }], { status: "failed" }, fence),
      ).rejects.toMatchObject({
        code: "RUN_INTERRUPTED",
        details: { holder: fence.holder, epoch: fence.epoch },
      });
    }
    await a!.runs.appendEvents(runId!, [{ type: "progress", done: 2, total: 2 }], {}, again);
    expect((await a!.runs.events(runId!, 0)).map((e) => e.type)).toEqual([
      "run.started",
      "run.queued",
      "run.queued",
      "progress",
    ]);
    expect((await a!.runs.get(runId!))?.status).toBe("running");
    // Unfenced writes (a cancel ending a run no node executes) and unknown runs are as before.
    await b!.runs.appendEvents(runId!, [{ type: "progress", done: 2, total: 2 }]);
    await expect(a!.runs.appendEvents("run_none", [], {}, again)).rejects.toMatchObject({
      code: "RUN_NOT_FOUND",
    });
  });
});
