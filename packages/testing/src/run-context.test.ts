import { describe, expect, it } from "vitest";
import { collectEvents } from "./collect-events.js";
import { createNoopLogger } from "./logger.js";
import { createTestRunContext, createTestTemplateContext } from "./run-context.js";

describe("createTestRunContext", () => {
  it("has fresh ids, a live signal driven by its controller and a throwing invokeAgent", async () => {
    const a = createTestRunContext();
    const b = createTestRunContext();
    expect(a.runId).toMatch(/^run_/);
    expect(a.agentId).toMatch(/^agt_/);
    expect(a.runId).not.toBe(b.runId);
    expect(a.threadId).toBeUndefined();
    expect(a.signal.aborted).toBe(false);
    a.controller.abort();
    expect(a.signal.aborted).toBe(true);
    expect(b.signal.aborted).toBe(false);
    await expect(a.invokeAgent("helper", {})).rejects.toThrow('invokeAgent("helper") is not available');
  });

  it("takes overrides", async () => {
    const ctx = createTestRunContext({
      agentName: "writer",
      threadId: "thr_1",
      invokeAgent: async () => "ok",
    });
    expect(ctx.agentName).toBe("writer");
    expect(ctx.threadId).toBe("thr_1");
    expect(await ctx.invokeAgent("x", null)).toBe("ok");
  });
});

describe("createTestTemplateContext", () => {
  it("is empty by default and takes overrides", () => {
    const ctx = createTestTemplateContext({ env: { KEY: "v" } });
    expect(ctx.env).toEqual({ KEY: "v" });
    expect(ctx.settings).toEqual({});
    expect(ctx.services).toEqual({});
  });
});

describe("createNoopLogger", () => {
  it("accepts every level and returns nothing", () => {
    const logger = createNoopLogger();
    for (const level of ["debug", "info", "warn", "error"] as const) {
      expect(logger[level]("message", { a: 1 })).toBeUndefined();
    }
  });
});

describe("collectEvents", () => {
  it("collects async and sync iterables and propagates errors", async () => {
    async function* run() {
      yield 1;
      yield 2;
    }
    expect(await collectEvents(run())).toEqual([1, 2]);
    expect(await collectEvents(["a"])).toEqual(["a"]);
    async function* failing() {
      yield 1;
      throw new Error("boom");
    }
    await expect(collectEvents(failing())).rejects.toThrow("boom");
  });
});
