import type { RunInfo } from "@agentrt/runtime";
import { describe, expect, it } from "vitest";
import { createRunStats } from "./run-stats.js";

const run = (agentId: string, templateVersion = "1.0.0"): RunInfo => ({
  runId: `run-${agentId}`,
  agentId,
  agentName: agentId,
  template: "echo",
  templateVersion,
  revision: 1,
  threadId: undefined,
});

describe("run stats", () => {
  it("counts runs and errors per template version and per agent, with bucketed quantiles", () => {
    const stats = createRunStats(() => 0);
    const finished = stats.observer.runFinished!;
    for (let i = 0; i < 18; i++) finished(run("a"), "succeeded", 10);
    finished(run("a"), "failed", 1000);
    finished(run("b"), "timed_out", 1000);
    finished(run("b", "2.0.0"), "cancelled", 5);

    const v1 = stats.template("echo", "1.0.0");
    expect(v1).toMatchObject({ runs: 20, errors: 2, errorRate: 0.1 });
    // 10 ms lies in the bucket up to 1.5^6 ≈ 11.4 ms; the slowest 2 of 20 make the p95 ~1 s.
    expect(v1.p50Ms).toBe(11);
    expect(v1.p95Ms).toBeGreaterThanOrEqual(1000);
    expect(v1.p95Ms).toBeLessThan(1500);
    expect(stats.template("echo", "2.0.0")).toMatchObject({ runs: 1, errors: 0, errorRate: 0 });
    expect(stats.agent("b")).toMatchObject({ runs: 2, errors: 1, errorRate: 0.5 });
    expect(stats.template("echo", "3.0.0")).toEqual({
      runs: 0,
      errors: 0,
      errorRate: 0,
      p50Ms: null,
      p95Ms: null,
    });
  });

  it("forgets runs older than an hour", () => {
    let now = 0;
    const stats = createRunStats(() => now);
    stats.observer.runFinished!(run("a"), "succeeded", 10);
    now = 30 * 60_000;
    stats.observer.runFinished!(run("a"), "interrupted", 10);
    expect(stats.agent("a")).toMatchObject({ runs: 2, errors: 1 });
    now = 61 * 60_000;
    expect(stats.agent("a")).toMatchObject({ runs: 1, errors: 1 });
    now = 120 * 60_000;
    stats.observer.runFinished!(run("b"), "succeeded", 10);
    expect(stats.agent("a")).toMatchObject({ runs: 0, p50Ms: null });
  });
});
