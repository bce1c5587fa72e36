import { afterEach, describe, expect, it } from "vitest";
import {
  createAgent,
  createHooks,
  createMemoryLogger,
  registryOf,
  scriptTemplate,
  templateContext,
  until,
  withScheduleLatency,
} from "../../test/engine-fixtures.js";
import { createId } from "../ids.js";
import { createMemoryStore } from "../memory-store.js";
import type { AgentRecord, RunRecord, ScheduleOverlap, Store } from "../store.js";
import { createRunEngine } from "./run-engine.js";
import { nextFireTime } from "./schedule-time.js";
import { createScheduler, type Scheduler } from "./scheduler.js";

const hooks = createHooks();
const template = scriptTemplate(hooks);
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** One "process": an engine and a scheduler over a shared store. */
async function startProcess(store: Store) {
  const logger = createMemoryLogger();
  const engine = createRunEngine({
    store,
    registry: registryOf(template),
    context: templateContext(logger),
    logger,
  });
  const scheduler = createScheduler({ store, engine, logger });
  cleanups.push(async () => {
    await scheduler.stop();
    await engine.close();
  });
  await engine.start();
  return { engine, scheduler, logger };
}

async function schedule(
  store: Store,
  agent: AgentRecord,
  cron: string,
  nextRunAt: string | null,
  options: { overlap?: ScheduleOverlap; gate?: string } = {},
) {
  return store.schedules.create({
    id: createId("sch"),
    agentId: agent.id,
    cron,
    timezone: "UTC",
    input: { do: [...(options.gate ? [{ gate: options.gate }] : []), { output: "tick" }] },
    webhookUrl: null,
    enabled: true,
    overlap: options.overlap ?? "skip",
    nextRunAt,
  });
}

async function runsOf(store: Store, scheduleId: string): Promise<RunRecord[]> {
  const { items } = await store.runs.list({ limit: 100 });
  return items.filter((r) => r.scheduleId === scheduleId).reverse();
}

async function started(...schedulers: Scheduler[]) {
  for (const scheduler of schedulers) await scheduler.start();
}

