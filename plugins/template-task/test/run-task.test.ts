import { createHook } from "node:async_hooks";
import { AgentrtError, ErrorCode, isAgentrtError, type Logger } from "@agentrt/core";
import { createEgressPolicy } from "@agentrt/egress";
import { checkRunEvents, collectEvents, createTestRunContext } from "@agentrt/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TaskConfigSchema } from "../src/config-schema.js";
import { createTaskPlan } from "../src/create-task-agent.js";
import { TaskError } from "../src/errors.js";
import { runTask } from "../src/run-task.js";
import { createAgent as createAgentWith } from "./create-agent.js";
import { collectUntilError, finishedOf, outputOf, traceOf } from "./events.js";
import { sendJson, startUpstreamServer, type UpstreamServer } from "./upstream-server.js";

/** The test servers listen on 127.0.0.1: the operator setting allows exactly that internal address. */
const LOOPBACK_SETTINGS = { allowInternal: ["127.0.0.1"] };
const createAgent = (config: unknown, env: Record<string, string | undefined> = {}) =>
  createAgentWith(config, env, {}, LOOPBACK_SETTINGS);

let upstream: UpstreamServer;
/** Requests per flaky key, so each test gets its own counter. */
const flakyHits = new Map<string, number>();

beforeAll(async () => {
  upstream = await startUpstreamServer(async (req, res) => {
    const url = new URL(req.path, "http://x");
    if (url.pathname === "/ok") return sendJson(res, 200, { ok: url.searchParams.get("v") });
    if (url.pathname === "/slow") {
      await new Promise((resolve) => setTimeout(resolve, Number(url.searchParams.get("ms"))));
      return sendJson(res, 200, { slept: Number(url.searchParams.get("ms")) });
    }
    if (url.pathname === "/hang") return; // never answers; the client has to give up
    if (url.pathname === "/flaky") {
      const key = url.searchParams.get("key")!;
      const hits = (flakyHits.get(key) ?? 0) + 1;
      flakyHits.set(key, hits);
      return hits < 3 ? sendJson(res, 503, { hits }) : sendJson(res, 200, { hits });
    }
    sendJson(res, 404, { error: "no route" });
  });
});

afterAll(() => upstream.close());

const ok = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  kind: "http",
  url: `${upstream.url}/ok?v=${id}`,
  ...extra,
});
const notFound = (id: string) => ({ id, kind: "http", url: `${upstream.url}/nope` });

function recordingLogger(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  const ignore = () => {};
  return { warnings, debug: ignore, info: ignore, error: ignore, warn: (message) => warnings.push(message) };
}

describe("sequential runs", () => {
  it("runs steps in declared order, waiting for dependencies, with progress after each", async () => {
    const agent = await createAgent({
      steps: [
        ok("a"),
        { id: "b", kind: "transform", template: "{{steps.c.output.ok}}!" },
        ok("c", { name: "Third" }),
      ],
    });
    const events = await collectEvents(agent.run({}, createTestRunContext()));
    expect(traceOf(events)).toEqual([
      "started:a",
      "succeeded:a",
      "progress:1/3",
      "started:c",
      "succeeded:c",
      "progress:2/3",
      "started:b",
      "succeeded:b",
      "progress:3/3",
      "output",
    ]);
    expect(events).toContainEqual({ type: "step.started", stepId: "c", name: "Third" });
    expect(finishedOf(events, "a")).toEqual({
      type: "step.finished",
      stepId: "a",
      status: "succeeded",
      output: { ok: "a" },
      attempts: 1,
    });
    expect(outputOf(events)).toEqual({ a: { ok: "a" }, b: "c!", c: { ok: "c" } });
  });

  it.each([
    ["text", '{\n  "ok": "a"\n}\n\nb!'],
    ["last", "b!"],
    ["structured", { a: { ok: "a" }, b: "b!" }],
  ])("formats the output as %s", async (outputFormat, expected) => {
    const agent = await createAgent({
      outputFormat,
      steps: [ok("a"), { id: "b", kind: "transform", template: "b!" }],
    });
    expect(outputOf(await collectEvents(agent.run({}, createTestRunContext())))).toEqual(expected);
  });
});

