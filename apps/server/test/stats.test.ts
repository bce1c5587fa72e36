import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startTestServer, type TestServer } from "./helpers.js";

let server: TestServer;
// Given, so it outlives a server and the restart test reopens it.
const dataDir = mkdtempSync(join(tmpdir(), "agentrt-stats-"));

beforeAll(async () => {
  server = await startTestServer({ AGENTRT_DATA_DIR: dataDir });
  await server.call("POST", "/v1/agents", { name: "stat-echo", template: "echo", config: {} });
});
afterAll(async () => {
  await server.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe("per-template and per-agent statistics", () => {
  it("reports runs, error rate and duration quantiles of the last hour", async () => {
    for (const input of ["a", "b", "c"]) {
      expect((await server.call("POST", "/v1/agents/stat-echo/runs", { input })).body.status).toBe(
        "succeeded",
      );
    }
    expect(
      (await server.call("POST", "/v1/agents/stat-echo/runs", { input: { fail: true } })).body.status,
    ).toBe("failed");

    const agent = await server.call("GET", "/v1/agents/stat-echo/stats");
    expect(agent.status).toBe(200);
    expect(agent.body).toMatchObject({ window: "PT1H", runs: 4, errors: 1, errorRate: 0.25 });
    expect(agent.body.p50Ms).toEqual(expect.any(Number));
    expect(agent.body.p95Ms).toBeGreaterThanOrEqual(agent.body.p50Ms);

    const template = await server.call("GET", "/v1/templates/echo/stats");
    expect(template.status).toBe(200);
    const versions = template.body.versions as { version: string; runs: number; errors: number }[];
    expect(versions.reduce((n, v) => n + v.runs, 0)).toBe(4);
    expect(versions.find((v) => v.runs === 4)).toMatchObject({ errors: 1, errorRate: 0.25 });
    for (const version of versions)
      expect(Object.keys(version).sort()).toEqual([
        "errorRate",
        "errors",
        "p50Ms",
        "p95Ms",
        "runs",
        "version",
      ]);
  });

  it("counts chat completions that were not stored, as the runs they were", async () => {
    await server.call("POST", "/v1/agents", { name: "stat-chat", template: "echo", config: {} });
    for (const content of ["a", "b", "c"]) {
      const completion = await server.call("POST", "/v1/chat/completions", {
        model: "stat-chat",
        messages: [{ role: "user", content }],
      });
      expect(completion.status).toBe(200);
    }
    expect((await server.call("GET", "/v1/runs?agent=stat-chat")).body.data).toEqual([]);
    // Their usage records are written in batches, within a second.
    await vi.waitFor(
      async () =>
        expect((await server.call("GET", "/v1/agents/stat-chat/stats")).body).toMatchObject({
          runs: 3,
          errors: 0,
          p50Ms: expect.any(Number),
        }),
      { timeout: 5000, interval: 100 },
    );
    const template = await server.call("GET", "/v1/templates/echo/stats");
    expect((template.body.versions as { runs: number }[]).reduce((n, v) => n + v.runs, 0)).toBe(4 + 3);
  });

  it("keeps the statistics across a restart: they are read from the store", async () => {
    const before = (await server.call("GET", "/v1/agents/stat-echo/stats")).body;
    expect(before.runs).toBe(4);
    const chat = (await server.call("GET", "/v1/agents/stat-chat/stats")).body;
    await server.stop();
    server = await startTestServer({ AGENTRT_DATA_DIR: dataDir });
    expect((await server.call("GET", "/v1/agents/stat-echo/stats")).body).toEqual(before);
    expect((await server.call("GET", "/v1/agents/stat-chat/stats")).body).toEqual(chat);
  });

  it("answers 404 problems for unknown agents and templates, and is declared in the OpenAPI document", async () => {
    expect((await server.call("GET", "/v1/agents/nobody/stats")).body.code).toBe("AGENT_NOT_FOUND");
    expect((await server.call("GET", "/v1/templates/nothing/stats")).body.code).toBe("TEMPLATE_NOT_FOUND");
    const doc = (await server.call("GET", "/openapi.json")).body;
    expect(doc.paths["/v1/agents/{agent}/stats"].get.responses).toHaveProperty("200");
    expect(doc.paths["/v1/templates/{name}/stats"].get.responses).toHaveProperty("200");
    expect(doc.components.schemas).toHaveProperty("AgentStats");
  });

  it("needs an API key", async () => {
    expect((await server.call("GET", "/v1/agents/stat-echo/stats", undefined, null)).status).toBe(401);
  });
});
