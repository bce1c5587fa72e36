// Store-level evidence for retention's cost on the write path (issue 23): run writes as the engine
// issues them (create, start, steps or a token delta, finish) from BENCH_PRUNE_WRITERS writers
// straight on the SQLite store, with the background pruner off and on, in one process, phases in
// ABBA order (off, on, on, off) on fresh stores so drift and order cancel out. Latency is counted
// once pruning has reached its plateau (after the retention age). Also: main-thread CPU and bytes
// written per run, and each pruning step's batches. `BENCH=prune node bench/run.ts`; compare a
// checkout with BENCH_ROOT=/path/to/checkout (its built runtime and store-sqlite).
import { existsSync, readFileSync } from "node:fs";
import { monitorEventLoopDelay } from "node:perf_hooks";
import type { Logger } from "@agentrt/core";
import { ms, summarize, table } from "./lib.ts";
import { type BenchStore, openBenchStore, runtime, writeRun } from "./lib-store.ts";

const SECONDS = Number(process.env.BENCH_PRUNE_SECONDS ?? 24);
const WRITERS = Number(process.env.BENCH_PRUNE_WRITERS ?? 10);
/** Runs older than this are pruned; latency counts from when the first ones are. */
const AGE_S = Math.max(3, Math.round(SECONDS / 3));
const BATCH = Number(process.env.BENCH_PRUNE_BATCH ?? 200);
const silent = {
  debug() {},
  info() {},
  warn: console.warn,
  error: console.error,
  child: () => silent,
} as unknown as Logger;

/** Bytes this process wrote through write(2) and friends (Linux only), else null. */
function bytesWritten(): number | null {
  if (!existsSync("/proc/self/io")) return null;
  const line = readFileSync("/proc/self/io", "utf8").match(/^wchar: (\d+)$/m);
  return line ? Number(line[1]) : null;
}

const STEPS = ["pruneRuns", "compactEvents", "pruneTombstones", "reclaimSpace"] as const;
type Step = (typeof STEPS)[number];

interface PhaseResult {
  latencies: number[];
  runsPerSecond: number;
  cpuUsPerRun: number;
  bytesPerRun: number | null;
  lagP99: number;
  /** Runs pruned over runs that finished more than the retention age before the end (should be near 1). */
  keptUp: number;
  batches: Record<Step, { ms: number[]; rows: number }>;
}

async function phase(prune: boolean): Promise<PhaseResult> {
  const bench: BenchStore = await openBenchStore();
  const { store } = bench;
  // Each step's batches as the pruner sees them: from the call to the store's answer.
  const batches = Object.fromEntries(
    STEPS.map((s) => [s, { ms: [] as number[], rows: 0 }]),
  ) as PhaseResult["batches"];
  const retention = store.retention as unknown as Record<Step, (...args: unknown[]) => Promise<number>>;
  for (const step of STEPS) {
    const original = retention[step].bind(store.retention);
    retention[step] = async (...args) => {
      const started = performance.now();
      const rows = await original(...args);
      batches[step].ms.push(performance.now() - started);
      batches[step].rows += rows;
      return rows;
    };
  }
  const pruner = runtime.createRetentionPruner(
    store,
    {
      policy: { ...runtime.NO_RETENTION, runMaxAgeMs: AGE_S * 1000, compactEventsAfterMs: 3000 },
      intervalMs: 2000,
      batchSize: BATCH,
      pauseMs: 20,
      tombstoneTtlMs: 10_000,
      reclaimBytesPerPass: 64 * 1024 * 1024,
    },
    silent,
  );
  if (prune) pruner.start();
  const started = performance.now();
  const measureFrom = started + (AGE_S + 2) * 1000;
  const end = started + SECONDS * 1000;
  const latencies: number[] = [];
  let measured = 0;
  const finishedAt: number[] = [];
  let cpu: NodeJS.CpuUsage | undefined;
  let written: number | null = null;
  const lag = monitorEventLoopDelay({ resolution: 1 });
  const window = setTimeout(() => {
    cpu = process.threadCpuUsage();
    written = bytesWritten();
    lag.enable();
  }, measureFrom - started);
  await Promise.all(
    Array.from({ length: WRITERS }, async (_, writer) => {
      for (let i = writer; performance.now() < end; i += WRITERS) {
        const t = performance.now();
        await writeRun(bench, i);
        finishedAt.push(performance.now());
        if (t >= measureFrom) {
          latencies.push(performance.now() - t);
          measured++;
        }
      }
    }),
  );
  clearTimeout(window);
  lag.disable();
  const used = process.threadCpuUsage(cpu);
  const wroteTo = bytesWritten();
  const eligible = finishedAt.filter((t) => t < end - AGE_S * 1000).length;
  const keptUp = pruner.stats().runsPruned / eligible;
  await pruner.stop();
  await bench.close();
  const windowS = (end - measureFrom) / 1000;
  return {
    latencies,
    runsPerSecond: measured / windowS,
    cpuUsPerRun: (used.user + used.system) / measured,
    bytesPerRun: written === null || wroteTo === null ? null : (wroteTo - written) / measured,
    lagP99: lag.percentile(99) / 1e6,
    keptUp,
    batches,
  };
}

