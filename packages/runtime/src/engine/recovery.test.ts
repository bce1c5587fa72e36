import { afterEach, describe, expect, it } from "vitest";
import {
  createAgent,
  createHooks,
  createMemoryLogger,
  registryOf,
  scriptTemplate,
  templateContext,
} from "../../test/engine-fixtures.js";
import { createMemoryStore } from "../memory-store.js";
import type { AgentRecord, NewRun, RunRecord, Store } from "../store.js";
import { createRunEngine, type RunEngine } from "./run-engine.js";

const hooks = createHooks();
const plain = scriptTemplate(hooks);
const idempotent = scriptTemplate(hooks, { name: "retryable", idempotent: true });
const engines: RunEngine[] = [];
afterEach(async () => {
  await Promise.all(engines.splice(0).map((e) => e.close()));
});

function engineOn(store: Store, maxInvokeDepth?: number): RunEngine {
  const logger = createMemoryLogger();
  const engine = createRunEngine({
    store,
    registry: registryOf(plain, idempotent),
    context: templateContext(logger),
    logger,
    ...(maxInvokeDepth === undefined ? {} : { maxInvokeDepth }),
  });
  engines.push(engine);
  return engine;
}

/** A run as a crashed process leaves it: stored, with its first events, never finished. */
async function leftBehind(
  store: Store,
  agent: AgentRecord,
  status: "queued" | "running",
  overrides: Partial<NewRun> = {},
): Promise<RunRecord> {
  const { run } = await store.runs.create({
    id: `run_${status}_${agent.name}`,
    agentId: agent.id,
    agentRevision: agent.revision,
    threadId: null,
    scheduleId: null,
    input: { do: [{ output: "again" }] },
    idempotencyKey: null,
    webhookUrl: null,
    timeoutMs: 10_000,
    ...overrides,
  });
  await store.runs.appendEvent(run.id, { type: "run.queued" });
  if (status === "queued") return run;
  await store.runs.appendEvent(run.id, { type: "run.started" });
  await store.runs.appendEvent(run.id, { type: "log", level: "info", message: "halfway" });
  return store.runs.update(run.id, { status: "running", startedAt: new Date().toISOString() });
}

describe("start-up recovery", () => {
  it("fails runs left running with RUN_INTERRUPTED, keeping their events", async () => {
    const store = createMemoryStore();
    const agent = await createAgent(store, plain, "plain");
    const run = await leftBehind(store, agent, "running");
    const engine = engineOn(store);
    await engine.start();
    const done = await engine.wait(run.id);
    expect(done.status).toBe("failed");
    expect(done.error?.code).toBe("RUN_INTERRUPTED");
    const events = await store.runs.events(run.id, 0);
    expect(events.map((e) => e.type)).toEqual(["run.queued", "run.started", "log", "error", "run.finished"]);
    expect(events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
  });

  it("re-queues runs left running when the template is idempotent, and runs them", async () => {
    const store = createMemoryStore();
    const agent = await createAgent(store, idempotent, "retry");
    const run = await leftBehind(store, agent, "running");
    const engine = engineOn(store);
    await engine.start();
    const done = await engine.wait(run.id);
    expect(done).toMatchObject({ status: "succeeded", output: "again" });
    const types = (await store.runs.events(run.id, 0)).map((e) => e.type);
    expect(types).toEqual([
      "run.queued",
      "run.started",
      "log",
      "run.queued",
      "run.started",
      "output",
      "run.finished",
    ]);
  });

  it("runs stored queued runs, and fails those whose agent is gone", async () => {
    const store = createMemoryStore();
    const agent = await createAgent(store, plain, "plain");
    const gone = await createAgent(store, plain, "gone");
    const queued = await leftBehind(store, agent, "queued");
    const orphan = await leftBehind(store, gone, "queued");
    await store.agents.delete(gone.id);
    const engine = engineOn(store);
    await engine.start();
    expect(await engine.wait(queued.id)).toMatchObject({ status: "succeeded", output: "again" });
    expect((await engine.wait(orphan.id)).error?.code).toBe("AGENT_NOT_FOUND");
  });

  it("runs a re-queued run on the revision it was submitted with", async () => {
    const store = createMemoryStore();
    const agent = await createAgent(store, plain, "plain", { label: "first" });
    const queued = await leftBehind(store, agent, "queued");
    await store.agents.update(agent.id, { config: { label: "second" } });
    const engine = engineOn(store);
    await engine.start();
    expect((await engine.wait(queued.id)).status).toBe("succeeded");
    expect(hooks.created.at(-1)).toBe("first");
  });

  it("keeps a recovered child run's agent-call depth, queued or re-queued after running", async () => {
    const store = createMemoryStore();
    const agent = await createAgent(store, plain, "plain");
    const retry = await createAgent(store, idempotent, "retry");
    // Child runs already at the limit (2): one more level of invokeAgent must be refused.
    const invoke = { do: [{ invoke: { agent: "plain", input: { do: [{ output: "deeper" }] } } }] };
    const queued = await leftBehind(store, agent, "queued", { input: invoke, invokeDepth: 2 });
    const running = await leftBehind(store, retry, "running", { input: invoke, invokeDepth: 2 });
    const top = await leftBehind(store, agent, "queued", { id: "run_top", input: invoke });
    const engine = engineOn(store, 2);
    await engine.start();
    for (const run of [queued, running]) {
      const done = await engine.wait(run.id);
      expect(done.status).toBe("failed");
      expect(done.error?.message).toMatch(/limited to 2 levels deep/);
    }
    // A recovered top-level run still may call one level down.
    expect(await engine.wait(top.id)).toMatchObject({ status: "succeeded", output: "deeper" });
  });

  it("leaves runs this engine already holds alone", async () => {
    const store = createMemoryStore();
    const agent = await createAgent(store, plain, "plain");
    const engine = engineOn(store);
    const { run } = await engine.submit({ agent, input: { do: [{ gate: "held" }] } });
    await engine.start();
    hooks.gates.open("held");
    expect((await engine.wait(run.id)).status).toBe("succeeded");
  });
});

describe("shutdown", () => {
  it("interrupts running runs, keeps queued ones queued and refuses new runs", async () => {
    const store = createMemoryStore();
    const agent = await createAgent(store, plain, "plain");
    const retry = await createAgent(store, idempotent, "retry");
    const logger = createMemoryLogger();
    const engine = createRunEngine({
      store,
      registry: registryOf(plain, idempotent),
      context: templateContext(logger),
      concurrency: { global: 2 },
    });
    const running = (await engine.submit({ agent, input: { do: [{ waitForAbort: true }] } })).run;
    const again = (await engine.submit({ agent: retry, input: { do: [{ waitForAbort: true }] } })).run;
    const waiting = (await engine.submit({ agent, input: { do: [] } })).run;
    const ending = engine.wait(running.id);
    const following = (async () => {
      for await (const _ of engine.follow(again.id, 0)) {
        // drained until the engine closes
      }
    })();
    await engine.close();
    await expect(following).rejects.toMatchObject({ code: "NOT_READY" });
    expect((await ending).error?.code).toBe("RUN_INTERRUPTED");
    expect((await store.runs.get(again.id))?.status).toBe("queued");
    expect((await store.runs.get(waiting.id))?.status).toBe("queued");
    await expect(engine.submit({ agent, input: { do: [] } })).rejects.toMatchObject({ code: "NOT_READY" });
    await expect(engine.wait(again.id)).rejects.toMatchObject({ code: "NOT_READY" });
    await engine.close();

    const next = engineOn(store);
    await next.start();
    expect((await next.wait(waiting.id)).status).toBe("succeeded");
  });
});
