import type { Run } from "@agentrt/client";
import { describe, expect, it } from "vitest";
import { groupBy, percentile, runStats, runsPerMinute } from "./stats.js";

const run = (status: Run["status"], createdAt: string, ms?: number, agentId = "a"): Run =>
  ({
    id: `run_${Math.random()}`,
    agentId,
    status,
    createdAt,
    startedAt: ms === undefined ? null : createdAt,
    finishedAt: ms === undefined ? null : new Date(Date.parse(createdAt) + ms).toISOString(),
  }) as Run;

describe("run stats", () => {
  it("takes nearest-rank percentiles", () => {
    expect(percentile([], 50)).toBeNull();
    expect(percentile([10, 20, 30, 40], 50)).toBe(20);
    expect(percentile([10, 20, 30, 40], 95)).toBe(40);
  });

  it("counts failures among finished runs and measures start to finish", () => {
    const t = "2026-01-01T00:00:00.000Z";
    const stats = runStats([
      run("succeeded", t, 100),
      run("failed", t, 300),
      run("timed_out", t, 200),
      run("running", t),
    ]);
    expect(stats).toEqual({ runs: 4, finished: 3, errorRate: 2 / 3, p50: 200, p95: 300 });
    expect(runStats([]).errorRate).toBeNull();
  });

  it("buckets runs per minute, oldest first, dropping older ones", () => {
    const now = Date.parse("2026-01-01T00:10:30.000Z");
    const [minutes, counts] = runsPerMinute(
      [
        run("succeeded", "2026-01-01T00:10:05.000Z"),
        run("queued", "2026-01-01T00:09:59.000Z"),
        run("queued", "2026-01-01T00:00:00.000Z"),
      ],
      now,
      3,
    );
    expect(minutes).toEqual([
      Date.parse("2026-01-01T00:08:00.000Z") / 1000,
      Date.parse("2026-01-01T00:09:00.000Z") / 1000,
      Date.parse("2026-01-01T00:10:00.000Z") / 1000,
    ]);
    expect(counts).toEqual([0, 1, 1]);
  });

  it("groups runs by a key", () => {
    const t = "2026-01-01T00:00:00.000Z";
    const groups = groupBy(
      [run("succeeded", t, 1, "x"), run("failed", t, 1, "y"), run("failed", t, 1, "x")],
      (r) => r.agentId,
    );
    expect([...groups].map(([k, v]) => [k, v.length])).toEqual([
      ["x", 2],
      ["y", 1],
    ]);
  });
});
