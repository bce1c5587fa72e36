// Runs/sec of a trivial one-step task (sync mode, over HTTP) and SSE fan-out: N clients following
// one run. Baselines in the same run: the bare Hono round trip, and one client following.
import { BENCH_KEY, firstPartyLinks, startBenchServer } from "./host.ts";
import { ms, sample, settledMemory, summarize, table } from "./lib.ts";

const headers = { authorization: `Bearer ${BENCH_KEY}`, "content-type": "application/json" };
const N = Number(process.env.BENCH_RUNS_N ?? 1000);
const FOLLOWERS = Number(process.env.BENCH_FOLLOWERS ?? 200);
const MEMORY_RUNS = Number(process.env.BENCH_MEMORY_RUNS ?? 10_000);
/** Heap growth over MEMORY_RUNS runs that still counts as flat (JIT code, caches reaching size). */
const FLAT_HEAP_MB = 5;

// biome-ignore lint/suspicious/noExplicitAny: benchmark reads arbitrary JSON answers
async function post(url: string, body: unknown): Promise<any> {
  const res = await fetch(url, { method: "POST", headers, body: JSON.stringify(body) });
  if (res.status >= 300) throw new Error(`${res.status} ${await res.text()}`);
  return res.json();
}

async function throughput(url: string, concurrency: number, total: number): Promise<number> {
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next++ < total) {
        const run = await post(`${url}/v1/agents/trivial/runs`, { input: { n: next } });
        if (run.status !== "succeeded") throw new Error(`run ${run.status}`);
      }
    }),
  );
  return total / ((performance.now() - start) / 1000);
}

/** Opens `n` followers of one run, then measures when each saw the final event after it was produced. */
async function fanOut(
  url: string,
  n: number,
): Promise<{ lag: ReturnType<typeof summarize>; events: number }> {
  const run = await post(`${url}/v1/agents/slow/runs`, { input: { sleepMs: 1500 }, mode: "background" });
  const lags: number[] = [];
  let events = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      const res = await fetch(`${url}/v1/runs/${run.id}/events`, { headers });
      const text = await res.text();
      const arrived = Date.now();
      events += (text.match(/^id: /gm) ?? []).length;
      const finished = /event: run\.finished/.test(text);
      if (!finished) throw new Error("stream ended without run.finished");
      lags.push(arrived);
    }),
  );
  const done = (await (await fetch(`${url}/v1/runs/${run.id}`, { headers })).json()) as {
    finishedAt: string;
  };
  const finishedAt = Date.parse(done.finishedAt);
  return { lag: summarize(lags.map((t) => t - finishedAt)), events };
}

export default async function bench(): Promise<void> {
  const server = await startBenchServer({
    links: firstPartyLinks(),
    env: {
      AGENTRT_RUN_CONCURRENCY: "64",
      AGENTRT_RUN_CONCURRENCY_PER_AGENT: "64",
    },
  });
  try {
    await post(`${server.url}/v1/agents`, {
      name: "trivial",
      template: "task",
      config: {
        steps: [{ id: "t", kind: "transform", template: "hello {{input.n}}" }],
        outputFormat: "last",
      },
    });
    await post(`${server.url}/v1/agents`, { name: "slow", template: "echo" });
    const health = await sample(N, () => fetch(`${server.url}/health`).then((r) => r.arrayBuffer()));
    const latency = await sample(N, (i) => post(`${server.url}/v1/agents/trivial/runs`, { input: { n: i } }));
    const rps1 = await throughput(server.url, 1, N);
    const rps10 = await throughput(server.url, 10, N);
    table(
      `Trivial one-step task, sync runs over HTTP, n=${N}`,
      ["what", "p50", "p99", "runs/s"],
      [
        [
          "baseline: GET /health round trip (same server, no run)",
          ms(health.p50),
          ms(health.p99),
          (1000 / health.mean).toFixed(0),
        ],
        ["sync run, 1 client", ms(latency.p50), ms(latency.p99), rps1.toFixed(0)],
        ["sync run, 10 clients", "", "", rps10.toFixed(0)],
      ],
    );
    // Everything above warmed the server up; what these runs leave behind would be a leak.
    const before = settledMemory();
    const memoryRate = await throughput(server.url, 10, MEMORY_RUNS);
    const after = settledMemory();
    const heapGrowth = after.heapMb - before.heapMb;
    table(
      `Memory of this process (server and client) over ${MEMORY_RUNS} more sync runs, after full GCs`,
      [
        "RSS before",
        "RSS after",
        "heap before",
        "heap after",
        "runs/s",
        "design: flat (live heap; RSS also holds V8's committed heap)",
      ],
      [
        [
          `${before.rssMb.toFixed(1)} MB`,
          `${after.rssMb.toFixed(1)} MB`,
          `${before.heapMb.toFixed(1)} MB`,
          `${after.heapMb.toFixed(1)} MB`,
          memoryRate.toFixed(0),
          heapGrowth < FLAT_HEAP_MB ? "ok" : `MISSED: heap grew ${heapGrowth.toFixed(1)} MB`,
        ],
      ],
    );
    const one = await fanOut(server.url, 1);
    const many = await fanOut(server.url, FOLLOWERS);
    table(
      "SSE fan-out: followers of one run; lag = final event received - run finished",
      ["followers", "lag p50", "lag p99", "events delivered"],
      [
        ["1 (baseline)", ms(one.lag.p50), ms(one.lag.p99), one.events],
        [FOLLOWERS, ms(many.lag.p50), ms(many.lag.p99), many.events],
      ],
    );
  } finally {
    await server.close();
  }
}
