import { describe, expect, it } from "vitest";
import { createAgent, createHooks, registryOf, scriptTemplate } from "../../test/engine-fixtures.js";
import { createMemoryStore } from "../memory-store.js";
import { newRun } from "../testing.js";
import { createUsageUseCases } from "./usage.js";

async function setup() {
  const store = createMemoryStore();
  const v1 = scriptTemplate(createHooks(), { version: "1.0.0" });
  const v2 = scriptTemplate(createHooks(), { version: "2.0.0" });
  const agent = await createAgent(store, v1, "worker");
  const usage = createUsageUseCases({
    store,
    registry: registryOf(v1, v2),
    agents: {
      get: async (idOrName) => {
        const found = await store.agents.get(idOrName);
        if (!found) throw Object.assign(new Error("missing"), { code: "AGENT_NOT_FOUND" });
        return found;
      },
    },
  });
  const ended = async (status: "succeeded" | "failed", ms: number) => {
    const { run } = await store.runs.create(newRun(agent.id));
    const end = Date.now() - 1000;
    await store.runs.update(run.id, {
      status,
      startedAt: new Date(end - ms).toISOString(),
      finishedAt: new Date(end).toISOString(),
    });
  };
  return { usage, agent, ended };
}

describe("usage use cases", () => {
  it("reports every installed version of a template, with the error rate of the last hour", async () => {
    const { usage, ended } = await setup();
    await ended("succeeded", 10);
    await ended("failed", 30);
    const { name, versions } = await usage.template("script");
    expect(name).toBe("script");
    expect(versions.sort((a, b) => a.version.localeCompare(b.version))).toEqual([
      { version: "1.0.0", runs: 2, errors: 1, errorRate: 0.5, p50Ms: 10, p95Ms: 30 },
      { version: "2.0.0", runs: 0, errors: 0, errorRate: 0, p50Ms: null, p95Ms: null },
    ]);
    await expect(usage.template("nothing")).rejects.toMatchObject({ code: "TEMPLATE_NOT_FOUND" });
  });

  it("reports one agent by id or name", async () => {
    const { usage, agent, ended } = await setup();
    await ended("succeeded", 20);
    const expected = { agentId: agent.id, runs: 1, errors: 0, errorRate: 0, p50Ms: 20, p95Ms: 20 };
    expect(await usage.agent("worker")).toEqual(expected);
    expect(await usage.agent(agent.id)).toEqual(expected);
    await expect(usage.agent("nobody")).rejects.toMatchObject({ code: "AGENT_NOT_FOUND" });
  });
});