describe("retries", () => {
  it("succeeds on the 3rd try of a flaky endpoint, doubling the backoff", async () => {
    const logger = recordingLogger();
    const agent = await createAgent({
      retryCount: 3,
      retryBackoffMs: 5,
      steps: [{ id: "flaky", kind: "http", url: `${upstream.url}/flaky?key=third-try` }],
    });
    const events = await collectEvents(agent.run({}, createTestRunContext({ logger })));
    expect(finishedOf(events, "flaky")).toMatchObject({
      status: "succeeded",
      output: { hits: 3 },
      attempts: 3,
    });
    expect(logger.warnings).toEqual([
      "step flaky attempt 1 failed; retrying in 5 ms",
      "step flaky attempt 2 failed; retrying in 10 ms",
    ]);
  });

  it("gives up after retryCount extra attempts", async () => {
    const agent = await createAgent({
      retryCount: 1,
      retryBackoffMs: 0,
      strictMode: false,
      steps: [{ id: "flaky", kind: "http", url: `${upstream.url}/flaky?key=gives-up` }],
    });
    const events = await collectEvents(agent.run({}, createTestRunContext()));
    expect(finishedOf(events, "flaky")).toMatchObject({
      status: "failed",
      attempts: 2,
      error: { code: ErrorCode.UPSTREAM_ERROR },
    });
  });

  it("does not retry failures another attempt cannot fix", async () => {
    const agent = await createAgent({
      retryCount: 5,
      retryBackoffMs: 0,
      strictMode: false,
      steps: [notFound("a")],
    });
    const events = await collectEvents(agent.run({}, createTestRunContext()));
    expect(finishedOf(events, "a")).toMatchObject({ status: "failed", attempts: 1 });
  });
});

describe("step timeout", () => {
  // The contract's minimum stepTimeout is 10 s; the plan works in ms, so tests use a short one.
  function planWithTimeout(config: unknown, stepTimeoutMs: number, invokeAgent?: () => Promise<unknown>) {
    const plan = {
      ...createTaskPlan(
        TaskConfigSchema.parse(config),
        { env: {}, services: {} },
        createEgressPolicy({ allow: ["127.0.0.1"] }).fetch,
      ),
      stepTimeoutMs,
    };
    return (runCtx = createTestRunContext(invokeAgent ? { invokeAgent } : {})) => runTask(plan, {}, runCtx);
  }

  it("fails a step that runs longer than stepTimeout with STEP_TIMEOUT and closes its request", async () => {
    const before = upstream.requests.length;
    const run = planWithTimeout(
      {
        strictMode: false,
        retryCount: 1,
        retryBackoffMs: 0,
        steps: [{ id: "hang", kind: "http", url: `${upstream.url}/hang` }],
      },
      100,
    );
    const events = await collectEvents(run());
    expect(finishedOf(events, "hang")).toEqual({
      type: "step.finished",
      stepId: "hang",
      status: "failed",
      error: {
        code: "task.STEP_TIMEOUT",
        message: 'step "hang" timed out after 0.1s',
        details: { retryable: true },
      },
      attempts: 2,
    });
    // The host checks every event against the event contract, where a code is a host code or a
    // namespaced one: the template's own codes go out as `task.<CODE>`.
    checkRunEvents(events);
    const attempts = upstream.requests.slice(before);
    expect(attempts).toHaveLength(2);
    expect(await Promise.all(attempts.map((r) => r.closedEarly))).toEqual([true, true]);
  });

  it("bounds a step even when the work ignores the abort signal", async () => {
    const run = planWithTimeout(
      { strictMode: false, steps: [{ id: "deaf", kind: "agent", agent: "never-answers" }] },
      50,
      () => new Promise(() => {}),
    );
    const events = await collectEvents(run());
    expect(finishedOf(events, "deaf")).toMatchObject({
      status: "failed",
      error: { code: "task.STEP_TIMEOUT" },
    });
  });
});

