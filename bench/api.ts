// Write-path latency over HTTP as a client sees it (Node fetch, one connection): agent create, GET,
// PATCH and run submission of a realistic two-step task agent, 200 warm-ups then BENCH_N timed
// (default 1500: enough rows for several WAL checkpoints), p50/p99/p99.9/max, against a bare Hono
// handler in the same run. The tail columns say which slow requests (> p99) coincided with a WAL
// checkpoint or a GC pause, next to how often that happens to any request. The heap table gives
// bytes allocated and promoted per request (V8's GC statistics, load-independent, client and server
// together since both run in this process), and the scavenges with their pauses.
//
// BENCH_CLIENT=http sends the requests with node:http instead of fetch: undici's fetch allocates
// ~90 KB per request and keeps each response alive until a full GC (FinalizationRegistry), so in
// this shared process it promoted more than the server did and lengthened every scavenge pause the
// server's requests were charged with. BENCH_HEAP_PROFILE=<dir> writes a sampling heap profile of
// each agentrt operation there (times are then meaningless). `BENCH=api BENCH_N=1000 node bench/run.ts`
import { Agent, request } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { BENCH_KEY, BENCH_STORE, firstPartyLinks, startBenchServer } from "./host.ts";
import { ms, type Summary, summarize, table, verdict } from "./lib.ts";
import {
  attribute,
  type GcPause,
  type HeapUse,
  measureHeap,
  startHeapSampling,
  type Timed,
  walStamp,
  watchGc,
} from "./lib-tail.ts";

const N = Number(process.env.BENCH_N ?? 1500);
const WARMUP = 200;
const headers = { authorization: `Bearer ${BENCH_KEY}`, "content-type": "application/json" };

/** A task agent as people write them: fetch something, then shape the answer. */
const taskConfig = (i: number) => ({
  steps: [
    {
      id: "fetch",
      kind: "http",
      method: "GET",
      url: "https://api.example.com/items/{{input.id}}",
      headers: { accept: "application/json", "x-request": `bench-${i}` },
    },
    {
      id: "shape",
      kind: "transform",
      dependsOn: ["fetch"],
      map: { title: "steps.fetch.output.title", price: "steps.fetch.output.price" },
    },
  ],
  stepTimeout: 30,
  retryCount: 1,
  outputFormat: "structured",
});

/** Runs locally (no network), so submissions measure the write path and not an upstream. */
const localConfig = {
  steps: [
    { id: "a", kind: "transform", template: "hello {{input.n}}" },
    { id: "b", kind: "transform", dependsOn: ["a"], template: "{{steps.a.output}} again" },
  ],
  outputFormat: "last",
};

async function startBaseline(): Promise<{ url: string; close: () => void }> {
  const app = new Hono();
  const agents = new Map<string, Record<string, unknown>>();
  let next = 0;
  app.post("/v1/agents", async (c) => {
    const body = await c.req.json();
    const id = `agt_${next++}`;
    agents.set(id, { id, ...body });
    return c.json(agents.get(id), 201);
  });
  app.get("/v1/agents/:id", (c) => c.json(agents.get(c.req.param("id")) ?? {}, 200));
  app.patch("/v1/agents/:id", async (c) => {
    const agent = { ...agents.get(c.req.param("id")), ...(await c.req.json()) };
    agents.set(c.req.param("id"), agent);
    return c.json(agent, 200);
  });
  app.post("/v1/agents/:id/runs", async (c) =>
    c.json({ id: `run_${next++}`, input: await c.req.json() }, 202),
  );
  return new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, (info: AddressInfo) =>
      resolve({ url: `http://127.0.0.1:${info.port}`, close: () => server.close() }),
    );
  });
}

const CLIENT = process.env.BENCH_CLIENT === "http" ? "http" : "fetch";
const keepAlive = new Agent({ keepAlive: true, maxSockets: 1 });

/** One request with node:http over a kept-alive connection: status and body text. */
function httpSend(url: string, method: string, body: string | undefined): Promise<[number, string]> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, agent: keepAlive }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        text += chunk;
      });
      res.on("end", () => resolve([res.statusCode ?? 0, text]));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(body);
  });
}

async function send(url: string, method: string, body: string | undefined): Promise<[number, string]> {
  if (CLIENT === "http") return httpSend(url, method, body);
  const res = await fetch(url, { method, headers, ...(body === undefined ? {} : { body }) });
  return [res.status, await res.text()];
}

async function call(url: string, method: string, body?: unknown, expected = 200): Promise<{ id: string }> {
  const [status, text] = await send(url, method, body === undefined ? undefined : JSON.stringify(body));
  if (status !== expected) throw new Error(`${method} ${url}: ${status} ${text}`);
  return JSON.parse(text) as { id: string };
}

/** WARMUP untimed calls, then N timed ones, each stamped with the WAL header after it. */
type Measured = Timed[] & { cpuMs?: number; heap?: HeapUse };

const HEAP_PROFILE_DIR = process.env.BENCH_HEAP_PROFILE;

async function timed(
  fn: (i: number) => Promise<unknown>,
  walFile: string | undefined,
  profileAs?: string,
): Promise<Measured> {
  for (let i = 0; i < WARMUP; i++) await fn(-1 - i);
  const stopSampling = HEAP_PROFILE_DIR && profileAs ? await startHeapSampling() : undefined;
  const out: Measured = [];
  const cpu = process.cpuUsage();
  const heap = measureHeap();
  for (let i = 0; i < N; i++) {
    const start = performance.now();
    await fn(i);
    const end = performance.now();
    out.push({ start, end, wal: walFile ? walStamp(walFile) : "" });
  }
  out.heap = heap();
  await stopSampling?.(join(HEAP_PROFILE_DIR!, `${profileAs}.heapprofile`));
  const used = process.cpuUsage(cpu);
  out.cpuMs = (used.user + used.system) / 1000 / N;
  return out;
}

