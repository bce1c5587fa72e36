import { ErrorCode } from "@agentrt/core";
import type { AgentRecord, NewSchedule } from "@agentrt/runtime";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createSqliteStore, type SqliteStore } from "./sqlite-store.js";
import { newAgent, newestFirst } from "./test-fixtures.js";

let store: SqliteStore;
let agent: AgentRecord;
beforeEach(async () => {
  store = createSqliteStore({ path: ":memory:" });
  agent = await store.agents.create(newAgent());
});
afterEach(() => store.close());

let counter = 0;
function newSchedule(overrides: Partial<NewSchedule> = {}): NewSchedule {
  counter += 1;
  return {
    id: `sch_${String(counter).padStart(4, "0")}`,
    agentId: agent.id,
    cron: "*/5 * * * *",
    timezone: "Europe/Berlin",
    input: { text: "tick" },
    webhookUrl: null,
    enabled: true,
    overlap: "skip",
    nextRunAt: "2030-01-01T00:05:00.000Z",
    ...overrides,
  };
}

describe("schedules CRUD", () => {
  it("creates, gets, lists and deletes", async () => {
    const input = newSchedule({ webhookUrl: "http://127.0.0.1/hook" });
    const schedule = await store.schedules.create(input);
    expect(schedule).toEqual({ ...input, lastRunAt: null, lastRunId: null, createdAt: expect.any(String) });
    expect(await store.schedules.get(schedule.id)).toEqual(schedule);

    const other = await store.agents.create(newAgent());
    const second = await store.schedules.create(
      newSchedule({ agentId: other.id, enabled: false, nextRunAt: null }),
    );
    expect(second).toMatchObject({ enabled: false, nextRunAt: null });
    const page = await store.schedules.list({ limit: 1 });
    expect(page.items.map((item) => item.id)).toEqual(newestFirst([schedule, second]).slice(0, 1));
    const rest = await store.schedules.list({ limit: 1, cursor: page.nextCursor! });
    expect(rest).toEqual({ items: [expect.any(Object)], nextCursor: null });
    expect((await store.schedules.list({ limit: 10, agentId: other.id })).items).toEqual([second]);

    expect(await store.schedules.delete(schedule.id)).toBe(true);
    expect(await store.schedules.delete(schedule.id)).toBe(false);
    expect(await store.schedules.get(schedule.id)).toBeUndefined();
  });

  it("throws AGENT_NOT_FOUND for an unknown agent", async () => {
    await expect(store.schedules.create(newSchedule({ agentId: "agt_missing" }))).rejects.toMatchObject({
      code: ErrorCode.AGENT_NOT_FOUND,
    });
  });

  it("rethrows other insert failures unchanged", async () => {
    const schedule = await store.schedules.create(newSchedule());
    await expect(store.schedules.create(newSchedule({ id: schedule.id }))).rejects.toThrow(
      /UNIQUE constraint/,
    );
  });
});

describe("schedules.due", () => {
  it("returns enabled schedules due by now, soonest first, up to the limit", async () => {
    const late = await store.schedules.create(newSchedule({ nextRunAt: "2030-01-01T00:03:00.000Z" }));
    const early = await store.schedules.create(newSchedule({ nextRunAt: "2030-01-01T00:01:00.000Z" }));
    await store.schedules.create(newSchedule({ nextRunAt: "2030-01-01T00:10:00.000Z" }));
    await store.schedules.create(newSchedule({ nextRunAt: "2030-01-01T00:00:00.000Z", enabled: false }));
    await store.schedules.create(newSchedule({ nextRunAt: null }));

    const now = "2030-01-01T00:05:00.000Z";
    expect((await store.schedules.due(now, 10)).map((s) => s.id)).toEqual([early.id, late.id]);
    expect((await store.schedules.due(now, 1)).map((s) => s.id)).toEqual([early.id]);
    expect(await store.schedules.due("2029-12-31T00:00:00.000Z", 10)).toEqual([]);
  });
});

describe("schedules.claim", () => {
  it("moves the tick forward exactly once", async () => {
    const schedule = await store.schedules.create(newSchedule());
    const expected = schedule.nextRunAt!;
    const next = "2030-01-01T00:10:00.000Z";
    const at = "2030-01-01T00:05:00.100Z";
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        store.schedules.claim(schedule.id, expected, next, `run_${i}`, at),
      ),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    const winner = results.indexOf(true);
    expect(await store.schedules.get(schedule.id)).toMatchObject({
      nextRunAt: next,
      lastRunAt: at,
      lastRunId: `run_${winner}`,
    });
    // A stale claimant (e.g. a process that read the schedule before the claim) loses.
    expect(await store.schedules.claim(schedule.id, expected, next, "run_late", at)).toBe(false);
    expect(await store.schedules.claim("sch_missing", expected, next, "run_x", at)).toBe(false);
  });

  it("can end a schedule by claiming its last tick with next = null", async () => {
    const schedule = await store.schedules.create(newSchedule());
    expect(
      await store.schedules.claim(
        schedule.id,
        schedule.nextRunAt!,
        null,
        "run_1",
        "2030-01-02T00:00:00.000Z",
      ),
    ).toBe(true);
    expect(await store.schedules.due("2100-01-01T00:00:00.000Z", 10)).toEqual([]);
  });
});
