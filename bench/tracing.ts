// What tracing costs agentrt's server: chat completions and sync task runs in three modes, each
// server in its own process (the OpenTelemetry SDK registers process-global state once). The load,
// the fake model and the OTLP sink run in this process, so the server's CPU per operation is the
// server's alone, as in production where the collector is elsewhere.
// - no SDK: tracing off, what an operator gets without OTEL_* exporter settings. The SDK is not
//   loaded, the request-span middleware not installed, every span call an @opentelemetry/api no-op.
// - no SDK, twin: a second no-SDK process, to show how far two servers that differ in nothing apart.
// - SDK, 0 % sampled: the SDK started with a never sampler: spans are decided on and dropped.
// - SDK, 100 % sampled: every span recorded and exported over OTLP/HTTP to the sink.
import { type ChildProcess, execFileSync, fork } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:http";
import { Session } from "node:inspector/promises";
import type { AddressInfo } from "node:net";
import { availableParallelism } from "node:os";
import { createFakeModelServer } from "@agentrt/testing";
// @ts-expect-error autocannon ships no type declarations
import autocannon from "autocannon";
import { BENCH_KEY, firstPartyLinks, startBenchServer } from "./host.ts";
import { table } from "./lib.ts";

/** Seconds of each workload per mode and round, in turns of WINDOW_SECONDS. */
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const WINDOW_SECONDS = 2;
// V8 keeps tiering the server's code up for about 30 s of this load (Turbofan compiles per 5 s fall
// from ~100 to a handful). Measured earlier, a mode is charged for compiling its code once, and
// tracing has more code: the cost of a server that runs for days is the one after that.
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 30);
// Five rounds: twin server processes of one build, measured in the same turns, still differ by up
// to 20-30 % on chat for their whole life (JIT and memory layout, it seems), so one round's ratio
// is off by as much; the twin mode reports it in every run.
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const CONNECTIONS = 10;
// Read before any pinning: once this process is pinned, availableParallelism() counts its own CPUs.
const CPUS = availableParallelism();
const headers = { authorization: `Bearer ${BENCH_KEY}`, "content-type": "application/json" };

/**
 * Puts the server process on the last CPU (all servers share it, one loaded at a time) and this
 * process (load, fake model, sink) on the others, where Linux's `taskset` can. Unpinned, the
 * scheduler moves them between this 2-core VM's cores and their contention shows in the server's
 * CPU per operation. Returns how to undo this process's pinning (later benchmarks run unpinned).
 */
function pinServer(server: ChildProcess): () => void {
  const cpus = CPUS;
  if (process.platform !== "linux" || cpus < 2 || server.pid === undefined) return () => {};
  const taskset = (list: string, pid: number) =>
    execFileSync("taskset", ["-a", "-p", "-c", list, String(pid)], { stdio: "ignore" });
  try {
    taskset(String(cpus - 1), server.pid);
    taskset(`0-${cpus - 2}`, process.pid);
  } catch {
    return () => {}; // no taskset here: the rounds run unpinned
  }
  return () => taskset(`0-${cpus - 1}`, process.pid);
}

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