describe("strict and non-strict mode", () => {
  it("strict: stops at the first failed step and fails the run with STEP_FAILED", async () => {
    const agent = await createAgent({ steps: [ok("a"), notFound("b"), ok("c")] });
    const { events, error } = await collectUntilError(agent.run({}, createTestRunContext()));
    expect(traceOf(events)).toEqual([
      "started:a",
      "succeeded:a",
      "progress:1/3",
      "started:b",
      "failed:b",
      "progress:2/3",
    ]);
    expect(isAgentrtError(error)).toBe(true);
    expect(error).toMatchObject({
      code: TaskError.STEP_FAILED,
      details: { stepId: "b", code: ErrorCode.UPSTREAM_ERROR, attempts: 1 },
    });
    expect((error as Error).message).toMatch(/^step "b" failed: GET .* answered 404/);
  });

  it("non-strict: records the failure, skips its dependents and runs the rest", async () => {
    const agent = await createAgent({
      strictMode: false,
      steps: [
        notFound("a"),
        ok("b", { dependsOn: ["a"] }),
        { id: "c", kind: "transform", pick: "steps.b.output" },
        ok("d"),
      ],
    });
    const events = await collectEvents(agent.run({}, createTestRunContext()));
    expect(traceOf(events)).toEqual([
      "started:a",
      "failed:a",
      "progress:1/4",
      "skipped:b",
      "progress:2/4",
      "skipped:c",
      "progress:3/4",
      "started:d",
      "succeeded:d",
      "progress:4/4",
      "output",
    ]);
    expect(outputOf(events)).toEqual({
      d: { ok: "d" },
      $failures: {
        a: {
          status: "failed",
          error: {
            code: ErrorCode.UPSTREAM_ERROR,
            message: expect.stringContaining("404"),
            details: { retryable: false, status: 404 },
          },
        },
        b: { status: "skipped", reason: 'depends on step "a", which did not succeed' },
        c: { status: "skipped", reason: 'depends on step "b", which did not succeed' },
      },
    });
  });

  it("non-strict: reports each failure with a code the host's event contract accepts", async () => {
    const agent = await createAgent({
      strictMode: false,
      steps: [
        notFound("upstream"),
        // Rendered from the input: a literal that is no URL is refused when the agent is created.
        { id: "url", kind: "http", url: "{{input.url}}" },
        { id: "agent", kind: "agent", agent: "elsewhere" },
        ok("fine"),
      ],
    });
    const events = await collectEvents(agent.run({ url: "not a url" }, createTestRunContext()));
    expect(() => checkRunEvents(events)).not.toThrow();
    expect(["upstream", "url", "agent"].map((id) => finishedOf(events, id).error?.code)).toEqual([
      ErrorCode.UPSTREAM_ERROR,
      "task.STEP_FAILED",
      "task.STEP_FAILED",
    ]);
    expect(outputOf(events)).toMatchObject({
      fine: { ok: "fine" },
      $failures: { url: { status: "failed", error: { code: "task.STEP_FAILED" } } },
    });
  });

  it("strict in parallel mode: stops the steps still running and reports them", async () => {
    const before = upstream.requests.length;
    const agent = await createAgent({
      parallelExecution: true,
      steps: [{ id: "slow", kind: "http", url: `${upstream.url}/hang` }, notFound("bad")],
    });
    const { events, error } = await collectUntilError(agent.run({}, createTestRunContext()));
    expect(error).toMatchObject({ code: TaskError.STEP_FAILED, details: { stepId: "bad" } });
    expect(finishedOf(events, "slow")).toEqual({
      type: "step.finished",
      stepId: "slow",
      status: "failed",
      error: { code: "task.STEP_FAILED", message: 'stopped because step "bad" failed' },
    });
    expect(traceOf(events).slice(-2)).toEqual(["failed:slow", "progress:2/2"]);
    const hang = upstream.requests.slice(before).find((r) => r.path === "/hang")!;
    expect(await hang.closedEarly).toBe(true);
  });
});

