import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createTestHost, serverDir } from "./helpers.js";

const dataDir = mkdtempSync(join(tmpdir(), "agentrt-restart-"));
const marker = join(dataDir, "incompatible-was-imported");
const hostDir = createTestHost();
const children: ChildProcess[] = [];

/** Starts the built server (`dist/main.js`) as its own process and waits for its "listening" line. */
async function startProcess(): Promise<{ url: string; stdout: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [join(serverDir, "dist/main.js")], {
    env: {
      PATH: process.env.PATH,
      AGENTRT_PORT: "0",
      AGENTRT_DATA_DIR: dataDir,
      AGENTRT_HOST_DIR: hostDir,
      AGENTRT_LOG_LEVEL: "warn",
      AGENTRT_FIXTURE_MARKER: marker,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let stdout = "";
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(stdout);
      if (match) resolve(match[1]!);
    });
    child.once("exit", (code) => reject(new Error(`server exited with ${code}: ${stdout}`)));
  });
  return { url, stdout, child };
}

async function stop(child: ChildProcess, signal: NodeJS.Signals = "SIGTERM"): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  return new Promise((resolve) => {
    child.once("exit", (code) => resolve(code));
    child.kill(signal);
  });
}

afterAll(async () => {
  await Promise.all(children.map((c) => stop(c, "SIGKILL")));
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(hostDir, { recursive: true, force: true });
});

describe("a real server process", () => {
  it("prints a generated admin key once, keeps agents across restarts, and never imports incompatible templates", async () => {
    const first = await startProcess();
    const key = /generated an admin API key[^\n]*\n\n\s+(art_\S+)/.exec(first.stdout)?.[1];
    expect(key).toBeDefined();
    const headers = { authorization: `Bearer ${key}`, "content-type": "application/json" };
    const created = await fetch(`${first.url}/v1/agents`, {
      method: "POST",
      headers,
      body: JSON.stringify({ name: "survivor", template: "echo", config: { greeting: "still here" } }),
    });
    expect(created.status).toBe(201);
    const agent = await created.json();
    expect(await stop(first.child)).toBe(0);

    const second = await startProcess();
    expect(second.stdout).not.toContain("generated an admin API key");
    const fetched = await fetch(`${second.url}/v1/agents/survivor`, { headers });
    expect(fetched.status).toBe(200);
    expect(await fetched.json()).toEqual(agent);

    const templates = (await (await fetch(`${second.url}/v1/templates`, { headers })).json()) as {
      rejected: { code: string }[];
    };
    expect(templates.rejected.map((r) => r.code).sort()).toEqual([
      "TEMPLATE_INCOMPATIBLE",
      "TEMPLATE_INVALID",
    ]);
    expect(existsSync(marker)).toBe(false);
    expect(await stop(second.child)).toBe(0);
  });
});
