// Chat completions and task runs per second with tracing off, then on (every span sampled and
// exported over OTLP/HTTP to a local sink), in one process: what tracing costs. Off runs first: the
// OpenTelemetry SDK is process-global once started.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createFakeModelServer } from "@agentrt/testing";
// @ts-expect-error autocannon ships no type declarations
import autocannon from "autocannon";
import { BENCH_KEY, firstPartyLinks, startBenchServer } from "./host.ts";
import { table } from "./lib.ts";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const RUNS = Number(process.env.BENCH_RUNS_N ?? 1000);
const CONNECTIONS = 10;
const headers = { authorization: `Bearer ${BENCH_KEY}`, "content-type": "application/json" };

/** An OTLP/HTTP endpoint that accepts and drops every export, counting the bytes. */
async function startSink() {
  let bytes = 0;
  const server = createServer((req, res) => {
    req.on("data", (chunk: Buffer) => {
      bytes += chunk.length;
    });
    req.on("end", () => res.writeHead(200).end());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    bytes: () => bytes,
    close: () => server.close(),
  };
}

async function chatRps(url: string): Promise<number> {
  const result = await autocannon({
    url: `${url}/v1/chat/completions`,
    method: "POST",
    headers,
    body: JSON.stringify({ model: "bench-chat", messages: [{ role: "user", content: "hello" }] }),
    connections: CONNECTIONS,
    duration: SECONDS,
  });
  if (result.non2xx > 0 || result.errors > 0)
    throw new Error(`chat: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return result.requests.average;
}

async function runRps(url: string): Promise<number> {
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (next++ < RUNS) {
        const res = await fetch(`${url}/v1/agents/bench-task/runs`, {
          method: "POST",
          headers,
          body: JSON.stringify({ input: { n: next } }),
        });
        const run = (await res.json()) as { status: string };
        if (run.status !== "succeeded") throw new Error(`run ${run.status}`);
      }
    }),
  );
  return RUNS / ((performance.now() - start) / 1000);
}

async function measure(env: Record<string, string>, fakeUrl: string) {
  const server = await startBenchServer({
    links: firstPartyLinks(),
    env: { AGENTRT_RUN_CONCURRENCY_PER_AGENT: "16", ...env },
  });
  try {
    for (const agent of [
      {
        name: "bench-chat",
        template: "conversation",
        config: { model: "fake-model", baseUrl: fakeUrl, apiKey: { env: "BENCH_FAKE_KEY" }, maxRetries: 0 },
      },
      {
        name: "bench-task",
        template: "task",
        config: {
          steps: [{ id: "t", kind: "transform", template: "hello {{input.n}}" }],
          outputFormat: "last",
        },
      },
    ]) {
      const res = await fetch(`${server.url}/v1/agents`, {
        method: "POST",
        headers,
        body: JSON.stringify(agent),
      });
      if (res.status !== 201) throw new Error(`bench agent: ${res.status} ${await res.text()}`);
    }
    // Warm-up: template loading and the JIT would otherwise land in the first mode measured.
    await chatRps(server.url);
    return { chat: await chatRps(server.url), runs: await runRps(server.url) };
  } finally {
    await server.close();
  }
}

export default async function bench(): Promise<void> {
  const fake = await createFakeModelServer();
  const sink = await startSink();
  process.env.BENCH_FAKE_KEY = "sk-bench";
  try {
    const off = await measure({}, fake.url);
    const otel = {
      OTEL_EXPORTER_OTLP_ENDPOINT: sink.url,
      OTEL_TRACES_SAMPLER: "always_on",
      OTEL_SERVICE_NAME: "agentrt-bench",
    };
    // The SDK reads the process environment, as it would in production.
    Object.assign(process.env, otel);
    const on = await measure(otel, fake.url);
    for (const key of Object.keys(otel)) delete process.env[key];
    table(
      `Tracing cost: chat req/s at ${CONNECTIONS} connections for ${SECONDS} s, sync task runs/s at ${CONNECTIONS} clients (n=${RUNS}); on = 100 % sampled, OTLP/HTTP export (${(sink.bytes() / 1024).toFixed(0)} KiB exported)`,
      ["workload", "tracing off", "tracing on", "on / off", "issue: on costs < 15 %"],
      [
        [
          "chat completions",
          off.chat.toFixed(0),
          on.chat.toFixed(0),
          (on.chat / off.chat).toFixed(3),
          on.chat / off.chat > 0.85 ? "ok" : "MISSED",
        ],
        [
          "task runs",
          off.runs.toFixed(0),
          on.runs.toFixed(0),
          (on.runs / off.runs).toFixed(3),
          on.runs / off.runs > 0.85 ? "ok" : "MISSED",
        ],
      ],
    );
  } finally {
    await fake.close();
    sink.close();
  }
}
