// SSE followers of running runs (issue 16): BENCH_FOLLOWERS (default 1000) clients follow
// GET /v1/runs/{id}/events of task runs that emit step events every BENCH_FOLLOWERS_TICK_MS.
// 80 % of them share a few runs (up to 200 followers each), 20 % follow a run of their own.
// Lag = when the client read an event - the event's stored `createdAt` (same machine, same clock),
// counted for events created after the client's stream opened. The server is a child process, so
// its memory per open stream is its own (RSS and live heap after full collections, from /metrics)
// and its CPU is read from /proc. The client is one lean node:http process with a line parser.
// BENCH_SERVER_ARGS passes node flags to the server, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof".
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { Agent, request } from "node:http";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { BENCH_KEY, createBenchHost, firstPartyLinks } from "./host.ts";
import { ms, summarize, table, verdict } from "./lib.ts";

const serverDir = resolve(import.meta.dirname, "../apps/server");
const FOLLOWERS = Number(process.env.BENCH_FOLLOWERS ?? 1000);
const TICK_MS = Number(process.env.BENCH_FOLLOWERS_TICK_MS ?? 200);
const TICKS = 19; // the task template's 20 steps: one settling wait, then the ticks
const PER_SHARED_RUN = 200;
const HEARTBEAT_MS = 1000;
const LAG_TARGET_MS = 50;
const headers = { authorization: `Bearer ${BENCH_KEY}`, "content-type": "application/json" };
const agent = new Agent({ keepAlive: false, maxSockets: Number.POSITIVE_INFINITY });

interface Follower {
  runId: string;
  /** When the stream's first comment arrived: events created from then on count as live. */
  connectedAt: number;
  seqs: number[];
  times: number[];
  heartbeats: number;
  done: Promise<void>;
}

/** Opens one follower; resolves once its stream is open. */
function follow(base: string, runId: string): Promise<Follower> {
  return new Promise((opened, failed) => {
    const follower: Follower = {
      runId,
      connectedAt: 0,
      seqs: [],
      times: [],
      heartbeats: 0,
      done: undefined!,
    };
    const req = request(`${base}/v1/runs/${runId}/events`, { agent, headers });
    follower.done = new Promise((finished, broke) => {
      req.on("error", (error) => (follower.connectedAt ? broke(error) : failed(error)));
      req.on("response", (res) => {
        if (res.statusCode !== 200) return failed(new Error(`follow: ${res.statusCode}`));
        res.setEncoding("utf8");
        let buffer = "";
        let ended = false;
        res.on("data", (chunk: string) => {
          const now = Date.now();
          buffer += chunk;
          for (let end = buffer.indexOf("\n\n"); end !== -1; end = buffer.indexOf("\n\n")) {
            const frame = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            if (frame.startsWith("id: ")) {
              follower.seqs.push(Number(frame.slice(4, frame.indexOf("\n"))));
              follower.times.push(now);
              if (frame.includes("\nevent: run.finished\n")) ended = true;
            } else if (frame === ": connected") {
              follower.connectedAt = now;
              opened(follower);
            } else if (frame === ": keep-alive") follower.heartbeats++;
          }
        });
        res.on("end", () => (ended ? finished() : broke(new Error(`stream of ${runId} ended early`))));
      });
    });
    req.end();
  });
}

async function post(url: string, body: unknown): Promise<{ id: string }> {
  const res = await fetch(url, { method: "POST", headers, body: JSON.stringify(body) });
  if (res.status >= 300) throw new Error(`${res.status} ${await res.text()}`);
  return (await res.json()) as { id: string };
}

/** The server's RSS and heap in use (MB), after full collections. */
async function serverMemory(base: string, pid: number): Promise<{ rssMb: number; heapMb: number }> {
  process.kill(pid, "SIGUSR2");
  await new Promise((r) => setTimeout(r, 300));
  const text = await (await fetch(`${base}/metrics`, { headers })).text();
  const metric = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, "m").exec(text)?.[1]) / 1048576;
  return { rssMb: metric("process_resident_memory_bytes"), heapMb: metric("nodejs_heap_size_used_bytes") };
}

/** CPU time the process used so far (ms), from /proc. */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime + stime, in USER_HZ
}