describe("scheduler", () => {
  it("fires a per-second schedule once per second, never twice, with two schedulers sharing a store", async () => {
    const store = createMemoryStore();
    const agent = await createAgent(store, template, "ticker");
    const every = await schedule(store, agent, "* * * * * *", nextFireTime("* * * * * *", "UTC", new Date()));
    const a = await startProcess(withScheduleLatency(store, 5));
    const b = await startProcess(withScheduleLatency(store, 5));
    await started(a.scheduler, b.scheduler);
    await until(async () => (await runsOf(store, every.id)).length >= 3, "three ticks");
    await a.scheduler.stop();
    await b.scheduler.stop();

    const runs = await runsOf(store, every.id);
    expect(runs).toHaveLength(3);
    // Both schedulers saw each tick; the store's claim let exactly one of them fire it.
    const contested = [...a.logger.lines, ...b.logger.lines].filter((l) =>
      l.message.includes("claimed elsewhere"),
    );
    expect(contested.length).toBeGreaterThan(0);
    const seconds = runs.map((r) => Math.floor(Date.parse(r.createdAt) / 1000));
    expect(seconds).toEqual([seconds[0], seconds[0]! + 1, seconds[0]! + 2]);
    await until(
      async () => (await runsOf(store, every.id)).every((r) => r.status === "succeeded"),
      "the runs",
    );
    const after = await store.schedules.get(every.id);
    expect(after?.lastRunId).toBe(runs[2]!.id);
    expect(Date.parse(after!.nextRunAt!)).toBeGreaterThan(Date.parse(runs[2]!.createdAt));
  });

  it("fires once for ticks missed while down, then continues in the future", async () => {
    const store = createMemoryStore();
    const agent = await createAgent(store, template, "late");
    const missed = await schedule(
      store,
      agent,
      "*/5 * * * *",
      new Date(Date.now() - 3_600_000).toISOString(),
    );
    const { scheduler, engine } = await startProcess(store);
    await scheduler.start();
    await until(async () => (await runsOf(store, missed.id)).length === 1, "the catch-up run");
    await scheduler.stop();
    const [run] = await runsOf(store, missed.id);
    expect((await engine.wait(run!.id)).output).toBe("tick");
    expect(Date.parse((await store.schedules.get(missed.id))!.nextRunAt!)).toBeGreaterThan(Date.now());
    expect(await runsOf(store, missed.id)).toHaveLength(1);
  });

  it("submits a tick that was claimed but never submitted before a restart", async () => {
    const store = createMemoryStore();
    const agent = await createAgent(store, template, "crashy");
    const due = new Date(Date.now() + 3_600_000).toISOString();
    const lost = await schedule(store, agent, "0 * * * *", due);
    // The previous process claimed the tick and died before submitting its run.
    expect(await store.schedules.claim(lost.id, due, null, "run_lost", new Date().toISOString())).toBe(true);
    const first = await startProcess(store);
    const second = await startProcess(store);
    await started(first.scheduler, second.scheduler);
    await until(async () => (await store.runs.get("run_lost"))?.status === "succeeded", "the recovered run");
    expect(await runsOf(store, lost.id)).toEqual([expect.objectContaining({ id: "run_lost" })]);
  });

  it("logs ticks the engine refuses instead of dropping them silently, and retires invalid crons", async () => {
    const store = createMemoryStore();
    const agent = await createAgent(store, template, "sleepy");
    await store.agents.update(agent.id, { status: "paused" });
    const past = new Date(Date.now() - 1000).toISOString();
    const paused = await schedule(store, agent, "0 * * * *", past);
    const broken = await schedule(store, agent, "not a cron", past);
    const { scheduler, logger } = await startProcess(store);
    await scheduler.start();
    scheduler.wake();
    await until(() => logger.lines.some((l) => l.message === "schedule tick was not run"), "the refusal log");
    await until(async () => (await store.schedules.get(broken.id))?.nextRunAt === null, "the retirement");
    await scheduler.stop();
    const refusal = logger.lines.find((l) => l.message === "schedule tick was not run");
    expect(refusal?.data).toMatchObject({ scheduleId: paused.id, code: "AGENT_PAUSED" });
    expect(logger.lines.some((l) => l.message.startsWith("schedule has an invalid cron"))).toBe(true);
    expect(await runsOf(store, paused.id)).toHaveLength(0);
  });

  it("logs a tick whose agent was deleted", async () => {
    const store = createMemoryStore();
    const agent = await createAgent(store, template, "doomed");
    const orphan = await schedule(store, agent, "0 * * * *", new Date(Date.now() - 1000).toISOString());
    await store.agents.delete(agent.id);
    const { scheduler, logger } = await startProcess(store);
    await scheduler.start();
    await until(() => logger.lines.some((l) => l.message.includes("agent no longer exists")), "the log line");
    await scheduler.stop();
    expect(logger.lines.find((l) => l.message.includes("agent no longer exists"))?.data).toMatchObject({
      scheduleId: orphan.id,
    });
  });

  describe("overlap policy", () => {
    /**
     * A per-second schedule whose runs wait on a gate: they outlast the period until the test opens
     * it. Answers once three ticks have passed since the first run started.
     */
    async function overlapping(overlap: ScheduleOverlap, gate: string) {
      const store = createMemoryStore();
      const agent = await createAgent(store, template, `overlap-${overlap}`);
      const every = await schedule(store, agent, "* * * * * *", nextFireTime("* * * * * *", "UTC"), {
        overlap,
        gate,
      });
      const { scheduler, engine, logger } = await startProcess(store);
      await scheduler.start();
      await until(async () => (await runsOf(store, every.id)).length >= 1, "the first run");
      const firstDue = Date.parse((await store.schedules.get(every.id))!.nextRunAt!);
      await until(
        async () => Date.parse((await store.schedules.get(every.id))!.nextRunAt!) >= firstDue + 3000,
        "three more ticks",
      );
      await scheduler.stop();
      return { store, engine, logger, every };
    }

    it("skip (the default): no second run while the first is unfinished", async () => {
      const { store, engine, logger, every } = await overlapping("skip", "skip-gate");
      const runs = await runsOf(store, every.id);
      expect(runs).toHaveLength(1);
      expect(logger.lines.filter((l) => l.message.includes("skipped a tick")).length).toBeGreaterThanOrEqual(
        3,
      );
      // The schedule keeps naming the unfinished run, so no restart resubmits a skipped tick.
      expect((await store.schedules.get(every.id))?.lastRunId).toBe(runs[0]!.id);
      hooks.gates.open("skip-gate");
      expect((await engine.wait(runs[0]!.id)).status).toBe("succeeded");
    });

    it("enqueue: one tick waits and runs after the first ends; never two at once", async () => {
      const { store, engine, every } = await overlapping("enqueue", "enqueue-gate");
      expect(await runsOf(store, every.id)).toHaveLength(1);
      const waitingId = (await store.schedules.get(every.id))!.lastRunId!;
      expect(await store.runs.get(waitingId)).toBeUndefined();
      hooks.gates.open("enqueue-gate");
      await until(async () => (await store.runs.get(waitingId)) !== undefined, "the enqueued run");
      const runs = await runsOf(store, every.id);
      expect(runs).toHaveLength(2);
      const [first, second] = [await engine.wait(runs[0]!.id), await engine.wait(runs[1]!.id)];
      expect([first.status, second.status]).toEqual(["succeeded", "succeeded"]);
      expect(Date.parse(second.startedAt!)).toBeGreaterThanOrEqual(Date.parse(first.finishedAt!));
    });

    it("allow: every tick runs, overlapping", async () => {
      const { store, engine, every } = await overlapping("allow", "allow-gate");
      const runs = await runsOf(store, every.id);
      expect(runs.length).toBeGreaterThanOrEqual(3);
      hooks.gates.open("allow-gate");
      for (const run of runs) expect((await engine.wait(run.id)).status).toBe("succeeded");
    });
  });
});