async function chatRequests(url: string, seconds = SECONDS): Promise<number> {
  const result = await autocannon({
    url: `${url}/v1/chat/completions`,
    method: "POST",
    headers,
    body: JSON.stringify({ model: "bench-chat", messages: [{ role: "user", content: "hello" }] }),
    connections: CONNECTIONS,
    duration: seconds,
  });
  if (result.non2xx > 0 || result.errors > 0)
    throw new Error(`chat: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return result.requests.total;
}

/** Sync task runs from CONNECTIONS clients for `seconds`; how many completed. */
async function syncRuns(url: string, seconds = SECONDS): Promise<number> {
  const until = performance.now() + seconds * 1000;
  let next = 0;
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (performance.now() < until) {
        next++;
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
  return next;
}

type Mode = "none" | "twin" | "never" | "always";

const MODES: Record<Mode, { label: string; env: (sink: string) => Record<string, string> }> = {
  none: { label: "no SDK (tracing off)", env: () => ({}) },
  // The same build and settings as `none` in a second process: its ratio to `none` is what this
  // harness reads into two servers that differ in nothing (JIT and memory layout, per process).
  twin: { label: "no SDK, a twin process (noise)", env: () => ({}) },
  never: {
    label: "SDK, 0 % sampled",
    env: (sink) => ({ OTEL_EXPORTER_OTLP_ENDPOINT: sink, OTEL_TRACES_SAMPLER: "always_off" }),
  },
  always: {
    label: "SDK, 100 % sampled, exported",
    env: (sink) => ({ OTEL_EXPORTER_OTLP_ENDPOINT: sink, OTEL_TRACES_SAMPLER: "always_on" }),
  },
};

/** What the server process answers its parent over IPC. */
/** Shares of the server's busy CPU time in a profiled round. */
interface Shares {
  otel: number;
  gc: number;
}
type Reply = { url: string } | { cpuUs: number } | { profiling: true } | { shares: Shares };
type Ask = "cpu" | "profile" | "stop-profile" | "exit";

/**
 * Where the server's busy CPU time went: in @opentelemetry code (by the nearest non-`node:` frame
 * of each sample: the span calls and the export, serialisation and sending included) and in the
 * garbage collector. Shares of one process's own time, so load elsewhere on the machine, which
 * skews rates and even CPU per operation, barely moves them.
 */
async function profileShares(session: Session): Promise<Shares> {
  const { profile } = await session.post("Profiler.stop");
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const child of n.children ?? []) parent.set(child, n.id);
  let busy = 0;
  let otel = 0;
  let gc = 0;
  profile.samples?.forEach((leaf, i) => {
    const dt = profile.timeDeltas?.[i] ?? 0;
    const name = nodes.get(leaf)?.callFrame.functionName;
    if (name === "(idle)") return;
    busy += dt;
    if (name === "(garbage collector)") gc += dt;
    let id: number | undefined = leaf;
    while (id !== undefined && !/^(file:|\/)/.test(nodes.get(id)?.callFrame.url ?? "")) id = parent.get(id);
    if (id !== undefined && nodes.get(id)?.callFrame.url.includes("/@opentelemetry/")) otel += dt;
  });
  return { otel: otel / busy, gc: gc / busy };
}

/** The server process: agentrt with this mode's OTEL_* settings, answering its parent. */
async function serve(): Promise<void> {
  const otel = JSON.parse(process.env.BENCH_TRACING_ENV ?? "{}") as Record<string, string>;
  // The SDK reads the process environment, as it would in production.
  Object.assign(process.env, otel, { BENCH_FAKE_KEY: "sk-bench" });
  const server = await startBenchServer({
    links: firstPartyLinks(),
    env: { AGENTRT_RUN_CONCURRENCY_PER_AGENT: "16", ...otel },
  });
  const session = new Session();
  const reply = (message: Reply) => process.send?.(message);
  process.on("message", async (ask: Ask) => {
    if (ask === "cpu") {
      const { user, system } = process.cpuUsage();
      reply({ cpuUs: user + system });
    } else if (ask === "profile") {
      session.connect();
      await session.post("Profiler.enable");
      // Every 100 µs: the no-op calls are brief, a coarser profile would barely sample them.
      await session.post("Profiler.setSamplingInterval", { interval: 100 });
      await session.post("Profiler.start");
      reply({ profiling: true });
    } else if (ask === "stop-profile") {
      reply({ shares: await profileShares(session) });
      session.disconnect();
    } else {
      await server.close();
      process.exit(0);
    }
  });
  reply({ url: server.url });
}

/** Asks the server process and waits for its answer. */
async function ask<T extends Reply>(child: ChildProcess, question: Ask): Promise<T> {
  const answer = once(child, "message");
  child.send(question);
  return (await answer)[0] as T;
}

interface Rate {
  perSecond: number;
  /** The server process's CPU time per operation. */
  cpuUs: number;
}
type Result = { chat: Rate; runs: Rate; bytes: number; shares?: Shares };

/** One mode's server process and the OTLP sink it exports to. */
interface Served {
  mode: Mode;
  child: ChildProcess;
  url: string;
  sink: Awaited<ReturnType<typeof startSink>>;
}

async function serveMode(mode: Mode, fakeUrl: string): Promise<Served> {
  const sink = await startSink();
  const env = { ...MODES[mode].env(sink.url), OTEL_SERVICE_NAME: "agentrt-bench" };
  const child = fork(import.meta.filename, {
    env: { ...process.env, BENCH_TRACING_SERVER: "1", BENCH_TRACING_ENV: JSON.stringify(env) },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  try {
    const { url } = await Promise.race([
      once(child, "message").then(([m]) => m as { url: string }),
      once(child, "exit").then(([code]) => Promise.reject(new Error(`bench server exited with ${code}`))),
    ]);
    await createBenchAgents(url, fakeUrl);
    return { mode, child, url, sink };
  } catch (error) {
    child.kill();
    sink.close();
    throw error;
  }
}

async function createBenchAgents(url: string, fakeUrl: string): Promise<void> {
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
    const res = await fetch(`${url}/v1/agents`, { method: "POST", headers, body: JSON.stringify(agent) });
    if (res.status !== 201) throw new Error(`bench agent: ${res.status} ${await res.text()}`);
  }
}

async function stopMode(served: Served): Promise<void> {
  const exited = once(served.child, "exit");
  served.child.send("exit");
  await exited;
  served.sink.close();
}

const median = (values: number[]) => values.toSorted((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

/** The server process's CPU time so far (user + system, all its threads), in µs. */
const cpuOf = async (s: Served) => (await ask<{ cpuUs: number }>(s.child, "cpu")).cpuUs;

/**
 * Loads the servers in turn, WINDOW_SECONDS each, until each has had `seconds` of `ops`. A
 * window's CPU cost runs from its start to the start of that server's next window, so what the
 * server does after the load stops (a span export) counts. Each server's CPU per operation is the
 * median of its windows: the VM stalls a whole CPU for a second now and then, and the window it
 * falls in doubles; a total would carry that into the mode that happened to be running.
 */
async function takeTurns(
  served: Served[],
  ops: (url: string, seconds: number) => Promise<number>,
  seconds: number,
): Promise<Map<Served, Rate>> {
  const windows = Math.max(1, Math.round(seconds / WINDOW_SECONDS));
  const turns = new Map(served.map((s) => [s, [] as { cpuUs: number; ops: number; seconds: number }[]]));
  for (let w = 0; w < windows; w++)
    // Each window starts with the next mode, so none always follows the same one.
    for (let i = 0; i < served.length; i++) {
      const s = served[(w + i) % served.length]!;
      const cpuUs = await cpuOf(s);
      const start = performance.now();
      const done = await ops(s.url, seconds / windows);
      turns.get(s)!.push({ cpuUs, ops: done, seconds: (performance.now() - start) / 1000 });
    }
  const rates = new Map<Served, Rate>();
  for (const s of served) {
    const list = turns.get(s)!;
    const end = await cpuOf(s);
    const perOp = list.map((t, k) => ((list[k + 1]?.cpuUs ?? end) - t.cpuUs) / t.ops);
    const total = (key: "ops" | "seconds") => list.reduce((sum, t) => sum + t[key], 0);
    rates.set(s, { perSecond: total("ops") / total("seconds"), cpuUs: median(perOp) });
  }
  return rates;
}

/**
 * One round: a server per mode, all alive at once on the server CPU, taking turns (takeTurns).
 * The VM's slow phases come and go within seconds to minutes; in turns this short every mode
 * meets the same ones, and the ratio of two servers' costs in a round compares like with like.
 */
async function measureRound(profiled = false): Promise<Record<Mode, Result>> {
  const fake = await createFakeModelServer();
  const modes = Object.keys(MODES) as Mode[];
  const served: Served[] = [];
  const unpin: (() => void)[] = [];
  try {
    for (const mode of modes) {
      const s = await serveMode(mode, fake.url);
      served.push(s);
      unpin.push(pinServer(s.child));
    }
    // Warm-up: template loading and the JIT's tiering would otherwise count (see WARMUP_SECONDS).
    // In the same turns as the measurement: a warmed server left idle while the others warm up
    // runs slower for minutes after (V8 flushes code it has not run), so every mode gets the same history.
    await takeTurns(served, chatRequests, (WARMUP_SECONDS * 2) / 3);
    await takeTurns(served, syncRuns, WARMUP_SECONDS / 3);
    if (profiled) for (const s of served) await ask(s.child, "profile");
    const chat = await takeTurns(served, chatRequests, SECONDS);
    const runs = await takeTurns(served, syncRuns, SECONDS);
    const results = {} as Record<Mode, Result>;
    for (const s of served) {
      const shares = profiled ? (await ask<{ shares: Shares }>(s.child, "stop-profile")).shares : undefined;
      results[s.mode] = {
        chat: chat.get(s)!,
        runs: runs.get(s)!,
        bytes: s.sink.bytes(),
        ...(shares ? { shares } : {}),
      };
    }
    return results;
  } finally {
    for (const s of served) await stopMode(s);
    for (const undo of unpin.reverse()) undo();
    await fake.close();
  }
}

const change = (ratio: number) => `${ratio >= 1 ? "+" : ""}${((ratio - 1) * 100).toFixed(1)} %`;

export default async function bench(): Promise<void> {
  const modes = Object.keys(MODES) as Mode[];
  const results = Object.fromEntries(modes.map((m) => [m, [] as Result[]])) as Record<Mode, Result[]>;
  for (let round = 0; round < ROUNDS; round++) {
    const measured = await measureRound();
    for (const mode of modes) results[mode].push(measured[mode]);
  }
  const limits: Record<Mode, number | undefined> = {
    none: undefined,
    twin: undefined,
    never: undefined,
    always: 0.15,
  };
  const of = (mode: Mode, workload: "chat" | "runs") => ({
    perSecond: median(results[mode].map((r) => r[workload].perSecond)),
    cpuUs: median(results[mode].map((r) => r[workload].cpuUs)),
  });
  // A round's servers took turns through the same minutes of the machine: its ratio compares like
  // with like, and the median of those ratios is steadier than a ratio of medians.
  const pairedCost = (mode: Mode, workload: "chat" | "runs") =>
    median(
      results[mode].map((r, i) => r[workload].cpuUs / (results.none[i]?.[workload].cpuUs ?? Number.NaN)),
    );
  const rows = modes.flatMap((mode) =>
    (["chat", "runs"] as const).map((workload) => {
      const base = of("none", workload);
      const here = of(mode, workload);
      const limit = limits[mode];
      // The bar is on the server's CPU per operation: its throughput on an idle machine is the inverse.
      const cost = pairedCost(mode, workload) - 1;
      return [
        `${workload === "chat" ? "chat completions" : "task runs"}: ${MODES[mode].label}`,
        here.perSecond.toFixed(0),
        mode === "none" ? "baseline" : change(here.perSecond / base.perSecond),
        here.cpuUs.toFixed(0),
        mode === "none" ? "baseline" : change(cost + 1),
        limit === undefined ? "" : `${cost < limit ? "ok" : "MISSED"} (limit: < +${limit * 100} % CPU/op)`,
        results[mode].map((r) => r[workload].cpuUs.toFixed(0)).join(" "),
      ];
    }),
  );
  table(
    `Tracing cost: chat requests at ${CONNECTIONS} connections and sync task runs from ${CONNECTIONS} clients. Each round starts a server process per mode and loads them in turns of ${WINDOW_SECONDS} s: ${WARMUP_SECONDS} s of warm-up, then ${SECONDS} s of each workload per mode (${(median(results.always.map((r) => r.bytes)) / 1024).toFixed(0)} KiB exported per round at 100 %). "Server CPU µs/op" is the server process's user+system CPU time per operation, the median of its turns, then of ${ROUNDS} rounds; its "vs no SDK" is the median of each round's ratio to that round's no-SDK server. The servers share a CPU of their own where taskset can pin them.`,
    [
      "workload and mode",
      "per second",
      "vs no SDK",
      "server CPU µs/op",
      "vs no SDK",
      "issue",
      "CPU µs/op per round",
    ],
    rows,
  );
  const twin = (workload: "chat" | "runs") => change(pairedCost("twin", workload));
  console.log(
    `Noise: the twin no-SDK process measured ${twin("chat")} on chat and ${twin("runs")} on task runs against the first; a cost within that of zero is not a cost this run can tell from none.`,
  );
  // One more round, every server profiled (chat and runs together): the profiler slows the servers,
  // so this round gives shares, not rates.
  const pct = (share: number) => `${(share * 100).toFixed(1)} %`;
  const profiledRound = await measureRound(true);
  const profiled = Object.fromEntries(
    modes.map((mode) => [mode, profiledRound[mode].shares ?? { otel: 0, gc: 0 }]),
  ) as Record<Mode, Shares>;
  table(
    "Where the server's busy CPU time goes, in one profiled round (load elsewhere barely moves these shares): in @opentelemetry code (span calls, export, serialisation, sending) and in the garbage collector.",
    ["mode", "in @opentelemetry", "in GC", "GC vs no SDK"],
    modes.map((mode) => [
      MODES[mode].label,
      pct(profiled[mode].otel),
      pct(profiled[mode].gc),
      mode === "none" ? "baseline" : `${((profiled[mode].gc - profiled.none.gc) * 100).toFixed(1)} points`,
    ]),
  );
  const off = profiled.none.otel;
  console.log(
    `Tracing off is the "no SDK" mode: without OTEL_* exporter settings the server neither loads the SDK nor installs the request-span middleware, and every span call is an @opentelemetry/api no-op. Against a build without tracing it costs those calls: ${pct(off)} of its busy CPU time (${off < 0.02 ? "ok" : "MISSED"}, limit < 2 %). The 0 %-sampled SDK is not tracing off: its spans are still created and decided on.`,
  );
}

if (process.env.BENCH_TRACING_SERVER) await serve();
