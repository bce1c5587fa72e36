// Runs/s of a trivial one-step task (sync runs over HTTP, 10 clients) on the embedded SQLite store,
// on PostgreSQL with one server process, and on PostgreSQL with two server processes sharing the
// load (clients alternate between them). The SQLite row is the baseline measured in the same run.
// Needs PostgreSQL: BENCH_POSTGRES_URL (or AGENTRT_TEST_POSTGRES_URL), default the local server.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  BENCH_KEY,
  BENCH_ROOT,
  createBenchHost,
  firstPartyLinks,
  POSTGRES_URL,
  postgresSchema,
} from "./host.ts";
import { table } from "./lib.ts";

const serverDir = join(BENCH_ROOT, "apps/server");
const headers = { authorization: `Bearer ${BENCH_KEY}`, "content-type": "application/json" };
const N = Number(process.env.BENCH_NODES_RUNS ?? 2000);
const CLIENTS = 10;

interface Node {
  url: string;
  child: ChildProcess;
}

function startNode(env: Record<string, string>): Promise<Node> {
  const child = spawn(process.execPath, [join(serverDir, "dist/main.js")], {
    env: {
      PATH: process.env.PATH,
      AGENTRT_PORT: "0",
      AGENTRT_ADMIN_KEY: BENCH_KEY,
      AGENTRT_LOG_LEVEL: "error",
      AGENTRT_RUN_CONCURRENCY: "64",
      AGENTRT_RUN_CONCURRENCY_PER_AGENT: "64",
      ...env,
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolvePromise, reject) => {
    let out = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (match) resolvePromise({ url: match[1]!, child });
    });
    child.once("exit", (code) => reject(new Error(`server exited with ${code}`)));
  });
}

function stop(node: Node): Promise<void> {
  return new Promise((resolvePromise) => {
    node.child.once("exit", () => resolvePromise());
    node.child.kill("SIGTERM");
  });
}

// biome-ignore lint/suspicious/noExplicitAny: benchmark reads arbitrary JSON answers
async function post(url: string, body: unknown): Promise<any> {
  const res = await fetch(url, { method: "POST", headers, body: JSON.stringify(body) });
  if (res.status >= 300) throw new Error(`${res.status} ${await res.text()}`);
  return res.json();
}

/** Sync runs from CLIENTS clients; client i talks to node i mod nodes. */
async function throughput(nodes: Node[], total: number): Promise<number> {
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, client) => {
      const url = nodes[client % nodes.length]!.url;
      while (next++ < total) {
        const run = await post(`${url}/v1/agents/trivial/runs`, { input: { n: next } });
        if (run.status !== "succeeded") throw new Error(`run ${run.status}`);
      }
    }),
  );
  return total / ((performance.now() - start) / 1000);
}

async function measure(
  label: string,
  count: number,
  env: Record<string, string>,
): Promise<(string | number)[]> {
  const nodes: Node[] = [];
  try {
    for (let i = 0; i < count; i++) nodes.push(await startNode(env));
    await post(`${nodes[0]!.url}/v1/agents`, {
      name: "trivial",
      template: "task",
      config: {
        steps: [{ id: "t", kind: "transform", template: "hello {{input.n}}" }],
        outputFormat: "last",
      },
    });
    await throughput(nodes, Math.min(200, N)); // warm-up
    return [label, count, (await throughput(nodes, N)).toFixed(0)];
  } finally {
    await Promise.all(nodes.map(stop));
  }
}

export default async function bench(): Promise<void> {
  let schemas: Awaited<ReturnType<typeof postgresSchema>>[];
  try {
    schemas = [await postgresSchema(), await postgresSchema()];
  } catch (error) {
    console.log(
      `\nnodes: skipped, no PostgreSQL at ${POSTGRES_URL} (${String(error)}); set BENCH_POSTGRES_URL`,
    );
    return;
  }
  const host = createBenchHost({ links: firstPartyLinks() });
  const dataDir = mkdtempSync(join(tmpdir(), "agentrt-bench-nodes-"));
  try {
    const rows = [
      await measure("baseline: embedded SQLite", 1, {
        AGENTRT_HOST_DIR: host.dir,
        AGENTRT_DATA_DIR: dataDir,
      }),
      await measure("PostgreSQL", 1, { AGENTRT_HOST_DIR: host.dir, AGENTRT_DATABASE_URL: schemas[0]!.url }),
      await measure("PostgreSQL", 2, { AGENTRT_HOST_DIR: host.dir, AGENTRT_DATABASE_URL: schemas[1]!.url }),
    ];
    table(
      `Trivial one-step task, sync runs over HTTP, ${CLIENTS} clients spread over the processes, n=${N}`,
      ["store", "server processes", "runs/s"],
      rows,
    );
  } finally {
    for (const schema of schemas) await schema.drop();
    rmSync(dataDir, { recursive: true, force: true });
    host.remove();
  }
}
