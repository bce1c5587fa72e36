// Chat completions through a conversation agent vs calling the fake model directly, same run, same
// client: throughput at 10 connections (autocannon) and added latency at 1 connection. The baseline
// the design's bars name is a bare Hono route calling the model with the official openai SDK (as a
// proxy is usually written); a route that only pipes the bytes through (no parsing at all) is shown
// too, as the floor for any server in between.
import type { AddressInfo } from "node:net";
import { createFakeModelServer } from "@agentrt/testing";
import { serve } from "@hono/node-server";
// @ts-expect-error autocannon ships no type declarations
import autocannon from "autocannon";
import { Hono } from "hono";
import { streamSSE } from "hono/streaming";
import OpenAI from "openai";
import { BENCH_KEY, firstPartyLinks, startBenchServer } from "./host.ts";
import { ms, type Summary, sample, table, verdict } from "./lib.ts";

const N = Number(process.env.BENCH_N ?? 2000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = 10;
const THREADS = 200;

interface Target {
  url: string;
  headers: Record<string, string>;
  /** Called for every request (thread rows spread their turns over several threads). */
  body: (stream: boolean) => string;
}

interface AutocannonResult {
  requests: { average: number };
  non2xx: number;
  errors: number;
}

/** Pipes the request to the model and its answer back, bytes unread: no agent logic at all. */
function passThrough(modelUrl: string): Hono {
  return new Hono().post("/v1/chat/completions", async (c) => {
    const upstream = await fetch(`${modelUrl}/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: "Bearer sk-bench" },
      body: await c.req.text(),
    });
    return new Response(upstream.body, {
      status: upstream.status,
      headers: { "content-type": upstream.headers.get("content-type") ?? "" },
    });
  });
}

/** The proxy as people write it: the official SDK calls the model, the route answers its result. */
function sdkProxy(modelUrl: string): Hono {
  const client = new OpenAI({ baseURL: modelUrl, apiKey: "sk-bench", maxRetries: 0 });
  return new Hono().post("/v1/chat/completions", async (c) => {
    const body = await c.req.json<OpenAI.ChatCompletionCreateParams>();
    if (!body.stream) return c.json(await client.chat.completions.create({ ...body, stream: false }));
    const chunks = await client.chat.completions.create({ ...body, stream: true });
    return streamSSE(c, async (sse) => {
      for await (const chunk of chunks) await sse.writeSSE({ data: JSON.stringify(chunk) });
      await sse.writeSSE({ data: "[DONE]" });
    });
  });
}

async function startProxy(app: Hono): Promise<{ url: string; close: () => void }> {
  return new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, (info: AddressInfo) =>
      resolve({ url: `http://127.0.0.1:${info.port}`, close: () => server.close() }),
    );
  });
}

async function throughput(target: Target, stream: boolean, seconds = SECONDS): Promise<number> {
  const result: AutocannonResult = await autocannon({
    url: target.url,
    method: "POST",
    headers: target.headers,
    requests: [{ setupRequest: (req: object) => ({ ...req, body: target.body(stream) }) }],
    connections: CONNECTIONS,
    duration: seconds,
  });
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(`${target.url}: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
  }
  return result.requests.average;
}

/**
 * Latency at one connection, and the CPU this process spent per request meanwhile (client, fake
 * model and server alike: the difference to the direct row is what the server in between costs).
 */
async function latency(target: Target, stream: boolean): Promise<{ lat: Summary; cpuMs: number }> {
  const warmup = Math.min(200, N);
  const before = process.cpuUsage();
  const lat = await sample(
    N,
    async () => {
      const res = await fetch(target.url, {
        method: "POST",
        headers: target.headers,
        body: target.body(stream),
      });
      const text = await res.text();
      if (res.status !== 200 || (stream && !text.endsWith("data: [DONE]\n\n"))) {
        throw new Error(`${target.url}: ${res.status} ${text.slice(0, 200)}`);
      }
    },
    warmup,
  );
  const cpu = process.cpuUsage(before);
  return { lat, cpuMs: (cpu.user + cpu.system) / 1000 / (N + warmup) };
}

/** PERFORMANCE.md's bar for a conversation agent, against the Hono + openai SDK proxy measured in the same run. */
function designVerdict(stream: boolean, addedP50: number, rpsRatio: number, cpuRatio: number): string {
  const [rpsBar, cpuBar] = stream ? [1.2, 1.0] : [0.7, 1.3];
  const misses = [
    addedP50 > 0.8 && "added p50 > 0.8 ms",
    rpsRatio < rpsBar && `req/s < ${rpsBar}x proxy`,
    cpuRatio > cpuBar && `CPU > ${cpuBar}x proxy`,
  ].filter(Boolean);
  return misses.length === 0 ? "ok" : `MISSED: ${misses.join(", ")}`;
}

export default async function bench(): Promise<void> {
  const fake = await createFakeModelServer();
  const proxy = await startProxy(sdkProxy(fake.url));
  const pipe = await startProxy(passThrough(fake.url));
  process.env.BENCH_FAKE_KEY = "sk-bench";
  const agentrt = await startBenchServer({
    links: firstPartyLinks(),
    env: {
      // Measure the server, not the per-agent limit (default 4) at 10 connections.
      AGENTRT_RUN_CONCURRENCY_PER_AGENT: "16",
    },
  });
  try {
    const json = { "content-type": "application/json" };
    const admin = { ...json, authorization: `Bearer ${BENCH_KEY}` };
    for (const agent of [
      {
        name: "bench-chat",
        template: "conversation",
        config: { model: "fake-model", baseUrl: fake.url, apiKey: { env: "BENCH_FAKE_KEY" }, maxRetries: 0 },
      },
      { name: "bench-echo", template: "echo" },
    ]) {
      const created = await fetch(`${agentrt.url}/v1/agents`, {
        method: "POST",
        headers: admin,
        body: JSON.stringify(agent),
      });
      if (created.status !== 201) throw new Error(`bench agent: ${created.status} ${await created.text()}`);
    }

    const messages = [{ role: "user", content: "Say hello to the benchmark." }];
    const request =
      (model: string, extra: () => Record<string, unknown> = () => ({})) =>
      (stream: boolean) =>
        JSON.stringify({
          model,
          messages,
          stream,
          ...(stream ? { stream_options: { include_usage: true } } : {}),
          ...extra(),
        });
    // Turns spread over many threads, so no thread's history grows long within the bench.
    const threads: string[] = [];
    for (let i = 0; i < THREADS; i++) {
      const res = await fetch(`${agentrt.url}/v1/threads`, {
        method: "POST",
        headers: admin,
        body: JSON.stringify({ agent: "bench-chat" }),
      });
      threads.push(((await res.json()) as { id: string }).id);
    }
    let turn = 0;
    const nextThread = () => ({ metadata: { thread_id: threads[turn++ % threads.length] } });
    const direct: Target = {
      url: `${fake.url}/chat/completions`,
      headers: { ...json, authorization: "Bearer sk-bench" },
      body: request("fake-model"),
    };
    const targets: [string, Target][] = [
      ["fake model, direct", direct],
      ["bare Hono + openai SDK proxy -> fake model", { ...direct, url: `${proxy.url}/v1/chat/completions` }],
      [
        "bare Hono pass-through (bytes unread) -> fake model",
        { ...direct, url: `${pipe.url}/v1/chat/completions` },
      ],
      [
        "agentrt: conversation agent, stateless (not stored)",
        { url: `${agentrt.url}/v1/chat/completions`, headers: admin, body: request("bench-chat") },
      ],
      // No model call: what agentrt itself (HTTP, auth, engine, OpenAI layer) costs.
      [
        "agentrt: echo agent (no model)",
        { url: `${agentrt.url}/v1/chat/completions`, headers: admin, body: request("bench-echo") },
      ],
      // The durable paths: a stateless completion kept as a run, and a thread's turn (run + checkpoint).
      [
        "agentrt: conversation, store: true",
        {
          url: `${agentrt.url}/v1/chat/completions`,
          headers: admin,
          body: request("bench-chat", () => ({ store: true })),
        },
      ],
      [
        `agentrt: conversation on a thread (${THREADS} threads)`,
        {
          url: `${agentrt.url}/v1/chat/completions`,
          headers: admin,
          body: request("bench-chat", nextThread),
        },
      ],
    ];

    // Steady state only: the first requests load the agent's template (LangGraph), warm the JIT
    // and grow the database files, which would otherwise land in whichever row runs first.
    for (const [, target] of targets) await throughput(target, false, 1);

    const rows: string[][] = [];
    for (const stream of [false, true]) {
      const measured: { label: string; rps: number; lat: Summary; cpuMs: number }[] = [];
      for (const [label, target] of targets)
        measured.push({ label, ...(await latency(target, stream)), rps: 0 });
      for (const [i, [, target]] of targets.entries()) measured[i]!.rps = await throughput(target, stream);
      const [direct, proxied, piped] = measured;
      const base = direct!.lat;
      const serverCpu = (cpuMs: number) => cpuMs - direct!.cpuMs;
      for (const { label, rps, lat, cpuMs } of measured) {
        // The stateless row is the one the design's bar is about; the echo row shows the host's share.
        const isAgentrt = label === targets[3]![0] || label === targets[4]![0];
        const rpsRatio = rps / proxied!.rps;
        const cpuRatio = serverCpu(cpuMs) / serverCpu(proxied!.cpuMs);
        rows.push([
          stream ? "stream" : "non-stream",
          label,
          rps.toFixed(0),
          lat === base ? "-" : `${rpsRatio.toFixed(2)}x`,
          lat === base ? "-" : `${(rps / piped!.rps).toFixed(2)}x`,
          ms(lat.p50),
          ms(lat.p99),
          lat === base ? "-" : ms(lat.p50 - base.p50),
          lat === base ? "-" : ms(lat.p99 - base.p99),
          lat === base ? "-" : `${ms(serverCpu(cpuMs))} (${cpuRatio.toFixed(1)}x)`,
          isAgentrt ? verdict(lat.p50 - base.p50, 2) : "",
          isAgentrt ? designVerdict(stream, lat.p50 - base.p50, rpsRatio, cpuRatio) : "",
        ]);
      }
    }
    table(
      `Chat completions, fake model with zero latency: req/s at ${CONNECTIONS} connections for ${SECONDS} s; latency and CPU at 1 connection, n=${N}`,
      [
        "mode",
        "server",
        "req/s",
        "vs SDK proxy",
        "vs pass-through",
        "p50",
        "p99",
        "added p50",
        "added p99",
        "server CPU/req (vs SDK proxy)",
        "issue: added p50 < 2 ms",
        "design: <= 0.8 ms; >= 0.7x / 1.2x req/s, <= 1.3x / 1.0x CPU (non-stream / stream)",
      ],
      rows,
    );
  } finally {
    await agentrt.close();
    proxy.close();
    pipe.close();
    await fake.close();
  }
}
