// Runs/s of a trivial one-step task (sync runs over HTTP, 10 clients) on the embedded SQLite store,
// on PostgreSQL with one server process, and on PostgreSQL with two server processes sharing the
// load (clients alternate between them). The SQLite row is the baseline measured in the same run.
// Then authenticated reads/s, the same way: GET /v1/templates (the API key from the node's cache,
// nothing from the store: what cross-node cache invalidation must keep fast) and GET /v1/agents/{id}
// (plus one store read); "vs SQLite" compares the first with the baseline (target: within 10 %).
// Needs PostgreSQL: BENCH_POSTGRES_URL (or AGENTRT_TEST_POSTGRES_URL), default the local server.
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { BENCH_KEY, createBenchHost, firstPartyLinks } from "./host.ts";
import { table } from "./lib.ts";

const serverDir = resolve(import.meta.dirname, "../apps/server");
const pg = createRequire(join(serverDir, "package.json"))("pg") as typeof import("pg");
const headers = { authorization: `Bearer ${BENCH_KEY}`, "content-type": "application/json" };
const N = Number(process.env.BENCH_NODES_RUNS ?? 2000);
const READS = Number(process.env.BENCH_NODES_READS ?? 10_000);
const CLIENTS = 10;
const POSTGRES_URL =
  process.env.BENCH_POSTGRES_URL ??
  process.env.AGENTRT_TEST_POSTGRES_URL ??
  "postgres://postgres@127.0.0.1:5432/postgres";

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
      // One bench key sends thousands of requests: the per-key limits would refuse it.
      AGENTRT_RATE_LIMIT_READ: "0",
      AGENTRT_RATE_LIMIT_INVOKE: "0",
      AGENTRT_RATE_LIMIT_ADMIN: "0",
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

/** Authenticated GETs of `path` from CLIENTS clients; client i talks to node i mod nodes. */
async function reads(nodes: Node[], path: string, total: number): Promise<number> {
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, client) => {
      const url = nodes[client % nodes.length]!.url + path;
      while (next++ < total) {
        const res = await fetch(url, { headers });
        if (res.status !== 200) throw new Error(`${res.status} ${await res.text()}`);
        await res.arrayBuffer();
      }
    }),
  );
  return total / ((performance.now() - start) / 1000);
}

async function measure(
  label: string,
  count: number,
  env: Record<string, string>,
): Promise<{ runs: (string | number)[]; reads: number[] }> {
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
    const runs = [label, count, (await throughput(nodes, N)).toFixed(0)];
    const paths = ["/v1/templates", "/v1/agents/trivial"];
    for (const path of paths) await reads(nodes, path, Math.min(500, READS)); // warm-up
    const perPath: number[] = [];
    for (const path of paths) perPath.push(await reads(nodes, path, READS));
    return { runs, reads: perPath };
  } finally {
    await Promise.all(nodes.map(stop));
  }
}

export default async function bench(): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
  } catch (error) {
    console.log(
      `\nnodes: skipped, no PostgreSQL at ${POSTGRES_URL} (${String(error)}); set BENCH_POSTGRES_URL`,
    );
    return;
  }
  const host = createBenchHost({ links: firstPartyLinks() });
  const dataDir = mkdtempSync(join(tmpdir(), "agentrt-bench-nodes-"));
  const schemas: string[] = [];
  const onSchema = () => {
    const schema = `agentrt_bench_${randomBytes(4).toString("hex")}`;
    schemas.push(schema);
    const url = new URL(POSTGRES_URL);
    url.searchParams.set("schema", schema);
    return url.toString();
  };
  try {
    const measured = [
      await measure("baseline: embedded SQLite", 1, {
        AGENTRT_HOST_DIR: host.dir,
        AGENTRT_DATA_DIR: dataDir,
      }),
      await measure("PostgreSQL", 1, { AGENTRT_HOST_DIR: host.dir, AGENTRT_DATABASE_URL: onSchema() }),
      await measure("PostgreSQL", 2, { AGENTRT_HOST_DIR: host.dir, AGENTRT_DATABASE_URL: onSchema() }),
    ];
    table(
      `Trivial one-step task, sync runs over HTTP, ${CLIENTS} clients spread over the processes, n=${N}`,
      ["store", "server processes", "runs/s"],
      measured.map((m) => m.runs),
    );
    const baseline = measured[0]!.reads[0]!;
    table(
      `Authenticated reads over HTTP, ${CLIENTS} clients spread over the processes, n=${READS}`,
      ["store", "server processes", "GET /v1/templates req/s", "vs SQLite", "GET /v1/agents/{id} req/s"],
      measured.map(({ runs, reads: [templates, agent] }) => [
        runs[0]!,
        runs[1]!,
        templates!.toFixed(0),
        `${(((templates! - baseline) / baseline) * 100).toFixed(1)} %`,
        agent!.toFixed(0),
      ]),
    );
  } finally {
    for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await client.end();
    rmSync(dataDir, { recursive: true, force: true });
    host.remove();
  }
}
