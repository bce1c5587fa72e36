import { AgentrtError, isAgentrtError } from "@agentrt/core";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import {
  type Action,
  codeOf,
  collect,
  createAgent,
  createHooks,
  createMemoryLogger,
  installed,
  registryOf,
  type ScriptHooks,
  scriptTemplate,
  templateContext,
  until,
} from "../../test/engine-fixtures.js";
import type { InstalledTemplate } from "../installed-template.js";
import { createMemoryStore } from "../memory-store.js";
import type { RunEventPayload, StoredRunEvent } from "../run-events.js";
import type { AgentRecord, Store } from "../store.js";

import { LIVE_BACKLOG } from "./follow-run.js";
import { createRunEngine, type RunEngine, type RunEngineOptions } from "./run-engine.js";

interface Harness {
  store: Store;
  engine: RunEngine;
  hooks: ScriptHooks;
  template: InstalledTemplate;
  agent: AgentRecord;
}

const engines: RunEngine[] = [];
afterEach(async () => {
  await Promise.all(engines.splice(0).map((e) => e.close()));
});

/** Templates whose `create` misbehaves: `broken` throws the first time, `stuck` never returns. */
let brokenCreates = 0;
const broken = installed({
  name: "broken",
  configSchema: z.object({}),
  create() {
    brokenCreates++;
    if (brokenCreates === 1) throw new AgentrtError("UPSTREAM_ERROR", "credentials missing");
    return {
      async *run() {
        yield { type: "output" as const, output: "recovered" };
      },
    };
  },
});
const stuck = installed({
  name: "stuck",
  configSchema: z.object({}),
  create: () => new Promise<never>(() => {}),
});

async function setup(
  options: Partial<RunEngineOptions> = {},
  store: Store = createMemoryStore(),
): Promise<Harness & { logger: ReturnType<typeof createMemoryLogger> }> {
  const hooks = createHooks();
  const template = scriptTemplate(hooks);
  const logger = createMemoryLogger();
  const engine = createRunEngine({
    store,
    registry: registryOf(template, broken, stuck),
    context: templateContext(logger),
    logger,
    ...options,
  });
  engines.push(engine);
  const agent = await createAgent(store, template, "main");
  return { store, engine, hooks, template, agent, logger };
}

const script = (...actions: Action[]) => ({ do: actions });

async function eventTypes(store: Store, runId: string): Promise<string[]> {
  return (await store.runs.events(runId, 0)).map((e) => e.type);
}

