// Write-path latency over HTTP as a client sees it (Node fetch, one connection): agent create, GET,
// PATCH and run submission of a realistic two-step task agent, 200 warm-ups then BENCH_N timed
// (default 1500: enough rows for several WAL checkpoints), p50/p99/p99.9/max, against a bare Hono
// handler in the same run. The tail columns say which slow requests (> p99) coincided with a WAL
// checkpoint or a GC pause of the server, next to how often that happens to any request. The heap
// table gives the server's bytes allocated and promoted per request (V8's GC statistics,
// load-independent), and its scavenges with their pauses.
//
// The servers run in this thread; the client runs in a worker (bench/api-client.ts) with its own
// heap and GC, as a client in another process would: in this heap, undici's fetch garbage (~90 KB
// per request, kept until a full GC) outweighed the server's and lengthened the scavenges charged to
// its requests. CPU, heap and GC are this thread's, measured between the client's `begin` and `end`
// of each operation's timed requests. BENCH_CLIENT=http sends the requests with node:http instead
// of fetch. BENCH_HEAP_PROFILE=<dir> writes a sampling heap profile of each operation's server side
// there (times are then meaningless). `BENCH=api BENCH_N=1000 node bench/run.ts`
import { on } from "node:events";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import type { ClientData, ClientMessage, Op } from "./api-client.ts";
import { BENCH_KEY, BENCH_STORE, firstPartyLinks, startBenchServer } from "./host.ts";
import { ms, type Summary, summarize, table, verdict } from "./lib.ts";
import {
  attribute,
  type GcPause,
  type HeapUse,
  measureHeap,
  startHeapSampling,
  type Timed,
  watchGc,
} from "./lib-tail.ts";

const N = Number(process.env.BENCH_N ?? 1500);
const WARMUP = 200;
const CLIENT = process.env.BENCH_CLIENT === "http" ? "http" : "fetch";
const HEAP_PROFILE_DIR = process.env.BENCH_HEAP_PROFILE;

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

/** One operation: the client's requests (on this thread's clock), the server's heap use and CPU per request. */
interface Measured {
  requests: Timed[];
  heap: HeapUse;
  cpuMs: number;
}

/** Starts measuring this thread's heap and CPU (and sampling its heap into `profile`); the returned function stops. */
async function startMeasuring(profile: string | undefined) {
  const stopSampling = profile ? await startHeapSampling() : undefined;
  const cpu = process.threadCpuUsage();
  const heap = measureHeap();
  return async () => {
    const use = heap();
    const used = process.threadCpuUsage(cpu);
    await stopSampling?.(profile!);
    return { heap: use, cpuMs: (used.user + used.system) / 1000 / N };
  };
}

/** Runs the client in a worker against `url`, measuring this thread (the server) around each operation. */
async function measure(url: string, label: string, walFile?: string): Promise<Record<Op, Measured>> {
  const data: ClientData = {
    url,
    label,
    walFile,
    key: BENCH_KEY,
    n: N,
    warmup: WARMUP,
    timeOrigin: performance.timeOrigin,
  };
  const worker = new Worker(new URL("./api-client.ts", import.meta.url), { workerData: data });
  const messages = on(worker, "message", { close: ["exit"] }) as AsyncIterable<[ClientMessage]>;
  const server = {} as Record<Op, Omit<Measured, "requests">>;
  let stop: (() => Promise<Omit<Measured, "requests">>) | undefined;
  try {
    for await (const [message] of messages) {
      if (message.type === "done") {
        const ops = Object.keys(server) as Op[];
        return Object.fromEntries(
          ops.map((op) => [op, { ...server[op], requests: message.requests[op] }]),
        ) as Record<Op, Measured>;
      }
      if (message.type === "begin") {
        const profile = HEAP_PROFILE_DIR && join(HEAP_PROFILE_DIR, `${label}-${message.op}.heapprofile`);
        stop = await startMeasuring(profile);
      } else server[message.op] = await stop!();
      worker.postMessage("go");
    }
    throw new Error(`the ${label} client exited before it finished`);
  } finally {
    await worker.terminate();
  }
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
      `Write-path latency over HTTP on ${BENCH_STORE}, 1 connection, ${WARMUP} warm-ups then n=${N} each (baseline: bare Hono handler, in-memory map); CPU and GC of the server (this thread; the ${CLIENT} client runs in a worker)`,
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
        const b = stats(base[key].requests);
        const o = stats(ours[key].requests);
        return [
          label,
          ms(b.p50),
          ms(b.p99),
          ms(o.p50),
          ms(o.p99),
          ms(o.p999),
          ms(o.max),
          target ? verdict(o.p99, target) : "-",
          ms(ours[key].cpuMs),
          gcPer1k(ours[key].requests, gc.pauses, 1),
          gcPer1k(ours[key].requests, gc.pauses, 4),
        ];
      }),
    );
    table(
      "Heap per request of the server (its thread only; baseline: the bare handler); promoted bytes are what a scavenge copies, so its pause grows with them",
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
        const b = base[key].heap;
        const o = ours[key].heap;
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
      "Write-path tail: slow requests (> p99 of agentrt) that coincided with a WAL checkpoint or a GC pause of the server",
      ["operation", "slow", "with checkpoint", "any request: checkpoint", "with GC", "any request: GC"],
      ops.map(([label, key]) => {
        const a = attribute(ours[key].requests, stats(ours[key].requests).p99, gc.pauses);
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
