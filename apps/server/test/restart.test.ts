import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createTestHost } from "./helpers.js";
import { type ServerProcess, startServerProcess } from "./process.js";

const dataDir = mkdtempSync(join(tmpdir(), "agentrt-restart-"));
const marker = join(dataDir, "incompatible-was-imported");
const hostDir = createTestHost();
const processes: ServerProcess[] = [];

async function start(): Promise<ServerProcess> {
  const server = await startServerProcess({
    AGENTRT_DATA_DIR: dataDir,
    AGENTRT_HOST_DIR: hostDir,
    AGENTRT_FIXTURE_MARKER: marker,
  });
  processes.push(server);
  return server;
}

afterAll(async () => {
  await Promise.all(processes.map((p) => p.stop("SIGKILL")));
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(hostDir, { recursive: true, force: true });
});

describe("a real server process", () => {
  it("prints a generated admin key once, keeps agents across restarts, and never imports incompatible templates", async () => {
    const first = await start();
    const key = /generated an admin API key[^\n]*\n\n\s+(art_\S+)/.exec(first.stdout())?.[1];
    expect(key).toBeDefined();
    const headers = { authorization: `Bearer ${key}`, "content-type": "application/json" };
    const created = await fetch(`${first.url}/v1/agents`, {
      method: "POST",
      headers,
      body: JSON.stringify({ name: "survivor", template: "echo", config: { greeting: "still here" } }),
    });
    expect(created.status, await created.clone().text()).toBe(201);
    const agent = await created.json();
    expect(await first.stop()).toBe(0);

    const second = await start();
    expect(second.stdout()).not.toContain("generated an admin API key");
    const fetched = await fetch(`${second.url}/v1/agents/survivor`, { headers });
    expect(fetched.status).toBe(200);
    expect(await fetched.json()).toEqual(agent);

    const templates = (await (await fetch(`${second.url}/v1/templates`, { headers })).json()) as {
      rejected: { code: string }[];
    };
    expect(templates.rejected.map((r) => r.code).sort()).toEqual([
      "TEMPLATE_INCOMPATIBLE",
      "TEMPLATE_INCOMPATIBLE",
      "TEMPLATE_INVALID",
      "TEMPLATE_SERVICE_MISSING",
    ]);
    expect(existsSync(marker)).toBe(false);
    expect(await second.stop()).toBe(0);
  });
});
