// What tracing costs agentrt's server: chat completions and sync task runs, tracing off and on. The
// load, the fake model and the OTLP sink run in this process, so the server's CPU per operation is
// the server's alone, as in production where the collector is elsewhere.
//
// Three server processes per round (the OpenTelemetry SDK registers process-global state once):
// - no SDK: tracing off, what an operator gets without OTEL_* exporter settings. The SDK is not
//   loaded, the request-span middleware not installed, every span call an @opentelemetry/api no-op.
// - no SDK, twin: a second no-SDK process, to show how far two servers that differ in nothing apart.
// - SDK: started with the default sampler (parent-based, always on), exporting over OTLP/HTTP. The
//   load sends a `traceparent` with every request; its sampled flag decides the turn's mode:
//   - unsampled (flag 00): the SDK loaded, every span decided on and dropped;
//   - sampled (flag 01): every span recorded and exported, tracing at 100 %;
//   - unsampled again: a second count of unsampled turns, this process's own noise.
// Two processes of one build have settled 20-30 % apart on chat for their whole life, wider than
// the 15 % bar, and the later-started one was the slower more often; each round now starts them
// in another order. What sampling and exporting cost is measured within the SDK process, whose
// sampled and unsampled turns share everything but the flag; the verdict takes the larger of that
// (with the SDK's loaded cost) and the sampled turns' direct ratio to the no-SDK process.
import { type ChildProcess, execFileSync, fork } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:http";
import { Session } from "node:inspector/promises";
import type { AddressInfo } from "node:net";
import { availableParallelism } from "node:os";
import { createFakeModelServer } from "@agentrt/testing";
// @ts-expect-error autocannon ships no type declarations
import autocannon from "autocannon";
import { BENCH_KEY, firstPartyLinks, requireFromServer, startBenchServer } from "./host.ts";
import { table } from "./lib.ts";

/** Seconds of each workload per mode and round, in turns of WINDOW_SECONDS. */
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const WINDOW_SECONDS = 2;
// V8 keeps tiering the server's code up for about 30 s of this load (Turbofan compiles per 5 s fall
// from ~100 to a handful). Measured earlier, a mode is charged for compiling its code once, and
// tracing has more code: the cost of a server that runs for days is the one after that.
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 30);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const CONNECTIONS = 10;
// Read before any pinning: once this process is pinned, availableParallelism() counts its own CPUs.
const CPUS = availableParallelism();

type Process = "none" | "twin" | "sdk";
type Mode = "none" | "twin" | "unsampled" | "sampled" | "again";

const PROCESSES: Record<Process, (sink: string) => Record<string, string>> = {
  none: () => ({}),
  twin: () => ({}),
  sdk: (sink) => ({ OTEL_EXPORTER_OTLP_ENDPOINT: sink, OTEL_TRACES_SAMPLER: "parentbased_always_on" }),
};

const MODES: Record<Mode, { label: string; process: Process; sampled: boolean }> = {
  none: { label: "no SDK (tracing off)", process: "none", sampled: false },
  twin: { label: "no SDK, a twin process (noise)", process: "twin", sampled: false },
  unsampled: { label: "SDK, unsampled (0 %)", process: "sdk", sampled: false },
  sampled: { label: "SDK, sampled (100 %), exported", process: "sdk", sampled: true },
  // Unsampled turns of the same process counted apart: their ratio to `unsampled` is this
  // harness's noise within one process, the floor under the sampled turns' cost.
  again: { label: "SDK, unsampled, a second count (noise)", process: "sdk", sampled: false },
};

/** Every request carries a caller's trace context; only its sampled flag differs between modes. */
const requestHeaders = (sampled: boolean) => ({
  authorization: `Bearer ${BENCH_KEY}`,
  "content-type": "application/json",
  traceparent: `00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-0${sampled ? 1 : 0}`,
});

/**
 * Puts the server process on the last CPU (all servers share it, one loaded at a time) and this
 * process (load, fake model, sink) on the others, where Linux's `taskset` can. Unpinned, the
 * scheduler moves them between this 2-core VM's cores and their contention shows in the server's
 * CPU per operation. Returns how to undo this process's pinning (later benchmarks run unpinned).
 */
