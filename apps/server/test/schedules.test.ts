import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./helpers.js";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
  await server.call("POST", "/v1/agents", { name: "echo", template: "echo", config: { greeting: "hi" } });
});
afterAll(() => server.stop());

const create = (body: Record<string, unknown>) =>
  server.call("POST", "/v1/schedules", { agent: "echo", cron: "0 0 1 1 *", ...body });

describe("changing a schedule", () => {
  it("PATCH changes cron, timezone, input and enabled, and moves the next fire time", async () => {
    const { body: created } = await create({ input: "a" });
    expect(created).toMatchObject({ overlap: "skip", enabled: true });
    const res = await server.call("PATCH", `/v1/schedules/${created.id}`, {
      cron: "30 6 * * *",
      timezone: "Europe/Berlin",
      input: "b",
      overlap: "enqueue",
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      cron: "30 6 * * *",
      timezone: "Europe/Berlin",
      input: "b",
      overlap: "enqueue",
    });
    // 06:30 in Berlin is 04:30 or 05:30 UTC, depending on summer time.
    expect(res.body.nextRunAt).toMatch(/T0[45]:30:00\.000Z$/);
    expect((await server.call("GET", `/v1/schedules/${created.id}`)).body).toEqual(res.body);

    const disabled = await server.call("PATCH", `/v1/schedules/${created.id}`, { enabled: false });
    expect(disabled.body).toMatchObject({ enabled: false, nextRunAt: null, cron: "30 6 * * *" });
  });

  it("pause and resume", async () => {
    const { body: created } = await create({});
    const paused = await server.call("POST", `/v1/schedules/${created.id}/pause`);
    expect(paused.status).toBe(200);
    expect(paused.body).toMatchObject({ enabled: false, nextRunAt: null });
    const resumed = await server.call("POST", `/v1/schedules/${created.id}/resume`);
    expect(resumed.body).toMatchObject({ enabled: true });
    expect(Date.parse(resumed.body.nextRunAt)).toBeGreaterThan(Date.now());
    expect((await server.call("POST", "/v1/schedules/sch_missing/pause")).status).toBe(404);
    expect((await server.call("PATCH", "/v1/schedules/sch_missing", { enabled: true })).status).toBe(404);
  });

  it("refuses bad changes with 422 and leaves the schedule as it was", async () => {
    const { body: created } = await create({});
    for (const patch of [
      { cron: "61 * * * *" },
      { timezone: "Mars/Olympus" },
      { overlap: "sometimes" },
      { agent: "x" },
    ]) {
      const res = await server.call("PATCH", `/v1/schedules/${created.id}`, patch);
      expect(res.status, JSON.stringify(patch)).toBe(422);
    }
    expect((await server.call("GET", `/v1/schedules/${created.id}`)).body).toEqual(created);
  });
});

describe("a cron that can never fire", () => {
  it("is refused with 422 SCHEDULE_INVALID at creation and on PATCH", async () => {
    const res = await create({ cron: "0 0 30 2 *" });
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({
      code: "SCHEDULE_INVALID",
      errors: [{ path: ["cron"], message: expect.stringMatching(/never fires/) }],
    });
    const { body: created } = await create({});
    const patched = await server.call("PATCH", `/v1/schedules/${created.id}`, { cron: "0 0 31 4 *" });
    expect(patched.status).toBe(422);
    expect(patched.body.code).toBe("SCHEDULE_INVALID");
  });
});

describe("overlap", () => {
  it("by default (skip) a 2.5 s run on a per-second cron never overlaps the next", async () => {
    const { body: schedule } = await create({ cron: "* * * * * *", input: { sleepMs: 2500 } });
    const runsOf = async () =>
      (await server.call("GET", "/v1/runs?agent=echo&limit=200")).body.data
        .filter((run: { scheduleId: string }) => run.scheduleId === schedule.id)
        .reverse();
    await expect
      .poll(async () => (await runsOf()).length, { timeout: 20_000, interval: 200 })
      .toBeGreaterThanOrEqual(2);
    await server.call("POST", `/v1/schedules/${schedule.id}/pause`);
    const runs = await runsOf();
    // Every run but the last has finished before the next one was even created.
    for (let i = 1; i < runs.length; i++) {
      const previous = await server.call("GET", `/v1/runs/${runs[i - 1].id}`);
      expect(previous.body.finishedAt).not.toBeNull();
      expect(Date.parse(runs[i].createdAt)).toBeGreaterThanOrEqual(Date.parse(previous.body.finishedAt));
    }
  });
});
