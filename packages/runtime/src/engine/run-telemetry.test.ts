import { createTraceState, ROOT_CONTEXT, TraceFlags, trace } from "@opentelemetry/api";
import { afterEach, describe, expect, it } from "vitest";
import {
  createAgent,
  createHooks,
  createMemoryLogger,
  registryOf,
  scriptTemplate,
  templateContext,
  until,
} from "../../test/engine-fixtures.js";
import { createMemoryStore } from "../memory-store.js";
import type { RunEventPayload } from "../run-events.js";
import { currentLogFields, withLogFields } from "./logging.js";
import { createRunEngine, type RunEngine } from "./run-engine.js";
import {
  combineObservers,
  type RunEnding,
  type RunInfo,
  type RunObserver,
  runTraceParent,
  storedTraceContext,
} from "./run-telemetry.js";

const engines: RunEngine[] = [];
afterEach(async () => {
  await Promise.all(engines.splice(0).map((e) => e.close()));
});

/** Records what an observer hears. */
function recorder() {
  const heard: string[] = [];
  const runs: RunInfo[] = [];
  const events: RunEventPayload[] = [];
  const endings: RunEnding[] = [];
  const observer: RunObserver = {
    runStarted(run, waitedMs) {
      runs.push(run);
      heard.push(`started ${waitedMs === undefined ? "unknown" : "timed"}`);
    },
    runEvent(_run, event) {
      events.push(event);
    },
    runFinished(_run, ending, durationMs) {
      endings.push(ending);
      heard.push(`finished ${ending} ${durationMs >= 0}`);
    },
  };
  return { observer, heard, runs, events, endings };
}

async function setup(observer: RunObserver) {
  const store = createMemoryStore();
  const hooks = createHooks();
  const template = scriptTemplate(hooks);
  const logger = createMemoryLogger();
  const engine = createRunEngine({
    store,
    registry: registryOf(template),
    context: templateContext(logger),
    logger,
    observer,
  });
  engines.push(engine);
  const agent = await createAgent(store, template, "observed");
  return { engine, agent, template, logger };
}

describe("run observers", () => {
  it("hear a run start, each event its template produces, and how it ended", async () => {
    const a = recorder();
    const b = recorder();
    const { engine, agent, template } = await setup(combineObservers(a.observer, b.observer));
    const usage = { type: "usage", promptTokens: 3, completionTokens: 1, model: "m" };
    const ok = await engine.submit({ agent, input: { do: [{ emit: usage }, { output: 1 }] } });
    await engine.wait(ok.run.id);
    const failed = await engine.submit({ agent, input: { do: [{ fail: { message: "no" } }] } });
    await engine.wait(failed.run.id);
    // Observers hear the end after the run's record is settled (and its waiters woken).
    await until(() => a.endings.length === 2 && b.endings.length === 2, "both endings observed");

    for (const heard of [a, b]) {
      expect(heard.heard).toEqual([
        "started timed",
        "finished succeeded true",
        "started timed",
        "finished failed true",
      ]);
      expect(heard.events).toContainEqual(usage);
      expect(heard.endings).toEqual(["succeeded", "failed"]);
    }
    expect(a.runs[0]).toEqual({
      runId: ok.run.id,
      agentId: agent.id,
      agentName: "observed",
      template: template.name,
      templateVersion: template.version,
      revision: 1,
      threadId: undefined,
    });
  });

  it("counts a cancelled run as cancelled", async () => {
    const a = recorder();
    const { engine, agent } = await setup(a.observer);
    const { run } = await engine.submit({ agent, input: { do: [{ waitForAbort: true }] } });
    await until(() => a.runs.length === 1, "the run started");
    await engine.cancel(run.id);
    await until(() => a.endings.length === 1, "the end observed");
    expect(a.endings).toEqual(["cancelled"]);
  });
});

