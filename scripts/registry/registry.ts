// `pnpm registry`: a local npm registry (verdaccio on 127.0.0.1) holding every public package of this
// workspace, built from the checkout, for template authors and for this repo's end-to-end tests.
// It prints the .npmrc line to install from it, and a token line to publish to it; Ctrl-C stops it.
//
//   node scripts/registry/registry.ts [--port 4873] [--state <dir>] [--release]
//
// --port 0 picks a free port. --state holds the registry's storage, users and the copied config
// (default scripts/registry/.cache); proxied third-party packages stay there between runs, the
// workspace's packages are published afresh on every start. --release publishes with the release
// flow (`pnpm release`: build, publint, attw, changeset publish) instead of `pnpm -r publish`.
import { type ChildProcess, spawn } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { createServer } from "node:net";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";

const here = import.meta.dirname;
const root = resolve(here, "../..");
const USER = { name: "agentrt", password: "agentrt-local-registry", email: "dev@agentrt.invalid" };

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "4873" },
    state: { type: "string", default: join(here, ".cache") },
    release: { type: "boolean", default: false },
  },
});
const state = resolve(values.state);
const storage = join(state, "storage");

/** Runs a command with inherited output to stderr (stdout carries only the lines callers parse). */
function run(command: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }) {
  return new Promise<void>((done, fail) => {
    const child = spawn(command, args, { ...options, stdio: ["ignore", process.stderr, process.stderr] });
    child.once("error", fail);
    child.once("close", (code) =>
      code === 0 ? done() : fail(new Error(`${command} ${args.join(" ")} exited with ${code}`)),
    );
  });
}

/** pnpm as this repo pins it, through npx: it need not be installed (and may not be on PATH). */
function pnpm(): [string, string[]] {
  const pinned = (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { packageManager: string })
    .packageManager;
  return ["npx", ["-y", pinned]];
}

/** verdaccio is installed with npm in this folder on first use, outside the pnpm workspace. */
async function verdaccioBin(): Promise<string> {
  const bin = join(here, "node_modules", "verdaccio", "bin", "verdaccio");
  if (!existsSync(bin)) {
    process.stderr.write("installing verdaccio (first run only)…\n");
    await run("npm", ["ci", "--no-audit", "--no-fund", "--loglevel=error"], { cwd: here });
  }
  return bin;
}

/**
 * Drops what earlier runs published (the workspace's packages, templates, the private scope), keeping proxied
 * third-party packages, users, and the secret that signs tokens (so a printed token stays valid).
 */
function clearLocalPackages(): void {
  if (!existsSync(storage)) return;
  // The local-only patterns of verdaccio.yaml: storage folders and package names.
  const localScopes = ["@agentrt", "@private"];
  const local = (name: string) =>
    name.startsWith("agentrt-template-") || localScopes.some((scope) => name.startsWith(`${scope}/`));
  for (const scope of localScopes) rmSync(join(storage, scope), { recursive: true, force: true });
  for (const name of readdirSync(storage)) {
    if (local(name)) rmSync(join(storage, name), { recursive: true, force: true });
  }
  const db = join(storage, ".verdaccio-db.json");
  if (existsSync(db)) {
    const content = JSON.parse(readFileSync(db, "utf8")) as { list?: string[] };
    content.list = (content.list ?? []).filter((name) => !local(name));
    writeFileSync(db, JSON.stringify(content));
  }
}

async function waitUntilUp(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`verdaccio exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/-/ping`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("verdaccio did not start within 60 s");
}

/** Logs the local user in through npm's adduser endpoint (creating it the first time); returns its token. */
async function login(url: string): Promise<string> {
  const res = await fetch(`${url}/-/user/org.couchdb.user:${USER.name}`, {
    method: "PUT",
    // Basic credentials make verdaccio log an existing user in; without them it only creates users.
    headers: {
      "content-type": "application/json",
      authorization: `Basic ${Buffer.from(`${USER.name}:${USER.password}`).toString("base64")}`,
    },
    body: JSON.stringify({ ...USER, type: "user" }),
  });
  const body = (await res.json()) as { token?: string };
  if (!res.ok || !body.token)
    throw new Error(`verdaccio login failed: ${res.status} ${JSON.stringify(body)}`);
  return body.token;
}

/** A port nobody listens on now (verdaccio cannot report the one it picks for port 0). */
function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once("error", fail);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

/** One registry per state directory: a second would clear and re-publish under the first. */
function claimState(): void {
  const pidFile = join(state, "registry.pid");
  if (existsSync(pidFile)) {
    const pid = Number(readFileSync(pidFile, "utf8"));
    let alive = false;
    try {
      process.kill(pid, 0);
      alive = pid !== process.pid;
    } catch {
      // no such process: a stale file from a registry that was killed
    }
    if (alive) {
      throw new Error(`another local registry (pid ${pid}) uses ${state}; stop it, or pass --state <dir>`);
    }
  }
  writeFileSync(pidFile, String(process.pid));
  process.once("exit", () => rmSync(pidFile, { force: true }));
}

async function main(): Promise<void> {
  const bin = await verdaccioBin();
  mkdirSync(state, { recursive: true });
  claimState();
  clearLocalPackages();
  const config = join(state, "verdaccio.yaml");
  copyFileSync(join(here, "verdaccio.yaml"), config);
  const port = values.port === "0" ? await freePort() : Number(values.port);
  const child = spawn(process.execPath, [bin, "--config", config, "--listen", `127.0.0.1:${port}`], {
    stdio: ["ignore", process.stderr, process.stderr],
    env: { ...process.env, NODE_ENV: "production" },
  });
  const stop = () => child.kill("SIGTERM");
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  child.once("exit", (code) => {
    process.exitCode = code ?? 0;
  });
  try {
    const url = `http://127.0.0.1:${port}`;
    await waitUntilUp(url, child);
    const token = await login(url);
    const npmrc = join(state, "npmrc");
    writeFileSync(npmrc, `registry=${url}/\n//127.0.0.1:${port}/:_authToken=${token}\n`);

    // Every non-private workspace package, in dependency order, with workspace: ranges made real.
    const env = { ...process.env, npm_config_registry: `${url}/`, npm_config_userconfig: npmrc };
    const [command, prefix] = pnpm();
    if (values.release) {
      await run(command, [...prefix, "release", "--no-git-tag"], { cwd: root, env });
    } else {
      await run(command, [...prefix, "build", "--output-logs=errors-only"], { cwd: root, env });
      await run(command, [...prefix, "-r", "publish", "--no-git-checks"], { cwd: root, env });
    }
    process.stdout.write(
      `agentrt local registry ready at ${url}/ with every @agentrt/* package built from ${root}\n\n` +
        "Put this line in your .npmrc (a project's, or ~/.npmrc) to install from it:\n\n" +
        `  registry=${url}/\n\n` +
        "To publish your own template to it, add this line too:\n\n" +
        `  //127.0.0.1:${port}/:_authToken=${token}\n\n` +
        "Everything else is proxied from registry.npmjs.org. Ctrl-C stops it.\n",
    );
  } catch (error) {
    process.stderr.write(`agentrt local registry: ${(error as Error).message}\n`);
    stop();
    process.exitCode = 1;
  }
}

await main().catch((error: Error) => {
  process.stderr.write(`agentrt local registry: ${error.message}\n`);
  process.exitCode = 1;
});
