import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./helpers.js";
import { readSse } from "./sse.js";

let server: TestServer;
beforeAll(async () => {
  // Passes are triggered by the tests (runOnce); the background one runs only at start-up.
  server = await startTestServer({ AGENTRT_RETENTION_INTERVAL: "1h", AGENTRT_SSE_HEARTBEAT_MS: "200" });
});
afterAll(() => server.stop());

const runSync = async (agent: string, body: Record<string, unknown> = {}) => {
  const res = await server.call("POST", `/v1/agents/${agent}/runs`, { input: "x", ...body });
  expect(res.status).toBe(200);
  return res.body.id as string;
};
const prune = () => server.services.runtime.retention.runOnce();

describe("retention over HTTP", () => {
  it("stores an agent's retention override, edits it and refuses a bad one", async () => {
    const created = await server.call("POST", "/v1/agents", {
      name: "kept-one",
      template: "echo",
      config: { greeting: "hi" },
      retention: { runMaxCount: 1, threadIdleTimeout: null },
    });
    expect(created.status).toBe(201);
    expect(created.body.retention).toEqual({ runMaxCount: 1, threadIdleTimeout: null });
    const patched = await server.call("PATCH", "/v1/agents/kept-one", { retention: { runMaxCount: 2 } });
    expect(patched.body).toMatchObject({ retention: { runMaxCount: 2 }, revision: 1 });
    const bad = await server.call("PATCH", "/v1/agents/kept-one", { retention: { runMaxAge: "soon" } });
    expect(bad.status).toBe(422);
    expect(bad.body.code).toBe("VALIDATION_FAILED");
    const plain = await server.call("POST", "/v1/agents", { name: "plain", template: "echo", config: {} });
    expect(plain.body.retention).toBeNull();
  });

  it("answers RUN_EXPIRED for a pruned run, on GET and on SSE resume", async () => {
    await server.call("POST", "/v1/agents", {
      name: "short",
      template: "echo",
      config: { greeting: "hi" },
      retention: { runMaxCount: 1 },
    });
    const first = await runSync("short");
    const second = await runSync("short");
    const stats = await prune();
    expect(stats.runsPruned).toBeGreaterThanOrEqual(1);
    const gone = await server.call("GET", `/v1/runs/${first}`);
    expect(gone.status).toBe(404);
    expect(gone.headers.get("content-type")).toContain("application/problem+json");
    expect(gone.body).toMatchObject({ code: "RUN_EXPIRED" });
    expect(gone.body.detail).toContain(first);
    const resume = await server.api(`/v1/runs/${first}/events`, { headers: { "last-event-id": "3" } });
    expect(resume.status).toBe(404);
    expect(await resume.json()).toMatchObject({ code: "RUN_EXPIRED" });
    // The run kept still streams its whole history.
    const events = await readSse(await server.api(`/v1/runs/${second}/events`));
    expect(events.at(-1)).toMatchObject({ event: "run.finished" });
  });

  it("deletes a finished run, refuses a running one, and frees its idempotency key", async () => {
    await server.call("POST", "/v1/agents", { name: "del", template: "echo", config: { greeting: "hi" } });
    const done = await runSync("del", { idempotencyKey: "once" });
    const deleted = await server.api(`/v1/runs/${done}`, { method: "DELETE" });
    expect(deleted.status).toBe(204);
    expect((await server.call("GET", `/v1/runs/${done}`)).body).toMatchObject({ code: "RUN_DELETED" });
    expect((await server.call("DELETE", `/v1/runs/${done}`)).body.code).toBe("RUN_DELETED");
    expect((await server.call("POST", `/v1/runs/${done}/cancel`)).body.code).toBe("RUN_DELETED");
    expect((await server.call("DELETE", "/v1/runs/run_never")).body.code).toBe("RUN_NOT_FOUND");
    // The key went with its run: the same key starts a new run.
    expect(await runSync("del", { idempotencyKey: "once" })).not.toBe(done);

    const bg = await server.call("POST", "/v1/agents/del/runs", {
      input: { sleepMs: 30_000 },
      mode: "background",
    });
    const refused = await server.call("DELETE", `/v1/runs/${bg.body.id}`);
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe("RUN_NOT_FINISHED");
    await server.call("POST", `/v1/runs/${bg.body.id}/cancel`);
    expect((await server.api(`/v1/runs/${bg.body.id}`, { method: "DELETE" })).status).toBe(204);
  });

  it("deletes an agent's runs created before a time", async () => {
    await server.call("POST", "/v1/agents", { name: "bulk", template: "echo", config: { greeting: "hi" } });
    for (let i = 0; i < 3; i++) await runSync("bulk");
    const none = await server.call("DELETE", "/v1/agents/bulk/runs?before=2000-01-01T00:00:00Z");
    expect(none.body).toEqual({ deleted: 0 });
    const all = await server.call(
      "DELETE",
      `/v1/agents/bulk/runs?before=${new Date(Date.now() + 60_000).toISOString()}`,
    );
    expect(all.body).toEqual({ deleted: 3 });
    expect((await server.call("GET", "/v1/runs?agent=bulk")).body.data).toEqual([]);
    expect((await server.call("DELETE", "/v1/agents/bulk/runs?before=yesterday")).status).toBe(422);
    expect((await server.call("DELETE", "/v1/agents/nobody/runs?before=2000-01-01T00:00:00Z")).status).toBe(
      404,
    );
  });

  it("shows store size, runs pruned and the oldest run kept in /metrics", async () => {
    await prune();
    const text = await (await server.api("/metrics")).text();
    const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, "m").exec(text)?.[1]);
    expect(value("agentrt_store_size_bytes")).toBeGreaterThan(0);
    expect(value("agentrt_retention_runs_pruned")).toBeGreaterThanOrEqual(1);
    expect(value("agentrt_oldest_run_timestamp_seconds")).toBeGreaterThan(1_600_000_000);
  });
});

describe("retention settings", () => {
  it("parses durations, counts and off, and names a bad value", async () => {
    const { parseEnv } = await import("../src/env.js");
    const config = parseEnv({
      AGENTRT_RETENTION_RUN_MAX_AGE: "7d",
      AGENTRT_RETENTION_RUN_MAX_COUNT: "500",
      AGENTRT_RETENTION_COMPACT_EVENTS_AFTER: "12h",
      AGENTRT_RETENTION_SCHEDULE_RUN_MAX_COUNT: "off",
    });
    expect(config.retention.policy).toEqual({
      runMaxAgeMs: 7 * 86_400_000,
      runMaxCount: 500,
      compactEventsAfterMs: 12 * 3_600_000,
      threadIdleMs: null,
      scheduleRunMaxCount: null,
    });
    expect(parseEnv({}).retention.policy.runMaxAgeMs).toBe(30 * 86_400_000);
    expect(() => parseEnv({ AGENTRT_RETENTION_THREAD_IDLE: "a while" })).toThrow(
      /AGENTRT_RETENTION_THREAD_IDLE/,
    );
    expect(() => parseEnv({ AGENTRT_RETENTION_RUN_MAX_COUNT: "-1" })).toThrow(
      /AGENTRT_RETENTION_RUN_MAX_COUNT/,
    );
  });
});