describe("log fields", () => {
  it("carry the submitter's fields (its request id) into the run, even when the run starts later", async () => {
    let seen: Readonly<Record<string, string>> | undefined;
    const { engine, agent } = await setup({
      runStarted() {
        seen = currentLogFields();
      },
    });
    const { run } = await withLogFields({ requestId: "req-42" }, () =>
      engine.submit({ agent, input: { do: [{ output: 1 }] } }),
    );
    await engine.wait(run.id);
    expect(seen).toEqual({ requestId: "req-42", runId: run.id, agentId: agent.id });
    expect(currentLogFields()).toBeUndefined();
  });

  it("name the submitting request in a run another engine executes (after a restart), whose queue wait counts from its creation", async () => {
    const store = createMemoryStore();
    const template = scriptTemplate(createHooks());
    const engineOn = (slots: number, observer?: RunObserver) => {
      const engine = createRunEngine({
        store,
        registry: registryOf(template),
        context: templateContext(createMemoryLogger()),
        concurrency: { global: slots, perAgent: slots },
        ...(observer ? { observer } : {}),
      });
      engines.push(engine);
      return engine;
    };
    const first = engineOn(1);
    const agent = await createAgent(store, template, "restarted");
    // The first run holds the only slot, so the second stays queued when the first engine stops.
    await first.submit({ agent, input: { do: [{ waitForAbort: true }] } });
    const { run } = await withLogFields({ requestId: "req-9" }, () =>
      first.submit({ agent, input: { do: [{ output: 1 }] } }),
    );
    await first.close();
    expect((await store.runs.get(run.id))?.status).toBe("queued");

    const seen: (Readonly<Record<string, string>> | undefined)[] = [];
    const waited: (number | undefined)[] = [];
    // Two slots: the first run, if its template is run again, does not hold up the second.
    const second = engineOn(2, {
      runStarted(started, waitedMs) {
        if (started.runId !== run.id) return;
        seen.push(currentLogFields());
        waited.push(waitedMs);
      },
    });
    await second.start();
    expect(await second.wait(run.id)).toMatchObject({ status: "succeeded" });
    expect(seen).toEqual([{ requestId: "req-9", runId: run.id, agentId: agent.id }]);
    expect(waited[0]).toBeGreaterThanOrEqual(0);
  });

  it("leave out the agent instance, which the run that asks first shares with every later one", async () => {
    const store = createMemoryStore();
    const hooks = createHooks();
    const template = scriptTemplate(hooks);
    const inCreate: (Readonly<Record<string, string>> | undefined)[] = [];
    const watched = {
      ...template,
      create: ((config, ctx) => {
        inCreate.push(currentLogFields());
        return template.create(config, ctx);
      }) satisfies typeof template.create,
    };
    const engine = createRunEngine({
      store,
      registry: registryOf(watched),
      context: templateContext(createMemoryLogger()),
    });
    engines.push(engine);
    const agent = await createAgent(store, watched, "shared");
    const { run } = await withLogFields({ requestId: "req-7" }, () =>
      engine.submit({ agent, input: { do: [{ output: 1 }] } }),
    );
    expect(await engine.wait(run.id)).toMatchObject({ status: "succeeded" });
    expect(inCreate).toEqual([undefined]);
  });
});

describe("stored trace context", () => {
  const spanContext = {
    traceId: "0af7651916cd43dd8448eb211c80319c",
    spanId: "b7ad6b7169203331",
    traceFlags: TraceFlags.SAMPLED,
    traceState: createTraceState("vendor=x"),
  };

  it("stores the submitter's span as W3C traceparent and tracestate and brings it back as a remote parent", () => {
    const stored = storedTraceContext(trace.setSpanContext(ROOT_CONTEXT, spanContext));
    expect(stored).toEqual({
      traceParent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
      traceState: "vendor=x",
    });
    const parent = trace.getSpanContext(runTraceParent(stored)!);
    expect(parent).toMatchObject({
      traceId: spanContext.traceId,
      spanId: spanContext.spanId,
      traceFlags: TraceFlags.SAMPLED,
      isRemote: true,
    });
    expect(parent?.traceState?.serialize()).toBe("vendor=x");
  });

  it("stores nothing without a span (tracing off) and gives no parent for such a run", () => {
    expect(storedTraceContext(ROOT_CONTEXT)).toEqual({ traceParent: null, traceState: null });
    expect(runTraceParent({ traceParent: null, traceState: null })).toBeUndefined();
  });
});
