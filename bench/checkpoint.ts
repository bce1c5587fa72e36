// Store-level evidence for the write-path tail (issue 22): BENCH_N (default 3000) agent creates
// straight on the SQLite store (no HTTP, no validation), with SQLite's auto-checkpoint on the write
// path and with the background checkpoint worker, in one run. A request "had a checkpoint" when the
// WAL was reset around it; slow means above that mode's p99. `BENCH=checkpoint node bench/run.ts`
import { join } from "node:path";
import { ms, summarize, table } from "./lib.ts";
import { openBenchStore, runtime } from "./lib-store.ts";
import { attribute, type Timed, walStamp, watchGc } from "./lib-tail.ts";

const N = Number(process.env.BENCH_N ?? 3000);
const config = {
  steps: [
    { id: "fetch", kind: "http", url: "https://api.example.com/items/{{input.id}}", headers: { a: "b" } },
    { id: "shape", kind: "transform", dependsOn: ["fetch"], map: { title: "steps.fetch.output.title" } },
  ],
  notes: "x".repeat(400),
};

async function creates(walCheckpointIntervalMs: number) {
  const opened = await openBenchStore({ walCheckpointIntervalMs });
  const { store } = opened;
  const wal = join(opened.dir, "agentrt.db-wal");
  const gc = watchGc();
  const out: Timed[] = [];
  for (let i = 0; i < N; i++) {
    const start = performance.now();
    await store.agents.create({
      id: runtime.createId("agt"),
      name: `a-${i}`,
      description: null,
      templateName: "task",
      templateRange: "^1",
      templateVersion: "1.0.0",
      config,
    });
    out.push({ start, end: performance.now(), wal: walStamp(wal) });
  }
  gc.stop();
  await opened.close();
  return { out, gc: gc.pauses };
}

export default async function bench(): Promise<void> {
  const rows = [];
  for (const [label, interval] of [
    ["auto-checkpoint on the write path", 0],
    ["checkpoint worker (default)", 1000],
  ] as const) {
    const { out, gc } = await creates(interval);
    const durations = out.map((r) => r.end - r.start);
    const s = summarize(durations);
    const a = attribute(out, s.p99, gc);
    const resets = out.filter((r, i) => i > 0 && out[i - 1]!.wal !== r.wal).length;
    const beforeReset = durations.filter((_, i) => i + 1 < out.length && out[i + 1]!.wal !== out[i]!.wal);
    const atReset = durations.filter((_, i) => i > 0 && out[i - 1]!.wal !== out[i]!.wal);
    rows.push([
      label,
      ms(s.p50),
      ms(s.p99),
      ms(s.p999),
      ms(s.max),
      resets,
      beforeReset.length ? ms(summarize(beforeReset).p50) : "-",
      atReset.length ? ms(summarize(atReset).p50) : "-",
      `${a.withCheckpoint}/${a.slow}`,
      `${(a.baseCheckpoint * 100).toFixed(1)} %`,
      `${a.withGc}/${a.slow}`,
      `${(a.baseGc * 100).toFixed(1)} %`,
    ]);
  }
  table(
    `Store-level agent create, n=${N} per mode: where the tail comes from`,
    [
      "mode",
      "p50",
      "p99",
      "p99.9",
      "max",
      "WAL resets",
      "p50 of the write before a reset",
      "p50 of the resetting write",
      "slow with checkpoint",
      "any: checkpoint",
      "slow with GC",
      "any: GC",
    ],
    rows,
  );
}
