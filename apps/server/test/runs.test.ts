import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./helpers.js";
import { readSse } from "./sse.js";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ AGENTRT_SSE_HEARTBEAT_MS: "200" });
  await server.call("POST", "/v1/agents", { name: "echo", template: "echo", config: { greeting: "hi" } });
});
afterAll(() => server.stop());

const run = (body: unknown, agent = "echo") => server.call("POST", `/v1/agents/${agent}/runs`, body);

describe("runs API", () => {
  it("runs synchronously and returns the finished run", async () => {
    const res = await run({ input: "there" });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: "succeeded", output: "hi there", input: "there", error: null });
    expect(res.headers.get("location")).toBe(`/v1/runs/${res.body.id}`);
  });

  it("runs in the background and can be fetched and listed", async () => {
    const res = await run({ input: { sleepMs: 100 }, mode: "background" });
    expect(res.status).toBe(202);
    expect(["queued", "running"]).toContain(res.body.status);
    const events = await readSse(await server.api(`/v1/runs/${res.body.id}/events`));
    expect(events.at(-1)).toMatchObject({ event: "run.finished", data: { status: "succeeded" } });
    expect((await server.call("GET", `/v1/runs/${res.body.id}`)).body.status).toBe("succeeded");
    const listed = await server.call("GET", "/v1/runs?agent=echo&status=succeeded&limit=1");
    expect(listed.body.data).toHaveLength(1);
    expect(listed.body.nextCursor).not.toBeNull();
  });

  it("streams events as they happen, numbered from 1, ending with the terminal event", async () => {
    const res = await server.api("/v1/agents/echo/runs", {
      method: "POST",
      body: JSON.stringify({ input: "s", mode: "stream" }),
    });
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const events = await readSse(res);
    expect(events.map((e) => e.event)).toEqual([
      "run.queued",
      "run.started",
      "progress",
      "output.delta",
      "output",
      "run.finished",
    ]);
    expect(events.map((e) => Number(e.id))).toEqual([1, 2, 3, 4, 5, 6]);
    expect(events.at(-1)?.data).toMatchObject({ status: "succeeded", output: "hi s" });
  });

  it("resumes a dropped stream with Last-Event-ID or ?after without gaps or duplicates", async () => {
    const { body } = await run({ input: { sleepMs: 300 }, mode: "background" });
    const firstTwo = await readSse(
      await server.api(`/v1/runs/${body.id}/events`),
      (_e, all) => all.length === 2,
    );
    expect(firstTwo.map((e) => e.id)).toEqual(["1", "2"]);
    const rest = await readSse(
      await server.api(`/v1/runs/${body.id}/events`, { headers: { "last-event-id": "2" } }),
    );
    expect(rest.map((e) => Number(e.id))).toEqual([3, 4, 5, 6]);
    const viaQuery = await readSse(await server.api(`/v1/runs/${body.id}/events?after=4`));
    expect(viaQuery.map((e) => Number(e.id))).toEqual([5, 6]);
  });

  it("cancels a running run; the template sees the abort", async () => {
    const { body } = await run({ input: { sleepMs: 30_000 }, mode: "background" });
    await readSse(await server.api(`/v1/runs/${body.id}/events`), (e) => e.event === "run.started");
    const cancelled = await server.call("POST", `/v1/runs/${body.id}/cancel`);
    expect(cancelled.body).toMatchObject({ status: "cancelled", error: { code: "RUN_CANCELLED" } });
    const again = await server.call("POST", `/v1/runs/${body.id}/cancel`);
    expect(again.status).toBe(409);
    expect(again.body.code).toBe("RUN_ALREADY_FINISHED");
  });

  it("times out a run that runs too long", async () => {
    const res = await run({ input: { sleepMs: 30_000 }, timeoutMs: 200 });
    expect(res.body).toMatchObject({ status: "timed_out", error: { code: "RUN_TIMEOUT" } });
  });

  it("answers a sync run's own failure with 200 and the failed run, not a 5xx", async () => {
    const res = await run({ input: { fail: true }, mode: "sync" });
    // The request succeeded; the run failed: the run record says so (ARCHITECTURE.md's run model).
    expect(res.status).toBe(200);
    expect(res.headers.get("x-agentrt-run-id")).toBe(res.body.id);
    expect(res.body).toMatchObject({
      status: "failed",
      error: { code: "echo.STEP_FAILED", message: "asked to fail", details: { stepId: "echo" } },
    });
  });

  it("returns the same run for the same idempotency key", async () => {
    const first = await run({ input: "once", idempotencyKey: "k-1", mode: "background" });
    const second = await run({ input: "once", idempotencyKey: "k-1", mode: "background" });
    expect(second.body.id).toBe(first.body.id);
  });

  it("refuses runs of a paused agent with 409 AGENT_PAUSED", async () => {
    await server.call("POST", "/v1/agents", { name: "sleepy", template: "echo" });
    await server.call("POST", "/v1/agents/sleepy/pause");
    const res = await run({ input: "x" }, "sleepy");
    expect(res.status).toBe(409);
    expect(res.body.code).toBe("AGENT_PAUSED");
  });

  it("answers bad run requests with 4xx codes", async () => {
    expect((await run({ mode: "turbo" })).status).toBe(422);
    expect((await run({ input: 1 }, "missing")).body.code).toBe("AGENT_NOT_FOUND");
    expect((await server.call("GET", "/v1/runs/run_missing")).body.code).toBe("RUN_NOT_FOUND");
    expect((await server.api("/v1/runs/run_missing/events")).status).toBe(404);
    expect((await server.call("POST", "/v1/runs/run_missing/cancel")).status).toBe(404);
    expect((await run({ webhookUrl: "ftp://example.com/x" })).status).toBe(422);
  });
});
