import type { RunInfo } from "@agentrt/runtime";
import { describe, expect, it } from "vitest";
import { createMetrics } from "./metrics.js";

const run: RunInfo = {
  runId: "run_1",
  agentId: "agt_1",
  agentName: "support",
  template: "conversation",
  templateVersion: "1.0.0",
  revision: 1,
  threadId: undefined,
};

async function tokenSeries(agentLabel: boolean) {
  const metrics = createMetrics({
    agentLabel,
    gauges: {
      queue: () => ({ running: 0, queued: 0 }),
      templates: () => ({ loaded: 0, rejected: 0 }),
      retention: () => undefined,
    },
  });
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
