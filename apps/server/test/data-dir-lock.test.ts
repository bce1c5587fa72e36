import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ADMIN_KEY, createTestHost } from "./helpers.js";
import { type ServerProcess, startServerProcess } from "./process.js";
import { readSse } from "./sse.js";

const hostDir = createTestHost();
const dataDir = mkdtempSync(join(tmpdir(), "agentrt-lock-"));
const processes: ServerProcess[] = [];
const headers = { authorization: `Bearer ${ADMIN_KEY}`, "content-type": "application/json" };
const env = { AGENTRT_DATA_DIR: dataDir, AGENTRT_HOST_DIR: hostDir, AGENTRT_ADMIN_KEY: ADMIN_KEY };

afterAll(async () => {
  await Promise.all(processes.map((p) => p.stop("SIGKILL")));
  for (const dir of [dataDir, hostDir]) rmSync(dir, { recursive: true, force: true });
});

describe("embedded data directory", () => {
  it("refuses a second server on a data directory in use, naming the holder, and the first runs on", async () => {
    const first = await startServerProcess(env);
    processes.push(first);
    await fetch(`${first.url}/v1/agents`, {
      method: "POST",
      headers,
      body: JSON.stringify({ name: "slow", template: "echo" }),
    });
    const created = await fetch(`${first.url}/v1/agents/slow/runs`, {
      method: "POST",
      headers,
      body: JSON.stringify({ input: { sleepMs: 3000 }, mode: "background" }),
    });
    const run = (await created.json()) as { id: string };
    const follow = await fetch(`${first.url}/v1/runs/${run.id}/events`, { headers });
    const events = readSse(follow);

    // The second process opens the same directory while the first one's run is in flight.
    const refusal = await startServerProcess(env).then(
      (second) => {
        processes.push(second);
        return "started";
      },
      (error: Error) => error.message,
    );
    expect(refusal).toMatch(/^server exited with 1/);
    const stderr = refusal.slice(refusal.indexOf("agentrt:"));
    expect(stderr.trim().split("\n")).toHaveLength(1);
    expect(stderr).toContain(`in use by another agentrt process (pid ${first.child.pid})`);
    expect(stderr).toContain("NOT_READY");

    // The first process's run was neither interrupted nor disturbed: it finishes as if alone.
    const seen = await events;
    const types = seen.map((e) => e.event);
    expect(types.slice(0, 2)).toEqual(["run.queued", "run.started"]);
    expect(types.at(-1)).toBe("run.finished");
    expect(types).not.toContain("error");
    expect(seen.map((e) => Number(e.id))).toEqual(seen.map((_, i) => i + 1));
    const after = await fetch(`${first.url}/v1/runs/${run.id}`, { headers });
    expect(await after.json()).toMatchObject({ status: "succeeded" });

    // Once the first one is gone (even killed), the directory is free again.
    await first.stop("SIGKILL");
    const third = await startServerProcess(env);
    processes.push(third);
    const again = await fetch(`${third.url}/v1/runs/${run.id}`, { headers });
    expect(await again.json()).toMatchObject({ status: "succeeded" });
  });
});
