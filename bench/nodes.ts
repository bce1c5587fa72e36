// Runs/s of a trivial one-step task (sync runs over HTTP, 10 clients) and chat completions/s of a
// conversation agent (non-stream, fake model with zero latency, 10 clients) on the embedded SQLite
// store, on PostgreSQL with one server process, with two processes sharing the load (clients
// alternate between them), and with an API process in front of two worker processes. The SQLite
// row is the baseline measured in the same run. Needs PostgreSQL: BENCH_POSTGRES_URL (or
// AGENTRT_TEST_POSTGRES_URL), default the local server. BENCH_NODES_RUNS / BENCH_NODES_CHATS: n.
// Then authenticated reads/s, the same way: GET /v1/templates (the API key from the node's cache,
// nothing from the store: what cross-node cache invalidation must keep fast) and GET /v1/agents/{id}
// (the agent from the node's cache); "vs SQLite" compares the first with the baseline (target:
// within 10 %). BENCH_NODES_READS: n.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createFakeModelServer } from "@agentrt/testing";
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
const CHATS = Number(process.env.BENCH_NODES_CHATS ?? 1000);
const READS = Number(process.env.BENCH_NODES_READS ?? 10_000);
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
      BENCH_FAKE_KEY: "sk-bench",
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

/** `total` requests from CLIENTS clients, per second; client i talks to node i mod nodes. */
async function throughput(nodes: Node[], total: number, request: (url: string, n: number) => Promise<void>) {
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, client) => {
      const url = nodes[client % nodes.length]!.url;
      while (next++ < total) await request(url, next);
    }),
  );
  return total / ((performance.now() - start) / 1000);
}

async function syncRun(url: string, n: number): Promise<void> {
  const run = await post(`${url}/v1/agents/trivial/runs`, { input: { n } });
  if (run.status !== "succeeded") throw new Error(`run ${run.status}`);
}

async function chat(url: string, n: number): Promise<void> {
  const answer = await post(`${url}/v1/chat/completions`, {
    model: "bench-chat",
    messages: [{ role: "user", content: `Say hello to the benchmark (${n}).` }],
  });
  if (!answer.choices?.[0]?.message) throw new Error(`chat: ${JSON.stringify(answer).slice(0, 200)}`);
}

async function read(url: string, path: string): Promise<void> {
  const res = await fetch(url + path, { headers });
  if (res.status !== 200) throw new Error(`${res.status} ${await res.text()}`);
  await res.arrayBuffer();
}

const READ_PATHS = ["/v1/templates", "/v1/agents/trivial"];

/** Starts one process per role (`all`, `api`, `worker`); clients talk to the ones serving the API. */
async function measure(
  label: string,
  roles: string[],
  env: Record<string, string>,
  modelUrl: string,
): Promise<{ row: (string | number)[]; reads: number[] }> {
  const nodes: Node[] = [];
  try {
    for (const role of roles) nodes.push(await startNode({ ...env, AGENTRT_ROLE: role }));
    const serving = nodes.filter((_, i) => roles[i] !== "worker");
    await post(`${serving[0]!.url}/v1/agents`, {
      name: "trivial",
      template: "task",
      config: {
        steps: [{ id: "t", kind: "transform", template: "hello {{input.n}}" }],
        outputFormat: "last",
      },
    });
    await post(`${serving[0]!.url}/v1/agents`, {
      name: "bench-chat",
      template: "conversation",
      config: { model: "fake-model", baseUrl: modelUrl, apiKey: { env: "BENCH_FAKE_KEY" }, maxRetries: 0 },
    });
    // Warm-up: templates loaded, JIT warm, database files grown.
    await throughput(serving, Math.min(200, N), syncRun);
    await throughput(serving, Math.min(100, CHATS), chat);
    const runs = await throughput(serving, N, syncRun);
    const chats = await throughput(serving, CHATS, chat);
    const reads: number[] = [];
    for (const path of READ_PATHS) {
      await throughput(serving, Math.min(500, READS), (url) => read(url, path)); // warm-up
      reads.push(await throughput(serving, READS, (url) => read(url, path)));
    }
    return { row: [label, roles.join(" + "), runs.toFixed(0), chats.toFixed(0)], reads };
  } finally {
    await Promise.all(nodes.map(stop));
  }
}

export default async function bench(): Promise<void> {
  const schemas = [await postgresSchema(), await postgresSchema(), await postgresSchema()];
  try {
    await schemas[0]!.drop(); // nothing to drop yet: checks that PostgreSQL answers
  } catch (error) {
    console.log(
      `\nnodes: skipped, no PostgreSQL at ${POSTGRES_URL} (${String(error)}); set BENCH_POSTGRES_URL`,
    );
    return;
  }
  const host = createBenchHost({ links: firstPartyLinks() });
  const fake = await createFakeModelServer();
  const dataDir = mkdtempSync(join(tmpdir(), "agentrt-bench-nodes-"));
  try {
    const onPostgres = (i: number) => ({ AGENTRT_HOST_DIR: host.dir, AGENTRT_DATABASE_URL: schemas[i]!.url });
    const measured = [
      await measure(
        "baseline: embedded SQLite",
        ["all"],
        { AGENTRT_HOST_DIR: host.dir, AGENTRT_DATA_DIR: dataDir },
        fake.url,
      ),
      await measure("PostgreSQL", ["all"], onPostgres(0), fake.url),
      await measure("PostgreSQL", ["all", "all"], onPostgres(1), fake.url),
      await measure("PostgreSQL", ["api", "worker", "worker"], onPostgres(2), fake.url),
    ];
    table(
      `Sync runs of a trivial one-step task (n=${N}) and non-stream chat completions of a conversation agent on a zero-latency fake model (n=${CHATS}), over HTTP, ${CLIENTS} clients spread over the processes serving the API`,
      ["store", "server processes (roles)", "runs/s", "chat req/s"],
      measured.map((m) => m.row),
    );
    const baseline = measured[0]!.reads[0]!;
    table(
      `Authenticated reads over HTTP, ${CLIENTS} clients spread over the processes serving the API, n=${READS}`,
      [
        "store",
        "server processes (roles)",
        "GET /v1/templates req/s",
        "vs SQLite",
        "GET /v1/agents/{id} req/s",
      ],
      measured.map(({ row, reads: [templates, agent] }) => [
        row[0]!,
        row[1]!,
        templates!.toFixed(0),
        `${(((templates! - baseline) / baseline) * 100).toFixed(1)} %`,
        agent!.toFixed(0),
      ]),
    );
  } finally {
    for (const schema of schemas) await schema.drop();
    await fake.close();
    rmSync(dataDir, { recursive: true, force: true });
    host.remove();
  }
}