function pinServers(servers: ChildProcess[]): () => void {
  const cpus = CPUS;
  if (process.platform !== "linux" || cpus < 2) return () => {};
  const taskset = (list: string, pid: number) =>
    execFileSync("taskset", ["-a", "-p", "-c", list, String(pid)], { stdio: "ignore" });
  try {
    for (const server of servers) if (server.pid !== undefined) taskset(String(cpus - 1), server.pid);
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

type Load = (url: string, seconds: number, sampled: boolean) => Promise<number>;

const chatRequests: Load = async (url, seconds, sampled) => {
  const result = await autocannon({
    url: `${url}/v1/chat/completions`,
    method: "POST",
    headers: requestHeaders(sampled),
    body: JSON.stringify({ model: "bench-chat", messages: [{ role: "user", content: "hello" }] }),
    connections: CONNECTIONS,
    duration: seconds,
  });
  if (result.non2xx > 0 || result.errors > 0)
    throw new Error(`chat: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return result.requests.total;
};

/** Sync task runs from CONNECTIONS clients for `seconds`; how many completed. */
const syncRuns: Load = async (url, seconds, sampled) => {
  const until = performance.now() + seconds * 1000;
  const headers = requestHeaders(sampled);
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
};

/** Profiler samples of one process's turns: busy time, and the parts in @opentelemetry and GC. */
interface Samples {
  busy: number;
  otel: number;
  gc: number;
}
type Reply = { url: string } | { cpuUs: number } | { profiling: true } | { samples: Samples };
/** `settle` exports what the SDK holds (a no-op without one) and then answers the CPU time. */
type Ask = "cpu" | "settle" | "profile" | "stop-profile" | "exit";

/**
 * Where the server's busy CPU time went: in @opentelemetry code (by the nearest non-`node:` frame
 * of each sample: the span calls and the export, serialisation and sending included) and in the
 * garbage collector. Shares of one process's own time, so load elsewhere on the machine, which
 * skews rates and even CPU per operation, barely moves them.
 */
async function profileSamples(session: Session): Promise<Samples> {
  const { profile } = await session.post("Profiler.stop");
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const child of n.children ?? []) parent.set(child, n.id);
  const samples = { busy: 0, otel: 0, gc: 0 };
  profile.samples?.forEach((leaf, i) => {
    const dt = profile.timeDeltas?.[i] ?? 0;
    const name = nodes.get(leaf)?.callFrame.functionName;
    if (name === "(idle)") return;
    samples.busy += dt;
    if (name === "(garbage collector)") samples.gc += dt;
    let id: number | undefined = leaf;
    while (id !== undefined && !/^(file:|\/)/.test(nodes.get(id)?.callFrame.url ?? "")) id = parent.get(id);
    if (id !== undefined && nodes.get(id)?.callFrame.url.includes("/@opentelemetry/")) samples.otel += dt;
  });
  return samples;
}

/**
 * Exports every span the SDK still holds, so a turn's export is charged to that turn and not to
 * the process's next one; without an SDK the global provider is the API's proxy and has nothing.
 * Resolved once, in the server process: resolution inside a turn would be charged to it.
 */
function spanFlusher(): () => Promise<void> {
  // The server's copy of the API (the bench has none); only the provider's shape matters here.
  const { trace } = requireFromServer("@opentelemetry/api") as {
    trace: { getTracerProvider(): { getDelegate?: () => { forceFlush?: () => Promise<void> } } };
  };
  return async () => {
    await trace.getTracerProvider().getDelegate?.().forceFlush?.();
  };
}

/** The server process: agentrt with this process's OTEL_* settings, answering its parent. */
async function serve(): Promise<void> {
  const otel = JSON.parse(process.env.BENCH_TRACING_ENV ?? "{}") as Record<string, string>;
  // The SDK reads the process environment, as it would in production.
  Object.assign(process.env, otel, { BENCH_FAKE_KEY: "sk-bench" });
  const server = await startBenchServer({
    links: firstPartyLinks(),
    env: { AGENTRT_RUN_CONCURRENCY_PER_AGENT: "16", ...otel },
  });
  const flushSpans = spanFlusher();
  // Connected on the first profiled turn only: the measured rounds' servers carry no inspector.
  let session: Session | undefined;
  const reply = (message: Reply) => process.send?.(message);
  const cpuUs = () => {
    const { user, system } = process.cpuUsage();
    return user + system;
  };
  process.on("message", async (ask: Ask) => {
    if (ask === "cpu") reply({ cpuUs: cpuUs() });
    else if (ask === "settle") {
      await flushSpans();
      reply({ cpuUs: cpuUs() });
    } else if (ask === "profile") {
      if (!session) {
        session = new Session();
        session.connect();
        await session.post("Profiler.enable");
        // Every 100 µs: the no-op calls are brief, a coarser profile would barely sample them.
        await session.post("Profiler.setSamplingInterval", { interval: 100 });
      }
      await session.post("Profiler.start");
      reply({ profiling: true });
    } else if (ask === "stop-profile")
      reply({ samples: await profileSamples(session!) }); // after "profile"
    else {
      session?.disconnect();
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

/** One server process and the OTLP sink it exports to. */
interface Served {
  child: ChildProcess;
  url: string;
  sink: Awaited<ReturnType<typeof startSink>>;
}

async function serveProcess(kind: Process, fakeUrl: string): Promise<Served> {
  const sink = await startSink();
  const env = { ...PROCESSES[kind](sink.url), OTEL_SERVICE_NAME: "agentrt-bench" };
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
    return { child, url, sink };
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
    const res = await fetch(`${url}/v1/agents`, {
      method: "POST",
      headers: requestHeaders(false),
      body: JSON.stringify(agent),
    });
    if (res.status !== 201) throw new Error(`bench agent: ${res.status} ${await res.text()}`);
  }
}

async function stopProcess(served: Served): Promise<void> {
  const exited = once(served.child, "exit");
  served.child.send("exit");
  await exited;
  served.sink.close();
}

const median = (values: number[]) => values.toSorted((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

interface Rate {
  perSecond: number;
  /** The server process's CPU time per operation. */
  cpuUs: number;
  /** The same, of each turn, in window order: turns of one window ran within seconds of each other. */
  turnsUs: number[];
  /** OTLP bytes exported per operation. */
  bytes: number;
}

const noSamples = (): Samples => ({ busy: 0, otel: 0, gc: 0 });

/** One turn of one mode: the server's CPU time, operations, seconds and OTLP bytes. */
interface Turn {
  cpuUs: number;
  ops: number;
  s: number;
  bytes: number;
}

/**
 * Loads the modes in turn, WINDOW_SECONDS each, until each has had `seconds` of `load`. A turn's
 * CPU cost runs from its start until its server has exported the turn's spans. Each mode's CPU per
 * operation is the median of its turns: the VM stalls a whole CPU for a second now and then, and
 * the turn it falls in doubles; a total would carry that into the mode that happened to be running.
 * Profiled, each turn's profile is added to its mode's samples.
 */
async function takeTurns(
  servers: Record<Process, Served>,
  load: Load,
  seconds: number,
  profiles?: Record<Mode, Samples>,
): Promise<Record<Mode, Rate>> {
  const modes = Object.keys(MODES) as Mode[];
  const windows = Math.max(1, Math.round(seconds / WINDOW_SECONDS));
  const turns = Object.fromEntries(modes.map((m) => [m, [] as Turn[]]));
  for (let w = 0; w < windows; w++)
    // Each window starts with the next mode, so none always follows the same one.
    for (let i = 0; i < modes.length; i++) {
      const mode = modes[(w + i) % modes.length]!;
      const served = servers[MODES[mode].process];
      if (profiles) await ask(served.child, "profile");
      const bytes = served.sink.bytes();
      const { cpuUs: start } = await ask<{ cpuUs: number }>(served.child, "cpu");
      const begun = performance.now();
      const ops = await load(served.url, seconds / windows, MODES[mode].sampled);
      const s = (performance.now() - begun) / 1000;
      const { cpuUs: end } = await ask<{ cpuUs: number }>(served.child, "settle");
      turns[mode]!.push({ cpuUs: end - start, ops, s, bytes: served.sink.bytes() - bytes });
      if (profiles) {
        const { samples } = await ask<{ samples: Samples }>(served.child, "stop-profile");
        for (const key of ["busy", "otel", "gc"] as const) profiles[mode][key] += samples[key];
      }
    }
  const rate = (list: Turn[]): Rate => {
    const total = (key: Exclude<keyof Turn, "cpuUs">) => list.reduce((sum, t) => sum + t[key], 0);
    return {
      perSecond: total("ops") / total("s"),
      cpuUs: median(list.map((t) => t.cpuUs / t.ops)),
      turnsUs: list.map((t) => t.cpuUs / t.ops),
      bytes: total("bytes") / total("ops"),
    };
  };
  return Object.fromEntries(modes.map((m) => [m, rate(turns[m]!)])) as Record<Mode, Rate>;
}

type Round = Record<Mode, { chat: Rate; runs: Rate }>;

/**
 * One round: the three server processes alive at once on the server CPU, loaded in turns
 * (takeTurns). The VM's slow phases come and go within seconds to minutes; in turns this short
 * every mode meets the same ones, and the ratio of two modes' costs in a round compares like with like.
 */
async function measureRound(round: number, profiles?: Record<Mode, Samples>): Promise<Round> {
  const fake = await createFakeModelServer();
  const servers = {} as Record<Process, Served>;
  let unpin = () => {};
  try {
    // Each round starts the processes in another order: which one starts first may matter to how
    // fast it runs, and no process should always take the same place.
    const kinds = Object.keys(PROCESSES) as Process[];
    for (let i = 0; i < kinds.length; i++) {
      const kind = kinds[(round + i) % kinds.length]!;
      servers[kind] = await serveProcess(kind, fake.url);
    }
    unpin = pinServers(Object.values(servers).map((s) => s.child));
    // Warm-up: template loading and the JIT's tiering would otherwise count (see WARMUP_SECONDS).
    // In the same turns as the measurement: a warmed server left idle while the others warm up
    // runs slower for minutes after (V8 flushes code it has not run), so every mode gets the same history.
    await takeTurns(servers, chatRequests, (WARMUP_SECONDS * 2) / 3);
    await takeTurns(servers, syncRuns, WARMUP_SECONDS / 3);
    const chat = await takeTurns(servers, chatRequests, SECONDS, profiles);
    const runs = await takeTurns(servers, syncRuns, SECONDS, profiles);
    return Object.fromEntries(
      (Object.keys(MODES) as Mode[]).map((m) => [m, { chat: chat[m], runs: runs[m] }]),
    ) as Round;
  } finally {
    for (const served of Object.values(servers)) await stopProcess(served);
    unpin();
    await fake.close();
  }
}

const change = (ratio: number) => `${ratio >= 1 ? "+" : ""}${((ratio - 1) * 100).toFixed(1)} %`;
const pct = (share: number) => `${(share * 100).toFixed(1)} %`;
const LIMIT = 0.15;
/** Beyond this, between twin processes or between a process's own unsampled turns, no verdict holds. */
const NOISE_LIMIT = 0.05;

export default async function bench(): Promise<void> {
  const modes = Object.keys(MODES) as Mode[];
  const rounds: Round[] = [];
  for (let round = 0; round < ROUNDS; round++) rounds.push(await measureRound(round));
  type Workload = "chat" | "runs";
  const of = (mode: Mode, workload: Workload, key: Exclude<keyof Rate, "turnsUs">) =>
    median(rounds.map((r) => r[mode][workload][key]));
  // The modes of one window took their turns within seconds of each other, through the same phase
  // of the machine: the ratio of two turns of a window compares like with like. The median of those
  // ratios, over every window of every round, is steadier than a ratio of a round's medians, which
  // a slow phase over a few turns of one mode tilts.
  const paired = (mode: Mode, base: Mode, workload: Workload) =>
    median(
      rounds.flatMap((r) =>
        r[mode][workload].turnsUs.map((us, window) => us / r[base][workload].turnsUs[window]!),
      ),
    );
  const name = (workload: Workload) => (workload === "chat" ? "chat completions" : "task runs");
  table(
    `Tracing cost: chat requests at ${CONNECTIONS} connections and sync task runs from ${CONNECTIONS} clients. Each round starts three server processes (no SDK, its twin, SDK) and loads the five modes in turns of ${WINDOW_SECONDS} s: ${WARMUP_SECONDS} s of warm-up, then ${SECONDS} s of each workload per mode; the SDK process's modes differ only in the sampled flag of the caller's traceparent. "Server CPU µs/op" is the server process's user+system CPU time per operation, its span export included, the median of its turns, then of ${ROUNDS} rounds; "vs no SDK" is the median, over every window of every round, of a turn's ratio to the no-SDK server's turn in the same window. The servers share a CPU of their own where taskset can pin them.`,
    [
      "workload and mode",
      "per second",
      "server CPU µs/op",
      "vs no SDK",
      "OTLP bytes/op",
      "CPU µs/op per round",
    ],
    (["chat", "runs"] as const).flatMap((workload) =>
      modes.map((mode) => [
        `${name(workload)}: ${MODES[mode].label}`,
        of(mode, workload, "perSecond").toFixed(0),
        of(mode, workload, "cpuUs").toFixed(0),
        mode === "none" ? "baseline" : change(paired(mode, "none", workload)),
        of(mode, workload, "bytes").toFixed(0),
        rounds.map((r) => r[mode][workload].cpuUs.toFixed(0)).join(" "),
      ]),
    ),
  );
  const twin = (workload: Workload) => change(paired("twin", "none", workload));
  const again = (workload: Workload) => change(paired("again", "unsampled", workload));
  console.log(
    `Noise: the twin no-SDK process measured ${twin("chat")} on chat and ${twin("runs")} on task runs against the first; a difference between processes within that of zero is not one this run can tell from none. Within the SDK process, its second count of unsampled turns measured ${again("chat")} on chat and ${again("runs")} on task runs against the first.`,
  );

  // One more round, every turn profiled (chat and runs together): the profiler slows the servers,
  // so this round gives shares, not rates.
  const profiles = Object.fromEntries(modes.map((m) => [m, noSamples()])) as Record<Mode, Samples>;
  await measureRound(ROUNDS, profiles);
  const share = (mode: Mode, key: "otel" | "gc") => profiles[mode][key] / profiles[mode].busy;
  table(
    "Where the server's busy CPU time goes, in one profiled round (load elsewhere barely moves these shares): in @opentelemetry code (span calls, export, serialisation, sending) and in the garbage collector.",
    ["mode", "in @opentelemetry", "in GC", "GC vs no SDK"],
    modes.map((mode) => [
      MODES[mode].label,
      pct(share(mode, "otel")),
      pct(share(mode, "gc")),
      mode === "none" ? "baseline" : `${((share(mode, "gc") - share("none", "gc")) * 100).toFixed(1)} points`,
    ]),
  );
  const off = share("none", "otel");
  console.log(
    `Tracing off is the "no SDK" mode: without OTEL_* exporter settings the server neither loads the SDK nor installs the request-span middleware, and every span call is an @opentelemetry/api no-op. Against a build without tracing it costs those calls: ${pct(off)} of its busy CPU time (${off < 0.02 ? "ok" : "MISSED"}, limit < 2 %).`,
  );
  // Tracing on = the SDK loaded with nothing sampled, times sampling and exporting everything. The
  // second is measured within one process. The first is, between processes, within the twin's
  // noise; its estimate is the busy time the profiler finds in @opentelemetry code unsampled, over
  // what it finds there without the SDK. That counts the SDK's own code only, not garbage it leaves
  // for the collector's threads: unsampled, it allocates little more than a span context per span.
  const loaded = Math.max(0, share("unsampled", "otel") - off);
  for (const workload of ["chat", "runs"] as const) {
    const sampling = paired("sampled", "unsampled", workload);
    const composed = (1 + loaded) * sampling - 1;
    // Between processes the twin's noise can hide or invent a cost; within one process the
    // profile sees only the SDK's own code. Neither alone is trusted to pass.
    const direct = paired("sampled", "none", workload) - 1;
    const on = Math.max(composed, direct);
    const noise = Math.max(
      Math.abs(paired("twin", "none", workload) - 1),
      Math.abs(paired("again", "unsampled", workload) - 1),
    );
    const verdict =
      noise > NOISE_LIMIT
        ? `UNDECIDED: noise over ${NOISE_LIMIT * 100} %, run again on a quieter machine`
        : on < LIMIT
          ? "ok"
          : "MISSED";
    console.log(
      `Tracing on, ${name(workload)}: sampling and exporting every span costs ${change(sampling)} CPU/op within the SDK process (each round's ratio of medians: ${rounds.map((r) => change(r.sampled[workload].cpuUs / r.unsampled[workload].cpuUs)).join(", ")}); the SDK loaded costs ${pct(loaded)} by the profile of its own code (${change(paired("unsampled", "none", workload))} measured between processes, noise ${twin(workload)}): ${change(composed + 1)} composed. Sampled turns against the no-SDK process directly: ${change(direct + 1)}. The larger, ${change(on + 1)}, is the verdict (${verdict}, limit < +${LIMIT * 100} % CPU/op).`,
    );
  }
}

if (process.env.BENCH_TRACING_SERVER) await serve();
