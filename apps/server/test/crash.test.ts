import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createFakeModelServer } from "@agentrt/testing";
import { afterAll, describe, expect, it } from "vitest";
import { conversationConfig, createConversationHost, FAKE_KEY } from "./conversation-host.js";
import { ADMIN_KEY, createTestHost } from "./helpers.js";
import { type ServerProcess, startServerProcess } from "./process.js";
import { readSse } from "./sse.js";

const hostDir = createTestHost();
// The fixture templates plus the conversation template, whose agents call a fake model.
const chatHostDir = createConversationHost();
const dirs: string[] = [];
const processes: ServerProcess[] = [];
const headers = { authorization: `Bearer ${ADMIN_KEY}`, "content-type": "application/json" };

async function start(dataDir: string, host = hostDir): Promise<ServerProcess> {
  const server = await startServerProcess({
    AGENTRT_DATA_DIR: dataDir,
    AGENTRT_HOST_DIR: host,
    AGENTRT_ADMIN_KEY: ADMIN_KEY,
    FAKE_KEY,
  });
  processes.push(server);
  return server;
}

function freshDataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "agentrt-crash-"));
  dirs.push(dir);
  return dir;
}

async function call(server: ServerProcess, method: string, path: string, body?: unknown) {
  const res = await fetch(server.url + path, {
    method,
    headers,
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON answers
  return { status: res.status, body: (await res.json()) as any };
}

afterAll(async () => {
  await Promise.all(processes.map((p) => p.stop("SIGKILL")));
  for (const dir of [...dirs, hostDir, chatHostDir]) rmSync(dir, { recursive: true, force: true });
});

describe("crash recovery", () => {
  it("marks a run killed mid-flight RUN_INTERRUPTED, keeps its events, and serves on", async () => {
    const dataDir = freshDataDir();
    const first = await start(dataDir);
    await call(first, "POST", "/v1/agents", { name: "long", template: "echo" });
    const { body: run } = await call(first, "POST", "/v1/agents/long/runs", {
      input: { sleepMs: 60_000 },
      mode: "background",
    });
    const res = await fetch(`${first.url}/v1/runs/${run.id}/events`, { headers });
    await readSse(res, (e) => e.event === "run.started");
    await first.stop("SIGKILL");

    const second = await start(dataDir);
    const after = await call(second, "GET", `/v1/runs/${run.id}`);
    expect(after.body).toMatchObject({ status: "failed", error: { code: "RUN_INTERRUPTED" } });
    const events = await readSse(await fetch(`${second.url}/v1/runs/${run.id}/events`, { headers }));
    expect(events.map((e) => e.event)).toEqual(["run.queued", "run.started", "error", "run.finished"]);
    expect(events.map((e) => Number(e.id))).toEqual([1, 2, 3, 4]);
    expect((await call(second, "POST", "/v1/agents/long/runs", { input: "ok" })).body.status).toBe(
      "succeeded",
    );
  });

  it("a stateless chat completion killed mid-request leaves nothing behind; a stored one is interrupted", async () => {
    const fake = await createFakeModelServer({ latencyMs: 60_000 });
    try {
      const dataDir = freshDataDir();
      const first = await start(dataDir, chatHostDir);
      await call(first, "POST", "/v1/agents", {
        name: "chat",
        template: "conversation",
        config: conversationConfig(fake),
      });
      const ask = (extra: Record<string, unknown>) =>
        fetch(`${first.url}/v1/chat/completions`, {
          method: "POST",
          headers,
          body: JSON.stringify({ model: "chat", messages: [{ role: "user", content: "hi" }], ...extra }),
        }).catch(() => undefined);
      void ask({});
      void ask({ store: true });
      // Generous: the first request loads the template's agent module in the child process.
      await fake.waitForRequests(2, 30_000);
      await first.stop("SIGKILL");

      const second = await start(dataDir, chatHostDir);
      const runs = await call(second, "GET", "/v1/runs?agent=chat");
      expect(runs.body.data).toHaveLength(1);
      expect(runs.body.data[0]).toMatchObject({ status: "failed", error: { code: "RUN_INTERRUPTED" } });
    } finally {
      await fake.close();
    }
  });

  it("fires a per-second schedule once per tick, also across a SIGKILL restart", async () => {
    const dataDir = freshDataDir();
    const first = await start(dataDir);
    await call(first, "POST", "/v1/agents", { name: "ticker", template: "echo" });
    const since = Date.now();
    const created = await call(first, "POST", "/v1/schedules", {
      agent: "ticker",
      cron: "* * * * * *",
      input: "tick",
    });
    expect(created.status).toBe(201);
    expect(Date.parse(created.body.nextRunAt)).toBeGreaterThan(since);
    const tickerRuns = async (server: ServerProcess): Promise<{ createdAt: string }[]> =>
      (await call(server, "GET", "/v1/runs?agent=ticker&limit=200")).body.data;
    // Each process fires ticks before it goes: waited for, not for a fixed time (no timing bounds).
    await expect.poll(async () => (await tickerRuns(first)).length, { timeout: 30_000 }).toBeGreaterThan(1);
    await first.stop("SIGKILL");
    const killedAt = Date.now();
    const second = await start(dataDir);
    const restartedAt = Date.now();
    const firedAfterRestart = async () =>
      (await tickerRuns(second)).filter((r) => Date.parse(r.createdAt) >= restartedAt).length;
    await expect.poll(firedAfterRestart, { timeout: 30_000 }).toBeGreaterThan(1);
    const until = Date.now();
    await second.stop("SIGTERM");

    const third = await start(dataDir);
    const runs = await tickerRuns(third);
    // The third process fires the ticks it missed itself; count only what the first two fired.
    const fired = runs.filter((r) => Date.parse(r.createdAt) <= until);
    expect(fired.filter((r) => Date.parse(r.createdAt) <= killedAt).length).toBeGreaterThan(1);
    // Every whole second in the window is at most one tick; a tick missed while the process was
    // down is fired once on restart. Double firing would push the count above the number of ticks
    // (a loaded machine can only make it smaller: late ticks are claimed once, not caught up).
    const ticks = Math.floor(until / 1000) - Math.ceil(since / 1000) + 1;
    expect(fired.length).toBeLessThanOrEqual(ticks);
    // The third process takes the schedule over: its next fire time moves past the second's end.
    await expect
      .poll(
        async () => Date.parse((await call(third, "GET", `/v1/schedules/${created.body.id}`)).body.nextRunAt),
        { timeout: 30_000 },
      )
      .toBeGreaterThan(until);
  }, 120_000);
});
