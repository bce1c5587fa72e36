// A real verdaccio npm registry on 127.0.0.1 for the end-to-end test: agentrt's own packages and
// `agentrt-template-*` live only here (anyone may publish), everything else is proxied from the
// public npm registry and kept in a storage folder that survives runs, so later runs install fast.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { stopProcess } from "./run.js";

export interface Registry {
  url: string;
  /** An auth token for publishing (verdaccio's npm `adduser` flow). */
  token: string;
  /** Lines for an .npmrc that uses this registry for everything and can publish to it. */
  npmrc: string;
  stop(): Promise<void>;
}

const LOCAL_ONLY = ["@agentrt/*", "agentrt-template-*"];

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Drops what earlier runs published, keeping the proxied third-party packages. */
function clearLocalPackages(storage: string): void {
  rmSync(join(storage, "@agentrt"), { recursive: true, force: true });
  if (existsSync(storage)) {
    for (const name of readdirSync(storage)) {
      if (name.startsWith("agentrt-template-")) rmSync(join(storage, name), { recursive: true, force: true });
    }
  }
  rmSync(join(storage, ".verdaccio-db.json"), { force: true });
}

function configYaml(storage: string, workDir: string, upstream: string): string {
  const local = LOCAL_ONLY.map(
    (pattern) => `  '${pattern}':\n    access: $all\n    publish: $all\n    unpublish: $all\n`,
  ).join("");
  return `storage: ${JSON.stringify(storage)}
auth:
  htpasswd:
    file: ${JSON.stringify(join(workDir, "htpasswd"))}
    max_users: 100
uplinks:
  npmjs:
    url: ${upstream}
    timeout: 60s
    maxage: 60m
packages:
${local}  '**':
    access: $all
    publish: $authenticated
    proxy: npmjs
server:
  keepAliveTimeout: 60
log: { type: stdout, format: pretty, level: warn }
`;
}

async function waitUntilUp(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`verdaccio exited with ${child.exitCode}:\n${output()}`);
    try {
      const res = await fetch(`${url}/-/ping`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`verdaccio did not start within 30 s:\n${output()}`);
}

/** Creates a user through the npm `adduser` endpoint and returns its token. */
async function addUser(url: string): Promise<string> {
  const name = `e2e-${process.pid}-${Date.now()}`;
  const res = await fetch(`${url}/-/user/org.couchdb.user:${name}`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name, password: "e2e-password", email: "e2e@example.com", type: "user" }),
  });
  const body = (await res.json()) as { token?: string };
  if (!res.ok || !body.token)
    throw new Error(`verdaccio adduser failed: ${res.status} ${JSON.stringify(body)}`);
  return body.token;
}

export async function startVerdaccio(options: {
  workDir: string;
  /** Survives runs: proxied packages are cached here. */
  storage: string;
  upstream?: string;
}): Promise<Registry> {
  mkdirSync(options.workDir, { recursive: true });
  mkdirSync(options.storage, { recursive: true });
  clearLocalPackages(options.storage);
  const configFile = join(options.workDir, "verdaccio.yaml");
  writeFileSync(
    configFile,
    configYaml(options.storage, options.workDir, options.upstream ?? "https://registry.npmjs.org/"),
  );
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const bin = join(import.meta.dirname, "..", "node_modules", "verdaccio", "bin", "verdaccio");
  const child = spawn(process.execPath, [bin, "--config", configFile, "--listen", `127.0.0.1:${port}`], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, NODE_ENV: "production" },
  });
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr!.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  const stop = () => stopProcess(child);
  try {
    await waitUntilUp(url, child, () => output);
    const token = await addUser(url);
    const npmrc = `registry=${url}/\n//127.0.0.1:${port}/:_authToken=${token}\n`;
    return { url, token, npmrc, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
