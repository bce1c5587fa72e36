// The durable (journalled) paths: a chat turn on a stored thread (conversation agent, fake model
// answering at once) and a trivial one-step task run in sync mode over POST /v1/agents/{id}/runs.
// Latency at 1 client, req/s at 10 clients (each chat client on its own threads, 10 turns each: a
// thread's runs take turns), and this process's CPU and GC per 1,000 requests (client, fake model
// and server together). The baseline is GET /health on the same server. Compare checkouts with BENCH_ROOT, stores with
// BENCH_STORE=postgres (bench/host.ts).
import { createFakeModelServer } from "@agentrt/testing";
import { BENCH_KEY, BENCH_STORE, firstPartyLinks, startBenchServer } from "./host.ts";
import { ms, type Summary, sample, table } from "./lib.ts";
import { watchGc } from "./lib-tail.ts";

const N = Number(process.env.BENCH_DURABLE_N ?? 1000);
const CLIENTS = 10;
/** Turns per conversation (thread). */
const TURNS = 10;
const headers = { authorization: `Bearer ${BENCH_KEY}`, "content-type": "application/json" };

// biome-ignore lint/suspicious/noExplicitAny: benchmark reads arbitrary JSON answers
async function post(url: string, body: unknown, extra: Record<string, string> = {}): Promise<any> {
  const res = await fetch(url, {
    method: "POST",
    headers: { ...headers, ...extra },
    body: JSON.stringify(body),
  });
  if (res.status >= 300) throw new Error(`${url}: ${res.status} ${await res.text()}`);
  return res.json();
}

interface Measured {
  lat: Summary;
  rps: number;
  cpuMs: number;
  minorGcPer1k: number;
  majorGcPer1k: number;
}

/** `call(client, i)` at 1 client (latency), then at CLIENTS clients (req/s), with CPU and GC over both. */
async function measure(call: (client: number, i: number) => Promise<unknown>): Promise<Measured> {
  for (let i = 0; i < Math.min(200, N); i++) await call(0, i); // warm-up
  const gc = watchGc();
  const before = process.cpuUsage();
  const lat = await sample(N, (i) => call(0, i), 0);
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, client) => {
      while (next < N) await call(client, next++);
    }),
  );
  const rps = N / ((performance.now() - start) / 1000);
  const cpu = process.cpuUsage(before);
  gc.stop();
  const per1k = (kind: number) => (gc.pauses.filter((p) => p.kind === kind).length * 1000) / (2 * N);
  return {
    lat,
    rps,
    cpuMs: (cpu.user + cpu.system) / 1000 / (2 * N),
    minorGcPer1k: per1k(1),
    majorGcPer1k: per1k(4),
  };
}

export default async function bench(): Promise<void> {
  const fake = await createFakeModelServer();
  process.env.BENCH_FAKE_KEY = "sk-bench";
  const server = await startBenchServer({
    links: firstPartyLinks(),
    env: { AGENTRT_RUN_CONCURRENCY: "64", AGENTRT_RUN_CONCURRENCY_PER_AGENT: "64" },
  });
  const { url } = server;
  try {
    await post(`${url}/v1/agents`, {
      name: "durable-chat",
      template: "conversation",
      config: { model: "fake-model", baseUrl: fake.url, apiKey: { env: "BENCH_FAKE_KEY" }, maxRetries: 0 },
    });
    await post(`${url}/v1/agents`, {
      name: "trivial",
      template: "task",
      config: {
        steps: [{ id: "t", kind: "transform", template: "hello {{input.n}}" }],
        outputFormat: "last",
      },
    });
    // Conversations of TURNS turns, each on its own thread: a thread's history (sent to the model and
    // checkpointed every turn) would otherwise grow over the whole bench and be what is measured.
    const threads: string[] = [];
    const needed = Math.ceil((Math.min(200, N) + 2 * N) / TURNS) + 2 * CLIENTS;
    for (let i = 0; i < needed; i++)
      threads.push((await post(`${url}/v1/threads`, { agent: "durable-chat" })).id);
    const current = new Map<number, { thread: string; turns: number }>();
    const threadOf = (client: number) => {
      let conversation = current.get(client);
      if (!conversation || conversation.turns === TURNS) {
        conversation = { thread: threads.pop()!, turns: 0 };
        current.set(client, conversation);
      }
      conversation.turns++;
      return conversation.thread;
    };

    const health = await measure(() => fetch(`${url}/health`).then((r) => r.arrayBuffer()));
    const chat = await measure(async (client, i) => {
      const answer = await post(
        `${url}/v1/chat/completions`,
        { model: "durable-chat", messages: [{ role: "user", content: `Turn ${i}: say hello.` }] },
        { "x-agentrt-thread-id": threadOf(client) },
      );
      if (!answer.choices?.[0]?.message) throw new Error(`chat: ${JSON.stringify(answer).slice(0, 200)}`);
    });
    const runs = await measure(async (_, i) => {
      const run = await post(`${url}/v1/agents/trivial/runs`, { input: { n: i } });
      if (run.status !== "succeeded") throw new Error(`run ${run.status}`);
    });
    table(
      `Durable paths on ${BENCH_STORE}: latency at 1 client (n=${N}), req/s at ${CLIENTS} clients (n=${N}); CPU and GC of this process (client, fake model, server) per request over both`,
      [
        "what",
        "p50",
        "p99",
        `req/s (${CLIENTS} clients)`,
        "CPU/req",
        "minor GC / 1k req",
        "major GC / 1k req",
      ],
      [
        ["baseline: GET /health", health],
        ["thread chat turn (stored, non-stream)", chat],
        ["sync run, trivial task (POST /v1/agents/{id}/runs)", runs],
      ].map(([label, m]) => {
        const { lat, rps, cpuMs, minorGcPer1k, majorGcPer1k } = m as Measured;
        return [
          label as string,
          ms(lat.p50),
          ms(lat.p99),
          rps.toFixed(0),
          ms(cpuMs),
          minorGcPer1k.toFixed(1),
          majorGcPer1k.toFixed(1),
        ];
      }),
    );
  } finally {
    await server.close();
    await fake.close();
  }
}