describe("run lifecycle", () => {
  it("records queued, started, every template event and one final run.finished with the last output", async () => {
    const { store, engine, agent } = await setup();
    const { run, created } = await engine.submit({
      agent,
      input: script(
        { emit: { type: "log", level: "info", message: "hi" } },
        { output: "draft" },
        { emit: { type: "progress", done: 1, total: 1 } },
        { output: { final: true } },
      ),
    });
    expect(created).toBe(true);
    expect(run.status).toBe("queued");
    const done = await engine.wait(run.id);
    expect(done).toMatchObject({ status: "succeeded", output: { final: true }, error: null });
    expect(done.startedAt).not.toBeNull();
    expect(done.finishedAt).not.toBeNull();
    const events = await store.runs.events(run.id, 0);
    expect(events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(events.map((e) => e.type)).toEqual([
      "run.queued",
      "run.started",
      "log",
      "output",
      "progress",
      "output",
      "run.finished",
    ]);
    expect(events.at(-1)!.data).toEqual({
      type: "run.finished",
      status: "succeeded",
      output: { final: true },
    });
  });

  it("keeps the code of an AgentrtError thrown by a template and records an error event", async () => {
    const { store, engine, agent } = await setup();
    const { run } = await engine.submit({
      agent,
      input: script({ fail: { code: "UPSTREAM_ERROR", message: "model down" } }),
    });
    const done = await engine.wait(run.id);
    expect(done.status).toBe("failed");
    expect(done.error).toEqual({ code: "UPSTREAM_ERROR", message: "model down" });
    const events = await store.runs.events(run.id, 0);
    expect(events.slice(-2).map((e) => e.data)).toEqual([
      { type: "error", error: { code: "UPSTREAM_ERROR", message: "model down" } },
      { type: "run.finished", status: "failed", error: { code: "UPSTREAM_ERROR", message: "model down" } },
    ]);
  });

  it("namespaces the template's declared codes and reports undeclared ones as RUN_FAILED", async () => {
    const { engine, agent } = await setup();
    const fail = async (code: string) => {
      const { run } = await engine.submit({ agent, input: script({ fail: { code, message: "no" } }) });
      return (await engine.wait(run.id)).error;
    };
    expect(await fail("TEAPOT")).toEqual({ code: "script.TEAPOT", message: "no" });
    expect(await fail("NOT_DECLARED")).toEqual({
      code: "RUN_FAILED",
      message: "no",
      details: { templateCode: "NOT_DECLARED" },
    });
    // A code another template already namespaced (from an invoked agent) passes through.
    expect(await fail("other.STEP_FAILED")).toEqual({ code: "other.STEP_FAILED", message: "no" });
  });

  it("reports a plain thrown Error as RUN_FAILED", async () => {
    const { engine, agent } = await setup();
    const { run } = await engine.submit({ agent, input: script({ fail: { message: "boom" } }) });
    expect((await engine.wait(run.id)).error).toEqual({ code: "RUN_FAILED", message: "boom" });
  });

  it("fails a run whose template yields an event outside the contract with TEMPLATE_INVALID", async () => {
    const { store, engine, agent } = await setup();
    const { run } = await engine.submit({
      agent,
      input: script(
        { emit: { type: "log", level: "info", message: "ok" } },
        { emit: { type: "run.finished" } },
      ),
    });
    const done = await engine.wait(run.id);
    expect(done.status).toBe("failed");
    expect(done.error?.code).toBe("TEMPLATE_INVALID");
    expect(await eventTypes(store, run.id)).toEqual([
      "run.queued",
      "run.started",
      "log",
      "error",
      "run.finished",
    ]);
  });

  it("keeps a token event's contract fields only, and fails one whose text is not a string", async () => {
    const { store, engine, agent } = await setup();
    const { run } = await engine.submit({
      agent,
      input: script(
        { emit: { type: "output.delta", text: "hi", extra: 1 } },
        { emit: { type: "output.delta", text: 7 } },
      ),
    });
    const done = await engine.wait(run.id);
    expect(done.error?.code).toBe("TEMPLATE_INVALID");
    const delta = (await store.runs.events(run.id, 0)).find((e) => e.type === "output.delta");
    expect(delta?.data).toEqual({ type: "output.delta", text: "hi" });
  });

  it("rejects input that does not match the template's input schema before creating a run", async () => {
    const { store, engine, agent } = await setup();
    expect(await codeOf(engine.submit({ agent, input: { nope: 1 } }))).toBe("VALIDATION_FAILED");
    expect((await store.runs.list({ limit: 10 })).items).toHaveLength(0);
  });

  it("rejects a timeout above the maximum and a webhook when webhooks are not configured", async () => {
    const { engine, agent } = await setup({ maxTimeoutMs: 1000 });
    expect(await codeOf(engine.submit({ agent, input: script(), timeoutMs: 5000 }))).toBe(
      "VALIDATION_FAILED",
    );
    expect(await codeOf(engine.submit({ agent, input: script(), webhookUrl: "http://127.0.0.1:1/" }))).toBe(
      "VALIDATION_FAILED",
    );
  });

  it("refuses runs for a paused agent with AGENT_PAUSED", async () => {
    const { store, engine, agent } = await setup();
    const paused = await store.agents.update(agent.id, { status: "paused" });
    expect(await codeOf(engine.submit({ agent: paused, input: script() }))).toBe("AGENT_PAUSED");
  });

  it("fails a run whose template version is not installed", async () => {
    const { store, engine, agent } = await setup();
    const moved = await store.agents.update(agent.id, { templateVersion: "9.9.9" });
    expect(await codeOf(engine.submit({ agent: moved, input: script() }))).toBe("TEMPLATE_VERSION_NOT_FOUND");
  });
});

describe("timeouts and cancellation", () => {
  it("ends a run that exceeds its timeout as timed_out with RUN_TIMEOUT, aborting the template", async () => {
    const { engine, hooks, agent } = await setup();
    const { run } = await engine.submit({ agent, input: script({ waitForAbort: true }), timeoutMs: 100 });
    const done = await engine.wait(run.id);
    expect(done.status).toBe("timed_out");
    expect(done.error?.code).toBe("RUN_TIMEOUT");
    expect(
      isAgentrtError(hooks.aborts.get(run.id)) && (hooks.aborts.get(run.id) as { code: string }).code,
    ).toBe("RUN_TIMEOUT");
  });

  it("cancels a running run through the template's signal", async () => {
    const { store, engine, hooks, agent } = await setup();
    const { run } = await engine.submit({
      agent,
      input: script({ output: "partial" }, { waitForAbort: true }),
    });
    await until(() => hooks.started.includes(run.id), "the template to start");
    const cancelled = await engine.cancel(run.id);
    expect(cancelled.status).toBe("cancelled");
    expect(cancelled.error).toEqual({ code: "RUN_CANCELLED", message: "the run was cancelled" });
    expect((hooks.aborts.get(run.id) as { code: string }).code).toBe("RUN_CANCELLED");
    const types = await eventTypes(store, run.id);
    expect(types.at(-1)).toBe("run.finished");
    expect(types.filter((t) => t === "run.finished")).toHaveLength(1);
  });

  it("ends a cancelled run even when the template ignores the abort", async () => {
    const { engine, hooks, agent } = await setup({ abortGraceMs: 20 });
    const { run } = await engine.submit({ agent, input: script({ hang: true }) });
    await until(() => hooks.started.includes(run.id), "the template to start");
    const started = Date.now();
    const cancelled = await engine.cancel(run.id);
    expect(cancelled.status).toBe("cancelled");
    expect(Date.now() - started).toBeLessThan(1000);
    expect(engine.stats()).toEqual({ running: 0, queued: 0 });
  });

  it("ends a timed-out run whose template ignores the abort", async () => {
    const { engine, agent } = await setup({ abortGraceMs: 10 });
    const { run } = await engine.submit({ agent, input: script({ hang: true }), timeoutMs: 100 });
    expect((await engine.wait(run.id)).status).toBe("timed_out");
  });

  it("cancels a queued run without ever starting it", async () => {
    const { store, engine, hooks, agent } = await setup({ concurrency: { global: 1 } });
    const first = await engine.submit({ agent, input: script({ gate: "first" }) });
    const second = await engine.submit({ agent, input: script({ output: 1 }) });
    expect(engine.stats()).toEqual({ running: 1, queued: 1 });
    const cancelled = await engine.cancel(second.run.id);
    expect(cancelled.status).toBe("cancelled");
    expect(await eventTypes(store, second.run.id)).toEqual(["run.queued", "error", "run.finished"]);
    hooks.gates.open("first");
    expect((await engine.wait(first.run.id)).status).toBe("succeeded");
    expect(hooks.started).toEqual([first.run.id]);
  });

  it("answers RUN_NOT_FOUND and RUN_ALREADY_FINISHED", async () => {
    const { engine, agent } = await setup();
    expect(await codeOf(engine.cancel("run_missing"))).toBe("RUN_NOT_FOUND");
    const { run } = await engine.submit({ agent, input: script() });
    await engine.wait(run.id);
    expect(await codeOf(engine.cancel(run.id))).toBe("RUN_ALREADY_FINISHED");
  });
});

describe("concurrency", () => {
  it("runs at most `global` runs at once and starts queued ones in FIFO order", async () => {
    const { engine, hooks, store } = await setup({ concurrency: { global: 2, perAgent: 10 } });
    const agents = [
      await createAgent(store, scriptTemplate(hooks), "a"),
      await createAgent(store, scriptTemplate(hooks), "b"),
    ];
    const runs = [];
    for (let i = 0; i < 4; i++) {
      runs.push((await engine.submit({ agent: agents[i % 2]!, input: script({ gate: `g${i}` }) })).run);
    }
    await until(() => hooks.started.length === 2, "two runs to start");
    expect(engine.stats()).toEqual({ running: 2, queued: 2 });
    hooks.gates.open("g1");
    await engine.wait(runs[1]!.id);
    await until(() => hooks.started.length === 3, "the third run to start");
    expect(hooks.started).toEqual([runs[0]!.id, runs[1]!.id, runs[2]!.id]);
    for (let i = 0; i < 4; i++) hooks.gates.open(`g${i}`);
    for (const run of runs) expect((await engine.wait(run.id)).status).toBe("succeeded");
  });

  it("limits runs per agent without holding up other agents", async () => {
    const { engine, hooks, store, agent } = await setup({ concurrency: { global: 10, perAgent: 1 } });
    const other = await createAgent(store, scriptTemplate(hooks), "other");
    const a1 = (await engine.submit({ agent, input: script({ gate: "a1" }) })).run;
    const a2 = (await engine.submit({ agent, input: script({ gate: "a2" }) })).run;
    const b1 = (await engine.submit({ agent: other, input: script({ gate: "b1" }) })).run;
    await until(() => hooks.started.length === 2, "one run per agent to start");
    expect(hooks.started).toEqual([a1.id, b1.id]);
    expect(engine.stats()).toEqual({ running: 2, queued: 1 });
    hooks.gates.open("a1");
    await until(() => hooks.started.includes(a2.id), "the second run of the first agent");
    hooks.gates.open("a2");
    hooks.gates.open("b1");
    for (const run of [a1, a2, b1]) expect((await engine.wait(run.id)).status).toBe("succeeded");
  });

  it("runs a thread's runs one at a time in submission order, other threads alongside", async () => {
    const { engine, hooks, agent } = await setup({ concurrency: { global: 10, perAgent: 10 } });
    const t1 = (await engine.submit({ agent, threadId: "thr_a", input: script({ gate: "t1" }) })).run;
    const t2 = (await engine.submit({ agent, threadId: "thr_a", input: script({ gate: "t2" }) })).run;
    const t3 = (await engine.submit({ agent, threadId: "thr_a", input: script() })).run;
    const other = (await engine.submit({ agent, threadId: "thr_b", input: script({ gate: "o" }) })).run;
    await until(() => hooks.started.length === 2, "one run per thread to start");
    expect(hooks.started).toEqual([t1.id, other.id]);
    expect(engine.stats()).toEqual({ running: 2, queued: 2 });
    hooks.gates.open("t1");
    await until(() => hooks.started.includes(t2.id), "the thread's second run");
    expect(hooks.started).not.toContain(t3.id);
    hooks.gates.open("t2");
    hooks.gates.open("o");
    for (const run of [t1, t2, t3, other]) expect((await engine.wait(run.id)).status).toBe("succeeded");
    expect(hooks.started).toEqual([t1.id, other.id, t2.id, t3.id]);
  });

  it("starts a thread's next run once a cancelled one has stopped", async () => {
    const { engine, hooks, agent } = await setup();
    const slow = script({ waitForAbort: true });
    const first = (await engine.submit({ agent, threadId: "thr_c", input: slow })).run;
    const second = (await engine.submit({ agent, threadId: "thr_c", input: script() })).run;
    await until(() => hooks.started.length === 1, "the first run to start");
    expect((await engine.cancel(first.id)).status).toBe("cancelled");
    expect((await engine.wait(second.id)).status).toBe("succeeded");
    expect(hooks.started).toEqual([first.id, second.id]);
  });

  it("refuses runs with QUEUE_FULL once the queue is full", async () => {
    const { engine, hooks, agent } = await setup({ concurrency: { global: 1, maxQueued: 1 } });
    const running = (await engine.submit({ agent, input: script({ gate: "x" }) })).run;
    const waiting = (await engine.submit({ agent, input: script() })).run;
    expect(await codeOf(engine.submit({ agent, input: script() }))).toBe("QUEUE_FULL");
    hooks.gates.open("x");
    expect((await engine.wait(running.id)).status).toBe("succeeded");
    expect((await engine.wait(waiting.id)).status).toBe("succeeded");
  });
});

describe("follow and wait", () => {
  it("replays stored events then follows live ones, and afterSeq gives exactly the missing events", async () => {
    const { engine, hooks, agent } = await setup();
    const { run } = await engine.submit({
      agent,
      input: script({ output: 1 }, { gate: "mid" }, { output: 2 }, { output: 3 }),
    });
    await until(() => hooks.started.includes(run.id), "the template to start");
    const seen: number[] = [];
    const full = (async () => {
      for await (const event of engine.follow(run.id, 0)) {
        seen.push(event.seq);
        if (event.seq === 3) hooks.gates.open("mid");
      }
    })();
    await full;
    expect(seen).toEqual([1, 2, 3, 4, 5, 6]);
    const resumed = await collect(engine.follow(run.id, 3));
    expect(resumed.map((e) => e.seq)).toEqual([4, 5, 6]);
    expect(resumed.at(-1)!.type).toBe("run.finished");
  });

  it("gives concurrent followers the same complete sequence", async () => {
    const { engine, hooks, agent } = await setup();
    const { run } = await engine.submit({
      agent,
      input: script({ gate: "go" }, ...Array.from({ length: 20 }, (_, i) => ({ output: i }))),
    });
    const followers = Array.from({ length: 5 }, (_, i) => collect(engine.follow(run.id, i)));
    await until(() => hooks.started.includes(run.id), "the template to start");
    hooks.gates.open("go");
    const results = await Promise.all(followers);
    results.forEach((events, i) => {
      expect(events.map((e) => e.seq)).toEqual(Array.from({ length: 23 - i }, (_, k) => k + 1 + i));
    });
  });

  it("stops following when the signal fires and rejects unknown runs", async () => {
    const { engine, hooks, agent } = await setup();
    const { run } = await engine.submit({ agent, input: script({ gate: "never" }) });
    await until(() => hooks.started.includes(run.id), "the template to start");
    const controller = new AbortController();
    const seen: string[] = [];
    for await (const event of engine.follow(run.id, 0, controller.signal)) {
      seen.push(event.type);
      if (event.type === "run.started") controller.abort();
    }
    expect(seen).toEqual(["run.queued", "run.started"]);
    expect(await codeOf(collect(engine.follow("run_missing", 0)))).toBe("RUN_NOT_FOUND");
  });

  it("gives followers of one live batch the same event objects", async () => {
    const { engine, hooks, agent } = await setup();
    const { run } = await engine.submit({ agent, input: script({ gate: "go" }, { output: 1 }) });
    await until(() => hooks.started.includes(run.id), "the template to start");
    const [a, b] = [0, 1].map(() => engine.followBatches(run.id, 2)[Symbol.asyncIterator]());
    const next = [a!.next(), b!.next()];
    hooks.gates.open("go");
    const [first, second] = (await Promise.all(next)).map((result) => result.value as StoredRunEvent[]);
    expect(first!.map((e) => e.type)).toEqual(["output", "run.finished"]);
    expect(second).toHaveLength(2);
    for (const [i, event] of first!.entries()) expect(second![i]).toBe(event);
  });

  it("reads from the store again when a slow follower's live backlog overflows: no gap, no repeat", async () => {
    const { engine, hooks, agent } = await setup();
    const burst = Array.from({ length: LIVE_BACKLOG + 100 }, (_, i) => ({
      emit: { type: "progress", done: i, total: 0 },
    }));
    const { run } = await engine.submit({
      agent,
      input: script({ gate: "a" }, { output: 0 }, { gate: "b" }, ...burst),
    });
    await until(() => hooks.started.includes(run.id), "the template to start");
    const follower = engine.followBatches(run.id, 0)[Symbol.asyncIterator]();
    const seqs: number[] = [];
    const take = async () => {
      const { value } = await follower.next();
      seqs.push(...value!.map((e: { seq: number }) => e.seq));
    };
    await take(); // replayed: queued, started
    hooks.gates.open("a");
    await take(); // live: the first output; the follower now waits in its live phase
    hooks.gates.open("b");
    // The whole burst is published while this consumer takes nothing.
    await engine.wait(run.id);
    for (;;) {
      const { value, done } = await follower.next();
      if (done) break;
      seqs.push(...value.map((e) => e.seq));
    }
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
    expect(seqs.length).toBe(LIVE_BACKLOG + 100 + 4); // queued, started, output, the burst, finished
  });

  it("ends a follow of a terminal run that has no run.finished event", async () => {
    const { store, engine, agent } = await setup();
    const { run } = await store.runs.create({
      id: "run_foreign",
      agentId: agent.id,
      agentRevision: 1,
      threadId: null,
      scheduleId: null,
      input: null,
      idempotencyKey: null,
      webhookUrl: null,
      timeoutMs: 1000,
    });
    await store.runs.update(run.id, { status: "failed" });
    expect(await collect(engine.follow(run.id, 0))).toEqual([]);
  });

  it("wait() rejects for unknown runs and with the signal's reason", async () => {
    const { engine, agent } = await setup();
    expect(await codeOf(engine.wait("run_missing"))).toBe("RUN_NOT_FOUND");
    const { run } = await engine.submit({ agent, input: script({ gate: "never" }) });
    const controller = new AbortController();
    const waiting = engine.wait(run.id, controller.signal);
    controller.abort(new Error("gave up"));
    await expect(waiting).rejects.toThrow("gave up");
    await expect(engine.wait(run.id, AbortSignal.abort(new Error("already")))).rejects.toThrow("already");
  });
});

/** A memory store that records each batch it is asked to append, and can refuse some events. */
function recordingStore(refuse: (payload: RunEventPayload) => boolean = () => false) {
  const inner = createMemoryStore();
  const batches: string[][] = [];
  const store: Store = {
    ...inner,
    runs: {
      ...inner.runs,
      async create(run, idempotentSince, payloads = []) {
        batches.push(["create", ...payloads.map((p) => p.type)]);
        return inner.runs.create(run, idempotentSince, payloads);
      },
      async appendEvents(runId, payloads, patch) {
        batches.push(payloads.map((p) => p.type));
        if (payloads.some(refuse)) {
          // Like a real store, failing takes a moment: the engine may have moved on meanwhile.
          await new Promise((resolve) => setTimeout(resolve, 10));
          throw new Error("disk full");
        }
        return inner.runs.appendEvents(runId, payloads, patch);
      },
    },
  };
  return { store, batches };
}

describe("event journal", () => {
  it("stores a burst of events in one store call, gap-free, joining text deltas; live followers see exactly the stored events", async () => {
    const { store, batches } = recordingStore();
    const { engine, hooks, agent } = await setup({}, store);
    const deltas = Array.from({ length: 30 }, (_, i) => ({
      emit: { type: "output.delta", text: `t${i}` },
    }));
    const log = { emit: { type: "log", level: "info", message: "between" } };
    const burst = [...deltas.slice(0, 10), log, ...deltas.slice(10)];
    const { run } = await engine.submit({ agent, input: script({ gate: "go" }, ...burst, { output: "x" }) });
    const live = collect(engine.follow(run.id, 0));
    await until(() => hooks.started.includes(run.id), "the template to start");
    hooks.gates.open("go");
    const seen = await live;
    const stored = await store.runs.events(run.id, 0);
    expect(stored.map((e) => e.seq)).toEqual(Array.from({ length: 7 }, (_, i) => i + 1));
    expect(seen).toEqual(stored);
    // The template yields the burst without waiting for anything, so it lands in one batch, which
    // is written with the run's end; the deltas on either side of the log line are joined. The run
    // row and its `run.queued` event are one write.
    expect(batches).toEqual([
      ["create", "run.queued"],
      ["run.started"],
      ["output.delta", "log", "output.delta", "output", "run.finished"],
    ]);
    const texts = stored
      .filter((e) => e.data.type === "output.delta")
      .map((e) => (e.data as { text: string }).text);
    expect(texts).toEqual(
      [deltas.slice(0, 10), deltas.slice(10)].map((part) => part.map((d) => d.emit.text).join("")),
    );
  });

  it("fails a run whose events can't be stored without waiting for the template's next event", async () => {
    const { store } = recordingStore((p) => p.type === "log");
    const { engine, hooks, agent } = await setup({}, store);
    const { run } = await engine.submit({
      agent,
      input: script({ emit: { type: "log", level: "info", message: "lost" } }, { gate: "later" }),
    });
    const done = await engine.wait(run.id);
    hooks.gates.open("later");
    expect(done).toMatchObject({ status: "failed", error: { message: "disk full" } });
    expect(await eventTypes(store, run.id)).toEqual(["run.queued", "run.started", "error", "run.finished"]);
  });

  it("still ends a run whose last events fail to store with its end, as failed", async () => {
    const { store, batches } = recordingStore((p) => p.type === "log");
    const { engine, agent } = await setup({}, store);
    const lost = { emit: { type: "log", level: "info", message: "lost" } };
    const { run } = await engine.submit({ agent, input: script(lost, { output: "x" }) });
    const done = await engine.wait(run.id);
    expect(done).toMatchObject({ status: "failed", error: { message: "disk full" } });
    expect(batches.at(-2)).toEqual(["log", "output", "run.finished"]);
    expect(await eventTypes(store, run.id)).toEqual(["run.queued", "run.started", "error", "run.finished"]);
  });

  it("does not let a run succeed when events written before its end were lost", async () => {
    const { store, batches } = recordingStore((p) => p.type === "log");
    const { engine, hooks, agent } = await setup({}, store);
    const lost = { emit: { type: "log", level: "info", message: "lost" } };
    const { run } = await engine.submit({ agent, input: script(lost, { gate: "go" }, { output: "x" }) });
    // The template finishes while the store is still failing to write the log event.
    await until(() => batches.some((types) => types[0] === "log"), "the log event to be written");
    hooks.gates.open("go");
    const done = await engine.wait(run.id);
    expect(done).toMatchObject({ status: "failed", error: { message: "disk full" } });
    expect(await eventTypes(store, run.id)).toEqual([
      "run.queued",
      "run.started",
      "output",
      "error",
      "run.finished",
    ]);
  });
});

describe("idempotency", () => {
  it("returns the existing run for the same agent and key, and refuses a different input", async () => {
    const { store, engine, hooks, agent } = await setup();
    const first = await engine.submit({ agent, input: script({ output: "x" }), idempotencyKey: "k1" });
    const again = await engine.submit({ agent, input: script({ output: "x" }), idempotencyKey: "k1" });
    expect(again).toEqual({ run: expect.objectContaining({ id: first.run.id }), created: false });
    expect(await codeOf(engine.submit({ agent, input: script({ output: "y" }), idempotencyKey: "k1" }))).toBe(
      "IDEMPOTENCY_CONFLICT",
    );
    const other = await createAgent(store, scriptTemplate(hooks), "other");
    const separate = await engine.submit({
      agent: other,
      input: script({ output: "x" }),
      idempotencyKey: "k1",
    });
    expect(separate.created).toBe(true);
    await engine.wait(first.run.id);
    expect(hooks.started.filter((id) => id === first.run.id)).toHaveLength(1);
  });
});

describe("agent instances", () => {
  it("fails a run whose template.create throws, and tries create again for the next run", async () => {
    const { store, engine } = await setup();
    const agent = await createAgent(store, broken, "broken");
    const first = await engine.submit({ agent, input: null });
    expect((await engine.wait(first.run.id)).error).toEqual({
      code: "UPSTREAM_ERROR",
      message: "credentials missing",
    });
    const second = await engine.submit({ agent, input: null });
    expect(await engine.wait(second.run.id)).toMatchObject({ status: "succeeded", output: "recovered" });
  });

  it("does not let a template.create that never returns hold a cancelled run open", async () => {
    const { store, engine } = await setup();
    const agent = await createAgent(store, stuck, "stuck");
    const { run } = await engine.submit({ agent, input: null });
    await until(async () => (await store.runs.get(run.id))?.status === "running", "the run to start");
    expect((await engine.cancel(run.id)).status).toBe("cancelled");
  });

  it("builds the create context per template", async () => {
    const names: string[] = [];
    const logger = createMemoryLogger();
    const { engine, agent } = await setup({
      context: (template) => {
        names.push(template.name);
        return { ...templateContext(logger)(), settings: { for: template.name } };
      },
    });
    await engine.wait((await engine.submit({ agent, input: script() })).run.id);
    expect(names).toEqual(["script"]);
  });

  it("gives templates a run-scoped logger", async () => {
    const { engine, agent, logger } = await setup();
    const { run } = await engine.submit({ agent, input: script({ log: "working" }) });
    await engine.wait(run.id);
    expect(logger.lines.find((l) => l.message === "working")?.data).toEqual({
      runId: run.id,
      agentId: agent.id,
    });
  });

  it("creates an instance once per revision and disposes dropped ones", async () => {
    const { store, engine, hooks, agent } = await setup();
    for (let i = 0; i < 2; i++) await engine.wait((await engine.submit({ agent, input: script() })).run.id);
    expect(hooks.created).toEqual(["default"]);
    const updated = await store.agents.update(agent.id, { config: { label: "v2" } });
    await engine.invalidateAgent(agent.id);
    expect(hooks.disposed).toEqual(["default"]);
    await engine.wait((await engine.submit({ agent: updated, input: script() })).run.id);
    expect(hooks.created).toEqual(["default", "v2"]);
  });

  it("keeps the current revision's instance when told of a change, and drops idle older ones on a newer run", async () => {
    const { store, engine, hooks, agent } = await setup();
    await engine.wait((await engine.submit({ agent, input: script() })).run.id);
    const v2 = await store.agents.update(agent.id, { config: { label: "v2" } });
    // A node that missed the change notice: the newer revision's first run retires the older instance.
    await engine.wait((await engine.submit({ agent: v2, input: script() })).run.id);
    await until(() => hooks.disposed.length === 1, "the older instance disposed");
    expect(hooks.disposed).toEqual(["default"]);
    // A late notice naming the current revision keeps its instance (no second create).
    await engine.invalidateAgent(agent.id, v2.revision);
    await engine.wait((await engine.submit({ agent: v2, input: script() })).run.id);
    expect(hooks.created).toEqual(["default", "v2"]);
    // Deleted: every instance goes.
    await engine.invalidateAgent(agent.id);
    expect(hooks.disposed).toEqual(["default", "v2"]);
  });

  it("keeps the submitted revision for a run even when the agent changes while it waits", async () => {
    const { store, engine, hooks, agent } = await setup({ concurrency: { global: 1 } });
    const blocker = (await engine.submit({ agent, input: script({ gate: "b" }) })).run;
    const pinned = (await engine.submit({ agent, input: script() })).run;
    await store.agents.update(agent.id, { config: { label: "v2" } });
    await engine.invalidateAgent(agent.id);
    // The blocker still runs on the dropped instance: it is only disposed once released.
    expect(hooks.disposed).toEqual([]);
    hooks.gates.open("b");
    await engine.wait(blocker.id);
    expect((await engine.wait(pinned.id)).agentRevision).toBe(1);
    expect(hooks.created).toEqual(["default", "default"]);
  });
});

describe("invokeAgent", () => {
  it("runs another agent through the engine and returns its output", async () => {
    const { store, engine, hooks, agent } = await setup();
    const child = await createAgent(store, scriptTemplate(hooks), "child");
    const { run } = await engine.submit({
      agent,
      input: script({ invoke: { agent: "child", input: script({ output: "from child" }) } }),
    });
    const done = await engine.wait(run.id);
    expect(done.output).toBe("from child");
    const childRuns = await store.runs.list({ limit: 10, agentId: child.id });
    expect(childRuns.items).toHaveLength(1);
    expect(childRuns.items[0]!.status).toBe("succeeded");
  });

  it("passes on the child's error code", async () => {
    const { engine, agent } = await setup();
    const { run } = await engine.submit({
      agent,
      input: script({
        invoke: { agent: "main", input: script({ fail: { code: "STEP_FAILED", message: "x" } }) },
      }),
    });
    expect((await engine.wait(run.id)).error).toMatchObject({ code: "script.STEP_FAILED" });
  });

  it("stops recursion at the depth limit without deadlocking on a full agent", async () => {
    const { store, engine, agent } = await setup({
      maxInvokeDepth: 3,
      concurrency: { global: 1, perAgent: 1 },
    });
    let nested: unknown = script({ output: "bottom" });
    for (let i = 0; i < 5; i++) nested = script({ invoke: { agent: "main", input: nested } });
    const { run } = await engine.submit({ agent, input: nested });
    const done = await engine.wait(run.id);
    expect(done.status).toBe("failed");
    expect(done.error?.message).toMatch(/limited to 3 levels deep/);
    // The top-level run plus 3 nested levels ran; the 4th invocation was refused before a run existed.
    expect((await store.runs.list({ limit: 50, agentId: agent.id })).items).toHaveLength(4);
  });

  it("reports an unknown agent as AGENT_NOT_FOUND", async () => {
    const { engine, agent } = await setup();
    const { run } = await engine.submit({
      agent,
      input: script({ invoke: { agent: "ghost", input: null } }),
    });
    expect((await engine.wait(run.id)).error?.code).toBe("AGENT_NOT_FOUND");
  });

  it("cancels the child run when the parent is cancelled", async () => {
    const { store, engine, hooks, agent } = await setup();
    await createAgent(store, scriptTemplate(hooks), "child");
    const { run } = await engine.submit({
      agent,
      input: script({ invoke: { agent: "child", input: script({ waitForAbort: true }) } }),
    });
    await until(() => hooks.started.length === 2, "the child to start");
    await engine.cancel(run.id);
    const childId = hooks.started[1]!;
    expect((await engine.wait(childId)).status).toBe("cancelled");
  });
});

describe("unstored runs", () => {
  const typesOf = async (events: AsyncIterable<{ type: string }>) => {
    const types: string[] = [];
    for await (const event of events) types.push(event.type);
    return types;
  };

  it("executes like a stored run, writes nothing, and reports its tokens", async () => {
    const { store, engine, agent } = await setup();
    const run = engine.execute(
      engine.prepare({
        agent,
        input: script(
          { emit: { type: "usage", promptTokens: 3, completionTokens: 4, model: "m" } },
          { output: "done" },
        ),
      }),
    );
    const events = [];
    for await (const event of run.events()) events.push(event);
    expect(events.map((e) => [e.seq, e.type])).toEqual([
      [1, "run.queued"],
      [2, "run.started"],
      [3, "usage"],
      [4, "output"],
      [5, "run.finished"],
    ]);
    expect(events.at(-1)!.data).toEqual({ type: "run.finished", status: "succeeded", output: "done" });
    expect(await run.done).toEqual({ tokensUsed: 7 });
    expect(await store.runs.get(run.id)).toBeUndefined();
    expect((await store.runs.list({ limit: 10 })).items).toEqual([]);
    // Only a usage record, written with the next batch (at the latest when the engine closes);
    // until then the engine counts its tokens.
    const today = new Date(Date.now() - 60_000).toISOString();
    expect(engine.unrecordedTokens(agent.id, today) + (await store.runs.tokensUsed(agent.id, today))).toBe(7);
    await engine.close();
    expect(engine.unrecordedTokens(agent.id, today)).toBe(0);
    expect(await store.runs.tokensUsed(agent.id, today)).toBe(7);
    expect(await store.runs.agentUsage(agent.id, today)).toMatchObject({ runs: 1, errors: 0 });
  });

  it("is cancelled running or queued, times out, and takes a slot like any run", async () => {
    const { engine, agent, hooks } = await setup({ concurrency: { global: 1 } });
    const running = engine.execute(engine.prepare({ agent, input: script({ waitForAbort: true }) }));
    const queued = engine.execute(engine.prepare({ agent, input: script({ output: 1 }) }));
    await until(() => hooks.started.length === 1, "the first run to start");
    expect(engine.stats()).toEqual({ running: 1, queued: 1 });
    queued.cancel();
    expect(await typesOf(queued.events())).toEqual(["run.queued", "error", "run.finished"]);
    running.cancel();
    const ended = [];
    for await (const event of running.events()) ended.push(event.data);
    expect(ended.at(-1)).toMatchObject({ status: "cancelled", error: { code: "RUN_CANCELLED" } });
    await running.done;
    const timed = engine.execute(
      engine.prepare({ agent, input: script({ waitForAbort: true }), timeoutMs: 100 }),
    );
    const last = [];
    for await (const event of timed.events()) last.push(event.data);
    expect(last.at(-1)).toMatchObject({ status: "timed_out" });
    // A run whose caller stopped following is still cancellable, and harmless to cancel twice.
    timed.cancel();
  });

  it("ends queued followers when the engine closes, and refuses runs that need the journal", async () => {
    const { engine, agent } = await setup({ concurrency: { global: 1 } });
    const running = engine.execute(engine.prepare({ agent, input: script({ waitForAbort: true }) }));
    const queued = engine.execute(engine.prepare({ agent, input: script({ output: 1 }) }));
    expect(
      await codeOf(
        Promise.resolve().then(() =>
          engine.execute(engine.prepare({ agent, input: script(), threadId: "thr_1" })),
        ),
      ),
    ).toBe("BAD_REQUEST");
    await engine.close();
    const ended = [];
    for await (const event of running.events()) ended.push(event.data);
    expect(ended.at(-1)).toMatchObject({ status: "failed", error: { code: "RUN_INTERRUPTED" } });
    expect(await codeOf(typesOf(queued.events()))).toBe("NOT_READY");
    expect(
      await codeOf(Promise.resolve().then(() => engine.execute(engine.prepare({ agent, input: script() })))),
    ).toBe("NOT_READY");
  });
});
