// What one pruning batch writes, by batch size (issue 23): WAL bytes and main-thread CPU per run of a
// `pruneRuns` and a `compactEvents` batch on a quiet SQLite store holding BENCH_PRUNE_WAL_RUNS runs,
// against the WAL a run's own writes take. WAL bytes do not depend on the machine's load: they are
// what the checkpoint has to copy, and past 10,000 pages the write path copies it itself.
// `BENCH=prune-wal node bench/run.ts`; compare a checkout with BENCH_ROOT=/path/to/checkout.
import { statSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { table } from "./lib.ts";
import { type BenchStore, openBenchStore, writeRun } from "./lib-store.ts";

const RUNS = Number(process.env.BENCH_PRUNE_WAL_RUNS ?? 20_000);
const SIZES = [50, 100, 200, 400];
const REPEAT = 3;
const FUTURE = "2999-01-01T00:00:00.000Z";

/** Median WAL bytes and CPU microseconds of `op`, each time from an emptied WAL. */
async function measure(
  bench: BenchStore,
  probe: DatabaseSync,
  op: () => Promise<number>,
): Promise<{ rows: number; walBytes: number; cpuUs: number }> {
  const wal = join(bench.dir, "agentrt.db-wal");
  const samples: { rows: number; walBytes: number; cpuUs: number }[] = [];
  for (let i = 0; i < REPEAT; i++) {
    probe.exec("PRAGMA wal_checkpoint(TRUNCATE)");
    const cpu = process.threadCpuUsage();
    const rows = await op();
    const used = process.threadCpuUsage(cpu);
    samples.push({ rows, walBytes: statSync(wal).size, cpuUs: used.user + used.system });
  }
  const median = (f: (s: (typeof samples)[number]) => number) =>
    samples.map(f).sort((a, b) => a - b)[Math.floor(REPEAT / 2)]!;
  return { rows: median((s) => s.rows), walBytes: median((s) => s.walBytes), cpuUs: median((s) => s.cpuUs) };
}

export default async function bench(): Promise<void> {
  // No checkpoint worker: the WAL holds exactly what each measured write added.
  const store = await openBenchStore({ walCheckpointIntervalMs: 0 });
  const probe = new DatabaseSync(join(store.dir, "agentrt.db"));
  try {
    for (let i = 0; i < RUNS; i += 50)
      await Promise.all(Array.from({ length: 50 }, (_, k) => writeRun(store, i + k)));
    const rule = { agentId: store.agentId, finishedBefore: FUTURE };
    const writes = await measure(store, probe, async () => {
      for (let i = 0; i < 200; i += 50)
        await Promise.all(Array.from({ length: 50 }, (_, k) => writeRun(store, i + k)));
      return 200;
    });
    const rows: (string | number)[][] = [];
    const row = (label: string, m: Awaited<ReturnType<typeof measure>>) =>
      rows.push([
        label,
        m.rows,
        `${(m.walBytes / 1024).toFixed(0)} KB`,
        `${(m.walBytes / m.rows / 1024).toFixed(2)} KB`,
        `${(m.cpuUs / 1000).toFixed(2)} ms`,
        `${(m.cpuUs / m.rows).toFixed(1)} us`,
      ]);
    row("run writes (create, start, steps, finish; 50 at a time)", writes);
    for (const size of SIZES) {
      row(
        `compactEvents, batch ${size}`,
        await measure(store, probe, () =>
          store.store.retention.compactEvents({ ...rule, types: ["output.delta"] }, size),
        ),
      );
      row(
        `pruneRuns, batch ${size}`,
        await measure(store, probe, () => store.store.retention.pruneRuns(rule, "expired", size)),
      );
    }
    table(
      `WAL written and main-thread CPU per batch (median of ${REPEAT}), store of ${RUNS} runs`,
      ["operation", "runs", "WAL", "WAL per run", "CPU", "CPU per run"],
      rows,
    );
  } finally {
    probe.close();
    await store.close();
  }
}