async function measure(url: string, label: string, walFile?: string) {
  let lastId = "";
  const create = await timed(
    async (i) => {
      lastId = (
        await call(
          `${url}/v1/agents`,
          "POST",
          { name: `${label}-${i}-c`, template: "task", config: taskConfig(i) },
          201,
        )
      ).id;
    },
    walFile,
    `${label}-create`,
  );
  const get = await timed(() => call(`${url}/v1/agents/${lastId}`, "GET"), walFile, `${label}-get`);
  const patch = await timed(
    (i) => call(`${url}/v1/agents/${lastId}`, "PATCH", { config: taskConfig(i) }),
    walFile,
    `${label}-patch`,
  );
  await call(
    `${url}/v1/agents`,
    "POST",
    { name: `${label}-local`, template: "task", config: localConfig },
    201,
  );
  const submit = await timed(
    (i) => call(`${url}/v1/agents/${label}-local/runs`, "POST", { input: { n: i }, mode: "background" }, 202),
    walFile,
    `${label}-submit`,
  );
  return { create, get, patch, submit };
}

const stats = (requests: Timed[]): Summary => summarize(requests.map((r) => r.end - r.start));
/** GC pauses of `kind` that began while these requests ran, per 1,000 requests. */
const gcPer1k = (requests: Timed[], pauses: GcPause[], kind: number) => {
  const from = requests[0]!.start;
  const to = requests.at(-1)!.end;
  const n = pauses.filter((p) => p.kind === kind && p.start >= from && p.start <= to).length;
  return ((n * 1000) / requests.length).toFixed(1);
};
const kb = (bytes: number) => (bytes / 1024).toFixed(1);
const pct = (part: number, whole: number) => (whole === 0 ? "-" : `${Math.round((part / whole) * 100)} %`);

export default async function bench(): Promise<void> {
  const baseline = await startBaseline();
  const agentrt = await startBenchServer({ links: firstPartyLinks() });
  const gc = watchGc();
  try {
    const base = await measure(baseline.url, "base");
    const ours = await measure(agentrt.url, "agentrt", join(agentrt.dataDir, "agentrt.db-wal"));
    const ops = [
      ["POST /v1/agents (two-step task)", "create", 5],
      ["GET /v1/agents/{id}", "get", undefined],
      ["PATCH /v1/agents/{id} (new revision)", "patch", 5],
      ["POST /v1/agents/{id}/runs (background)", "submit", 5],
    ] as const;
    table(
      `Write-path latency over HTTP on ${BENCH_STORE}, 1 connection, ${WARMUP} warm-ups then n=${N} each (baseline: bare Hono handler, in-memory map); CPU and GC of this process (client and server)`,
      [
        "operation",
        "baseline p50",
        "baseline p99",
        "agentrt p50",
        "agentrt p99",
        "p99.9",
        "max",
        "target p99",
        "CPU/req",
        "minor GC / 1k",
        "major GC / 1k",
      ],
      ops.map(([label, key, target]) => {
        const b = stats(base[key]);
        const o = stats(ours[key]);
        return [
          label,
          ms(b.p50),
          ms(b.p99),
          ms(o.p50),
          ms(o.p99),
          ms(o.p999),
          ms(o.max),
          target ? verdict(o.p99, target) : "-",
          ms(ours[key].cpuMs ?? Number.NaN),
          gcPer1k(ours[key], gc.pauses, 1),
          gcPer1k(ours[key], gc.pauses, 4),
        ];
      }),
    );
    table(
      `Heap per request (${CLIENT} client and server in this process; baseline: the same client on the bare handler); promoted bytes are what a scavenge copies, so its pause grows with them`,
      [
        "operation",
        "baseline KB alloc",
        "agentrt KB alloc",
        "baseline KB promoted",
        "agentrt KB promoted",
        "scavenge pause p50",
        "max",
      ],
      ops.map(([label, key]) => {
        const b = base[key].heap!;
        const o = ours[key].heap!;
        const pauses = o.scavengeMs.length ? summarize(o.scavengeMs) : undefined;
        return [
          label,
          kb(b.allocated / N),
          kb(o.allocated / N),
          kb(b.promoted / N),
          kb(o.promoted / N),
          pauses ? ms(pauses.p50) : "-",
          pauses ? ms(pauses.max) : "-",
        ];
      }),
    );
    table(
      "Write-path tail: slow requests (> p99 of agentrt) that coincided with a WAL checkpoint or a GC pause",
      ["operation", "slow", "with checkpoint", "any request: checkpoint", "with GC", "any request: GC"],
      ops.map(([label, key]) => {
        const a = attribute(ours[key], stats(ours[key]).p99, gc.pauses);
        return [
          label,
          a.slow,
          pct(a.withCheckpoint, a.slow),
          `${Math.round(a.baseCheckpoint * 100)} %`,
          pct(a.withGc, a.slow),
          `${Math.round(a.baseGc * 100)} %`,
        ];
      }),
    );
  } finally {
    gc.stop();
    baseline.close();
    await agentrt.close();
  }
}
