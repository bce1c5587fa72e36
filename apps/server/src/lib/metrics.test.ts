import { channel } from "node:diagnostics_channel";
import type { RunInfo } from "@agentrt/runtime";
import { afterEach, describe, expect, it } from "vitest";
import { createMetrics, type Metrics, SANDBOX_CHANNEL, type SandboxPoolMessage } from "./metrics.js";

const run: RunInfo = {
  runId: "run_1",
  agentId: "agt_1",
  agentName: "support",
  template: "conversation",
  templateVersion: "1.0.0",
  revision: 1,
  threadId: undefined,
};

const opened: Metrics[] = [];
afterEach(() => {
  for (const metrics of opened.splice(0)) metrics.close();
});

/** Metrics of an idle server: nothing queued, no templates, no retention pass. */
function idleMetrics(agentLabel = false): Metrics {
  const metrics = createMetrics({
    agentLabel,
    gauges: {
      queue: () => ({ running: 0, queued: 0 }),
      templates: () => ({ loaded: 0, rejected: 0 }),
      retention: () => undefined,
    },
  });
  opened.push(metrics);
  return metrics;
}

async function tokenSeries(agentLabel: boolean) {
  const metrics = idleMetrics(agentLabel);
  metrics.observer.runEvent?.(run, { type: "usage", model: "m", promptTokens: 3, completionTokens: 1 });
  const tokens = await metrics.registry.getSingleMetric("agentrt_gen_ai_tokens_total")!.get();
  return tokens.values.map((v) => ({ labels: v.labels, value: v.value }));
}

describe("token metrics' agent label", () => {
  it("is absent unless the operator enables it (AGENTRT_METRICS_AGENT_LABEL)", async () => {
    expect(await tokenSeries(false)).toEqual([
      { labels: { direction: "input", model: "m" }, value: 3 },
      { labels: { direction: "output", model: "m" }, value: 1 },
    ]);
  });

  it("names the agent (never its id or a run) when enabled", async () => {
    expect(await tokenSeries(true)).toEqual([
      { labels: { direction: "input", model: "m", agent: "support" }, value: 3 },
      { labels: { direction: "output", model: "m", agent: "support" }, value: 1 },
    ]);
  });
});

describe("sandbox pool counters", () => {
  const pools = channel(SANDBOX_CHANNEL);
  type Stats = ReturnType<SandboxPoolMessage["stats"]>;
  const announce = (type: "opened" | "closed", id: string, stats: Stats) =>
    pools.publish({ type, id, stats: () => stats } satisfies SandboxPoolMessage);

  async function series(metrics: Metrics, name: string) {
    const metric = await metrics.registry.getSingleMetric(name)!.get();
    return { type: metric.type, values: metric.values.map((v) => ({ labels: v.labels, value: v.value })) };
  }

  it("are counters that keep a closed pool's crashes and kills, summed with the open pools'", async () => {
    const metrics = idleMetrics();
    const first: Stats = { busy: 1, idle: 1, crashes: 2, kills: { deadline: 3 } };
    announce("opened", "pool-a", first);
    expect(await series(metrics, "agentrt_sandbox_crashes_total")).toEqual({
      type: "counter",
      values: [{ labels: {}, value: 2 }],
    });
    first.kills = { deadline: 4, heartbeat: 1 };
    announce("closed", "pool-a", first);
    // The next pool starts from zero: the totals must not fall back with it.
    announce("opened", "pool-b", { busy: 0, idle: 2, crashes: 1, kills: { deadline: 1 } });
    expect(await series(metrics, "agentrt_sandbox_crashes_total")).toEqual({
      type: "counter",
      values: [{ labels: {}, value: 3 }],
    });
    expect(await series(metrics, "agentrt_sandbox_kills_total")).toEqual({
      type: "counter",
      values: [
        { labels: { reason: "deadline" }, value: 5 },
        { labels: { reason: "heartbeat" }, value: 1 },
      ],
    });
    expect((await series(metrics, "agentrt_sandbox_workers")).values).toEqual([
      { labels: { state: "busy" }, value: 0 },
      { labels: { state: "idle" }, value: 2 },
    ]);
  });

  it("ignore a close of a pool they never saw open (opened before the metrics existed)", async () => {
    const metrics = idleMetrics();
    announce("closed", "pool-unknown", { busy: 0, idle: 0, crashes: 7, kills: { error: 1 } });
    expect((await series(metrics, "agentrt_sandbox_crashes_total")).values).toEqual([
      { labels: {}, value: 0 },
    ]);
    expect((await series(metrics, "agentrt_sandbox_kills_total")).values).toEqual([]);
  });
});
