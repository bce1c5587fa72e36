import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startFromFlags } from "../src/commands/serve.js";
import { captureIo } from "./capture-io.js";
import { cliDir, linkWorkspaceDeps } from "./workspace-deps.js";

const root = mkdtempSync(join(tmpdir(), "agentrt-serve-"));
const host = join(root, "host");
mkdirSync(host);
writeFileSync(join(host, "package.json"), JSON.stringify({ name: "host", private: true }));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A template package with sources only, for `dev` to build. */
function writeSourceTemplate(dir: string): void {
  mkdirSync(join(dir, "src"), { recursive: true });
  writeFileSync(
    join(dir, "package.json"),
    JSON.stringify({
      name: "agentrt-template-src",
      version: "1.0.0",
      type: "module",
      agentrt: { template: "./dist/index.js", coreApi: "^2.0.0" },
    }),
  );
  writeFileSync(
    join(dir, "src", "index.ts"),
    `import { defineTemplate } from "@agentrt/core";
import { z } from "zod";
export default defineTemplate({
  name: "src", configSchema: z.object({}),
  create: () => ({ async *run() { yield { type: "output", output: "from source" }; } }),
});
`,
  );
  linkWorkspaceDeps(dir, ["@agentrt/core", "zod"]);
}

const flags = (name: string) => ({ port: "0", host: "127.0.0.1", "data-dir": join(root, name), dir: host });

describe("agentrt serve / dev (in-process)", () => {
  it("serve starts the server and prints the one-time admin key and the address", async () => {
    const io = captureIo(root);
    const server = await startFromFlags(flags("serve-data"), io, { handleSignals: false });
    try {
      expect(io.out).toContain("agentrt generated an admin API key");
      expect(io.out).toContain(server.generatedAdminKey);
      expect(io.out).toContain(`agentrt listening on ${server.url}`);
      expect((await fetch(`${server.url}/health`)).status).toBe(200);
    } finally {
      await server.close();
    }
  });

  it("dev builds watched template sources and serves them", async () => {
    const dir = join(root, "src-template");
    writeSourceTemplate(dir);
    const io = captureIo(root);
    const server = await startFromFlags({ ...flags("dev-data"), watch: ["src-template"] }, io, {
      dev: true,
      handleSignals: false,
    });
    try {
      const res = await fetch(`${server.url}/v1/templates`, {
        headers: { authorization: `Bearer ${server.generatedAdminKey}` },
      });
      const body = (await res.json()) as { data: { name: string }[] };
      expect(body.data.map((t) => t.name)).toEqual(["src"]);
    } finally {
      await server.close();
    }
  });

  it("dev says when there is nothing to watch", async () => {
    const io = captureIo(root);
    const server = await startFromFlags(flags("dev-empty"), io, { dev: true, handleSignals: false });
    await server.close();
    expect(io.err).toContain("nothing to watch");
  });
});

describe("agentrt bin (built)", () => {
  const spawnCli = (args: string[]): ChildProcess =>
    spawn(process.execPath, [join(cliDir, "dist", "bin.js"), ...args], {
      cwd: host,
      env: { PATH: process.env.PATH, HOME: root, AGENTRT_LOG_LEVEL: "warn" },
      stdio: ["ignore", "pipe", "pipe"],
    });
  const exitCode = (child: ChildProcess) =>
    new Promise<number | null>((resolve) => child.once("exit", resolve));

  it("serve runs until SIGTERM and then exits 0", async () => {
    const child = spawnCli(["serve", "--port", "0", "--data-dir", join(root, "bin-data")]);
    const exited = exitCode(child);
    let stderr = "";
    child.stderr!.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    await new Promise<void>((resolve) => {
      let out = "";
      child.stdout!.on("data", (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes("agentrt listening on")) resolve();
      });
    });
    child.kill("SIGTERM");
    expect(await exited, stderr).toBe(0);
  });

  it("exits 2 on a usage error", async () => {
    expect(await exitCode(spawnCli(["serve", "--port"]))).toBe(2);
  });
});
