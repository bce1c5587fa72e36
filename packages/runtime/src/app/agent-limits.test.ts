import { describe, expect, it } from "vitest";
import { createMemoryStore } from "../memory-store.js";
import { createMemoryRateCounters } from "../rate-counters.js";
import { NO_AGENT_LIMITS } from "../store.js";
import { newAgent, newRun } from "../testing.js";
import { applyLimits, createAgentAdmission } from "./agent-limits.js";

async function setUp(
  limits: Partial<typeof NO_AGENT_LIMITS>,
  unrecordedTokens?: (agentId: string, since: string) => number,
) {
  const store = createMemoryStore();
  const agent = await store.agents.create({ ...newAgent("a"), limits: { ...NO_AGENT_LIMITS, ...limits } });
  const admission = createAgentAdmission({
    store,
    counters: createMemoryRateCounters(),
    ...(unrecordedTokens ? { unrecordedTokens } : {}),
  });
  const submit =
    (created = true) =>
    async () => ({
      created,
      run: (await store.runs.create(newRun(agent.id))).run,
    });
  return { store, agent, admission, submit };
}

describe("applyLimits", () => {
  it("replaces the fields given and keeps the others; null removes one", () => {
    const current = { maxConcurrentRuns: 2, maxRunsPerMinute: 5, maxTokensPerDay: null };
    expect(applyLimits(current, { maxRunsPerMinute: null, maxTokensPerDay: 9 })).toEqual({
      maxConcurrentRuns: 2,
      maxRunsPerMinute: null,
      maxTokensPerDay: 9,
    });
  });
});

describe("agent admission", () => {
  it("admits parallel submissions one at a time: exactly L of N in flight", async () => {
    const { admission, agent, submit } = await setUp({ maxConcurrentRuns: 4 });
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, () => admission.admit(agent, submit())),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(4);
    const refused = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
    expect(refused.reason).toMatchObject({ code: "RATE_LIMITED", details: { limit: "maxConcurrentRuns" } });
  });

  it("gives the minute's point back when no run was made", async () => {
    const { admission, agent, submit } = await setUp({ maxRunsPerMinute: 1 });
    // An idempotent repeat (created: false) and a failed submission cost nothing.
    await admission.admit(agent, submit(false));
    await expect(admission.admit(agent, () => Promise.reject(new Error("refused")))).rejects.toThrow(
      "refused",
    );
    await admission.admit(agent, submit());
    await expect(admission.admit(agent, submit())).rejects.toMatchObject({
      code: "RATE_LIMITED",
      details: { limit: "maxRunsPerMinute", retryAfterSeconds: expect.any(Number) },
    });
  });

  it("refuses once today's tokens reach the limit, until the next UTC day", async () => {
    const { admission, agent, store, submit } = await setUp({ maxTokensPerDay: 10 });
    const { run } = await admission.admit(agent, submit());
    await store.runs.appendEvent(run.id, { type: "usage", promptTokens: 6, completionTokens: 4 });
    const refusal = await admission.admit(agent, submit()).catch((error: unknown) => error);
    expect(refusal).toMatchObject({ code: "RATE_LIMITED", details: { limit: "maxTokensPerDay", used: 10 } });
    const retryAfter = (refusal as { details: { retryAfterSeconds: number } }).details.retryAfterSeconds;
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(86_400);
  });

  it("counts unstored runs' tokens today: not yet recorded ones from the engine, then the store's", async () => {
    let unrecorded = 0;
    const asked: string[] = [];
    const { admission, agent, store, submit } = await setUp({ maxTokensPerDay: 10 }, (agentId, since) => {
      asked.push(`${agentId} ${since}`);
      return unrecorded;
    });
    unrecorded = 9;
    await admission.admit(agent, submit());
    const dayStart = new Date(Date.now() - (Date.now() % 86_400_000)).toISOString();
    expect(asked).toEqual([`${agent.id} ${dayStart}`]);
    // Recorded now: the engine no longer counts them, the store does.
    unrecorded = 0;
    const now = new Date().toISOString();
    await store.runs.recordUnstored([
      {
        agentId: agent.id,
        agentRevision: 1,
        status: "succeeded",
        startedAt: now,
        finishedAt: now,
        tokens: 9,
      },
    ]);
    await admission.admit(agent, submit());
    unrecorded = 1;
    await expect(admission.admit(agent, submit())).rejects.toMatchObject({
      code: "RATE_LIMITED",
      details: { limit: "maxTokensPerDay", used: 10 },
    });
  });

  it("does not queue submissions of agents without limits", async () => {
    const { admission, agent, submit } = await setUp({});
    const results = await Promise.all(Array.from({ length: 5 }, () => admission.admit(agent, submit())));
    expect(results).toHaveLength(5);
  });
});