describe("parallel execution", () => {
  const slow = (id: string, extra: Record<string, unknown> = {}) => ({
    id,
    kind: "http",
    url: `${upstream.url}/slow?ms=300`,
    ...extra,
  });

  it("runs independent steps concurrently: about the slowest, not the sum", async () => {
    const agent = await createAgent({ parallelExecution: true, steps: [slow("a"), slow("b"), slow("c")] });
    const started = performance.now();
    const events = await collectEvents(agent.run({}, createTestRunContext()));
    const elapsed = performance.now() - started;
    expect(traceOf(events).slice(0, 3)).toEqual(["started:a", "started:b", "started:c"]);
    expect(outputOf(events)).toEqual({ a: { slept: 300 }, b: { slept: 300 }, c: { slept: 300 } });
    // Sequentially this takes >= 900 ms; concurrently about 300 ms. Generous margin for slow CI.
    expect(elapsed).toBeLessThan(750);
  });

  it("still respects dependencies", async () => {
    const agent = await createAgent({
      parallelExecution: true,
      steps: [slow("a"), ok("b", { dependsOn: ["a"] }), ok("c")],
    });
    const trace = traceOf(await collectEvents(agent.run({}, createTestRunContext())));
    expect(trace.slice(0, 2)).toEqual(["started:a", "started:c"]);
    expect(trace.indexOf("started:b")).toBeGreaterThan(trace.indexOf("succeeded:a"));
  });
});

describe("cancellation", () => {
  it("aborts an in-flight http step and ends by throwing the abort reason", async () => {
    const before = upstream.requests.length;
    const agent = await createAgent({
      steps: [{ id: "hang", kind: "http", url: `${upstream.url}/hang` }, ok("next")],
    });
    const runCtx = createTestRunContext();
    const reason = new AgentrtError(ErrorCode.RUN_CANCELLED, "cancelled by test");
    const outcome = collectUntilError(agent.run({}, runCtx));
    await waitFor(() => upstream.requests.length > before);
    const abortedAt = performance.now();
    runCtx.controller.abort(reason);
    const { events, error } = await outcome;
    expect(error).toBe(reason);
    expect(performance.now() - abortedAt).toBeLessThan(1000);
    expect(await upstream.requests[before]!.closedEarly).toBe(true);
    expect(traceOf(events)).toEqual(["started:hang"]);
  });

  it("aborts a wait step and a retry backoff", async () => {
    for (const config of [
      { steps: [{ id: "w", kind: "wait", seconds: 30 }] },
      {
        retryCount: 2,
        retryBackoffMs: 30_000,
        steps: [{ id: "f", kind: "http", url: `${upstream.url}/flaky?key=backoff` }],
      },
    ]) {
      const agent = await createAgent(config);
      const runCtx = createTestRunContext();
      const outcome = collectUntilError(agent.run({}, runCtx));
      setTimeout(() => runCtx.controller.abort(new Error("stop")), 50);
      expect(((await outcome).error as Error).message).toBe("stop");
    }
  });

  it("aborts in-flight work when the consumer stops iterating", async () => {
    const before = upstream.requests.length;
    const agent = await createAgent({
      parallelExecution: true,
      steps: [
        { id: "hang", kind: "http", url: `${upstream.url}/hang` },
        { id: "w", kind: "wait", seconds: 30 },
      ],
    });
    const events = agent.run({}, createTestRunContext())[Symbol.asyncIterator]();
    // Both steps are in flight once the second one has started and the server has the request.
    while ((await events.next()).value?.stepId !== "w");
    await waitFor(() => upstream.requests.length > before);
    await events.return?.();
    expect(await upstream.requests[before]!.closedEarly).toBe(true);
  });
});

async function waitFor(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe("resources", () => {
  it("leaves no step timer pending once a run is over", async () => {
    const agent = await createAgent({
      steps: [{ id: "t", kind: "transform", template: "x" }],
      stepTimeout: 300,
    });
    // Timers of the step timeout created during the runs, until they fire or are cleared (unref'd
    // ones included); timers of anything else in this process are not the step's.
    const pending = new Set<number>();
    const hook = createHook({
      init: (id, type, _trigger, resource) =>
        type === "Timeout" &&
        (resource as { _idleTimeout?: number })._idleTimeout === 300_000 &&
        pending.add(id),
      destroy: (id) => pending.delete(id),
    }).enable();
    try {
      for (let i = 0; i < 20; i++) await collectEvents(agent.run({}, createTestRunContext()));
      await new Promise((resolve) => setImmediate(resolve)); // destroy hooks run asynchronously
    } finally {
      hook.disable();
    }
    expect(pending.size).toBe(0);
  });
});