export default async function bench(): Promise<void> {
  const sharedRuns = Math.max(1, Math.round((FOLLOWERS * 0.8) / PER_SHARED_RUN));
  const ownRuns = Math.round(FOLLOWERS * 0.2);
  const perShared = Math.floor((FOLLOWERS - ownRuns) / sharedRuns);
  const runs = sharedRuns + ownRuns;
  // Long enough to start every run and open every stream before the first tick.
  const settleS = 3 + Math.ceil(FOLLOWERS / 250) + Math.ceil(runs / 100);
  const host = createBenchHost({ links: firstPartyLinks() });
  const dataDir = mkdtempSync(join(tmpdir(), "agentrt-bench-followers-"));
  const child = spawn(
    process.execPath,
    [
      "--expose-gc",
      `--import=${join(import.meta.dirname, "gc-on-signal.mjs")}`,
      ...(process.env.BENCH_SERVER_ARGS?.split(" ").filter(Boolean) ?? []),
      join(serverDir, "dist/main.js"),
    ],
    {
      env: {
        PATH: process.env.PATH,
        AGENTRT_PORT: "0",
        AGENTRT_ADMIN_KEY: BENCH_KEY,
        AGENTRT_LOG_LEVEL: "error",
        AGENTRT_HOST_DIR: host.dir,
        AGENTRT_DATA_DIR: dataDir,
        AGENTRT_RUN_CONCURRENCY: String(runs),
        AGENTRT_RUN_CONCURRENCY_PER_AGENT: String(runs),
        AGENTRT_SSE_HEARTBEAT_MS: String(HEARTBEAT_MS),
        AGENTRT_RATE_LIMIT_READ: "0",
        AGENTRT_RATE_LIMIT_INVOKE: "0",
        AGENTRT_RATE_LIMIT_ADMIN: "0",
      },
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  try {
    const base = await new Promise<string>((resolveUrl, reject) => {
      let out = "";
      child.stdout!.on("data", (chunk: Buffer) => {
        out += chunk.toString();
        const match = /listening on (http:\/\/\S+)/.exec(out);
        if (match) resolveUrl(match[1]!);
      });
      child.once("exit", (code) => reject(new Error(`server exited with ${code}`)));
    });
    await post(`${base}/v1/agents`, {
      name: "ticker",
      template: "task",
      config: {
        stepTimeout: settleS + 5,
        steps: [
          { id: "settle", kind: "wait", seconds: settleS },
          ...Array.from({ length: TICKS }, (_, i) => ({
            id: `t${i}`,
            kind: "wait",
            seconds: TICK_MS / 1000,
          })),
        ],
      },
    });
    const ids: string[] = [];
    for (let i = 0; i < runs; i++)
      ids.push((await post(`${base}/v1/agents/ticker/runs`, { mode: "background" })).id);
    const before = await serverMemory(base, child.pid!);
    const targets = Array.from({ length: FOLLOWERS }, (_, i) =>
      i < sharedRuns * perShared
        ? ids[i % sharedRuns]!
        : ids[sharedRuns + ((i - sharedRuns * perShared) % ownRuns)]!,
    );
    // Opened in waves, as clients arrive: one burst of 1,000 connects would hit the listen backlog.
    const followers: Follower[] = [];
    for (let i = 0; i < targets.length; i += 100)
      followers.push(...(await Promise.all(targets.slice(i, i + 100).map((id) => follow(base, id)))));
    const opened = await serverMemory(base, child.pid!);
    const cpuBefore = cpuMs(child.pid!);
    await Promise.all(followers.map((f) => f.done));
    const cpu = cpuMs(child.pid!) - cpuBefore;
    child.kill("SIGTERM");
    await exited;

    const db = new DatabaseSync(join(dataDir, "agentrt.db"), { readOnly: true });
    const created = new Map<string, number>();
    for (const row of db.prepare("SELECT run_id, seq, created_at FROM run_events").iterate()) {
      created.set(`${row.run_id}:${row.seq}`, Date.parse(String(row.created_at)));
    }
    db.close();
    const lags: number[] = [];
    let delivered = 0;
    let outOfOrder = 0;
    let heartbeats = 0;
    for (const f of followers) {
      delivered += f.seqs.length;
      heartbeats += f.heartbeats;
      f.seqs.forEach((seq, i) => {
        if (seq !== i + 1) outOfOrder++;
        const at = created.get(`${f.runId}:${seq}`)!;
        if (at >= f.connectedAt) lags.push(f.times[i]! - at);
      });
    }
    const lag = summarize(lags);
    const perStreamKb = (mb: number) => `${((mb * 1024) / FOLLOWERS).toFixed(1)} KB`;
    table(
      `SSE followers of running runs: ${FOLLOWERS} streams (${sharedRuns} runs × ${perShared}, ${ownRuns} runs × 1), a run writes a batch of events every ~${TICK_MS} ms; lag = client read - event createdAt`,
      [
        "lag p50",
        "lag p99",
        "lag max",
        "live events",
        "delivered",
        "gaps",
        "heartbeats",
        `design: p99 < ${LAG_TARGET_MS} ms`,
      ],
      [
        [
          ms(lag.p50),
          ms(lag.p99),
          ms(lag.max),
          lag.n,
          delivered,
          outOfOrder,
          heartbeats,
          outOfOrder === 0 ? verdict(lag.p99, LAG_TARGET_MS) : "MISSED: events out of order",
        ],
      ],
    );
    table(
      "Server process while the streams were open (after full GCs) and its CPU while they ran",
      [
        "RSS before",
        "RSS open",
        "heap before",
        "heap open",
        "RSS / stream",
        "heap / stream",
        "server CPU / delivered event",
      ],
      [
        [
          `${before.rssMb.toFixed(1)} MB`,
          `${opened.rssMb.toFixed(1)} MB`,
          `${before.heapMb.toFixed(1)} MB`,
          `${opened.heapMb.toFixed(1)} MB`,
          perStreamKb(opened.rssMb - before.rssMb),
          perStreamKb(opened.heapMb - before.heapMb),
          `${((cpu * 1000) / delivered).toFixed(1)} µs`,
        ],
      ],
    );
  } finally {
    if (child.exitCode === null) {
      child.kill("SIGTERM");
      await exited;
    }
    agent.destroy();
    rmSync(dataDir, { recursive: true, force: true });
    host.remove();
  }
}
