// Chat completions and task runs per second in three modes, each in its own process (the
// OpenTelemetry SDK registers process-global state once, and a stopped SDK can't be replaced):
// - no SDK: tracing off, the default. The runtime's and templates' spans are @opentelemetry/api
//   no-ops and the request middleware is not installed: this stands for a build without tracing.
// - SDK, 0 % sampled: the SDK started with a never sampler, so every span is created, decided on
//   and dropped. It does strictly more than "off", so it bounds what tracing off costs from above.
// - SDK, 100 % sampled: every span recorded and exported over OTLP/HTTP to a local sink.
import { spawn } from "node:child_process";
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

type Mode = "none" | "never" | "always";

const MODES: Record<Mode, { label: string; env: (sink: string) => Record<string, string> }> = {
  none: { label: "no SDK (tracing off)", env: () => ({}) },
  never: {
    label: "SDK, 0 % sampled",
    env: (sink) => ({ OTEL_EXPORTER_OTLP_ENDPOINT: sink, OTEL_TRACES_SAMPLER: "always_off" }),
  },
  always: {
    label: "SDK, 100 % sampled, exported",
    env: (sink) => ({ OTEL_EXPORTER_OTLP_ENDPOINT: sink, OTEL_TRACES_SAMPLER: "always_on" }),
  },
};

/** One mode in this process: prints its numbers as the last line of stdout. */
async function measureMode(mode: Mode): Promise<void> {
  const fake = await createFakeModelServer();
  const sink = await startSink();
  process.env.BENCH_FAKE_KEY = "sk-bench";
  const otel = { ...MODES[mode].env(sink.url), OTEL_SERVICE_NAME: "agentrt-bench" };
  // The SDK reads the process environment, as it would in production.
  Object.assign(process.env, otel);
  try {
    const result = await measure(otel, fake.url);
    console.log(JSON.stringify({ ...result, bytes: sink.bytes() }));
  } finally {
    await fake.close();
    sink.close();
  }
}

function runMode(mode: Mode): Promise<{ chat: number; runs: number; bytes: number }> {
  const child = spawn(process.execPath, [import.meta.filename], {
    env: { ...process.env, BENCH_TRACING_MODE: mode },
    stdio: ["ignore", "pipe", "inherit"],
  });
  let out = "";
  child.stdout.on("data", (chunk: Buffer) => {
    out += chunk.toString();
  });
  return new Promise((resolve, reject) => {
    child.once("exit", (code) => {
      const last = out.trim().split("\n").at(-1);
      if (code !== 0 || !last) reject(new Error(`tracing bench (${mode}) exited with ${code}: ${out}`));
      else resolve(JSON.parse(last));
    });
  });
}

export default async function bench(): Promise<void> {
  const results = {} as Record<Mode, { chat: number; runs: number; bytes: number }>;
  for (const mode of Object.keys(MODES) as Mode[]) results[mode] = await runMode(mode);
  const base = results.none;
  const limits: Record<Mode, number | undefined> = { none: undefined, never: 0.02, always: 0.15 };
  const rows = (Object.keys(MODES) as Mode[]).flatMap((mode) =>
    (["chat", "runs"] as const).map((workload) => {
      const ratio = results[mode][workload] / base[workload];
      const limit = limits[mode];
      return [
        `${workload === "chat" ? "chat completions" : "task runs"}: ${MODES[mode].label}`,
        results[mode][workload].toFixed(0),
        mode === "none" ? "baseline" : ratio.toFixed(3),
        limit === undefined
          ? ""
          : `${1 - ratio < limit ? "ok" : "MISSED"} (costs ${((1 - ratio) * 100).toFixed(1)} %, limit < ${limit * 100} %)`,
      ];
    }),
  );
  table(
    `Tracing cost: chat req/s at ${CONNECTIONS} connections for ${SECONDS} s, sync task runs/s at ${CONNECTIONS} clients (n=${RUNS}), each mode its own process (${(results.always.bytes / 1024).toFixed(0)} KiB exported at 100 %). "No SDK" is what runs without OTEL_* settings: every span a no-op, standing for a build without tracing; the 0 %-sampled SDK does more than that, so its cost bounds tracing off's from above.`,
    ["workload and mode", "per second", "vs no SDK", "issue"],
    rows,
  );
}

const mode = process.env.BENCH_TRACING_MODE as Mode | undefined;
if (mode) {
  await measureMode(mode);
  process.exit(0);
}