export default async function bench(): Promise<void> {
  const off: PhaseResult[] = [];
  const on: PhaseResult[] = [];
  for (const prune of [false, true, true, false]) (prune ? on : off).push(await phase(prune));
  const mode = (label: string, phases: PhaseResult[]) => {
    const s = summarize(phases.flatMap((p) => p.latencies));
    const mean = (f: (p: PhaseResult) => number | null) => {
      const values = phases.map(f).filter((v): v is number => v !== null);
      return values.length ? values.reduce((a, b) => a + b, 0) / values.length : Number.NaN;
    };
    return {
      label,
      s,
      rps: mean((p) => p.runsPerSecond),
      cpu: mean((p) => p.cpuUsPerRun),
      kb: mean((p) => p.bytesPerRun) / 1024,
      lag: mean((p) => p.lagP99),
    };
  };
  const a = mode("pruning off", off);
  const b = mode("pruning on", on);
  const change = (x: number, y: number) => `${((y / x - 1) * 100).toFixed(0)} %`;
  table(
    `Run writes on the SQLite store, ${WRITERS} writers, ${SECONDS} s per phase (ABBA), counted after ${AGE_S + 2} s (retention age ${AGE_S} s, compaction 3 s)`,
    [
      "mode",
      "runs/s",
      "p50",
      "p99",
      "p99.9",
      "max",
      "main-thread CPU per run",
      "KB written per run",
      "loop delay p99",
    ],
    [
      ...[a, b].map((m) => [
        m.label,
        m.rps.toFixed(0),
        ms(m.s.p50),
        ms(m.s.p99),
        ms(m.s.p999),
        ms(m.s.max),
        `${m.cpu.toFixed(0)} us`,
        m.kb.toFixed(1),
        ms(m.lag),
      ]),
      [
        "change",
        change(a.rps, b.rps),
        change(a.s.p50, b.s.p50),
        change(a.s.p99, b.s.p99),
        change(a.s.p999, b.s.p999),
        "",
        change(a.cpu, b.cpu),
        change(a.kb, b.kb),
        "",
      ],
    ],
  );
  console.log(
    `  pruned / due at the end: ${on.map((p) => `${(p.keptUp * 100).toFixed(0)} %`).join(", ")} (pruning keeps up when near 100 %)`,
  );
  table(
    "Pruning batches (pruning on, both phases): time from the pruner's call to the store's answer",
    ["step", "batches", "rows (bytes) per batch", "p50", "p99", "max"],
    STEPS.map((step) => {
      const times = on.flatMap((p) => p.batches[step].ms);
      const rows = on.reduce((sum, p) => sum + p.batches[step].rows, 0);
      const s = summarize(times);
      return [step, s.n, s.n ? (rows / s.n).toFixed(0) : "-", ms(s.p50), ms(s.p99), ms(s.max)];
    }),
  );
}
