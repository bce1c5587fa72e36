/** Small helpers shared by the benchmarks: timing loops, percentiles and a plain table. */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

export interface Summary {
  n: number;
  p50: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
}

export function summarize(samples: number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  // Nearest rank: the smallest sample with at least q of them at or below it. (Index floor(q * n)
  // was one rank high: p99.9 of 1,000 samples was the maximum.)
  const at = (q: number) =>
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? Number.NaN;
  return {
    n: sorted.length,
    p50: at(0.5),
    p99: at(0.99),
    p999: at(0.999),
    max: sorted.at(-1) ?? Number.NaN,
    mean: sorted.reduce((a, b) => a + b, 0) / sorted.length,
  };
}

/** Runs `fn` `warmup` times untimed, then `n` times timed (ms per call). */
export async function sample(
  n: number,
  fn: (i: number) => Promise<unknown>,
  warmup = Math.min(200, n),
): Promise<Summary> {
  for (let i = 0; i < warmup; i++) await fn(i);
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const start = performance.now();
    await fn(i);
    samples.push(performance.now() - start);
  }
  return summarize(samples);
}

export const ms = (v: number) => `${v.toFixed(v < 10 ? 2 : 1)} ms`;

export function table(title: string, header: string[], rows: (string | number)[][]): void {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? "").length)));
  const line = (r: string[]) => `  ${r.map((c, i) => c.padEnd(widths[i]!)).join("  ")}`;
  console.log(`\n${title}`);
  console.log(line(header));
  console.log(line(widths.map((w) => "-".repeat(w))));
  for (const r of cells.slice(1)) console.log(line(r));
}

export function verdict(value: number, target: number): string {
  return value < target ? `ok (< ${target})` : `MISSED (target < ${target})`;
}

setFlagsFromString("--expose-gc");
/** The collector, reached without restarting the benchmark process with --expose-gc. */
const collect = runInNewContext("gc") as () => void;

/** Memory after full collections: what is still referenced, not garbage waiting for the collector. */
export function settledMemory(): { rssMb: number; heapMb: number } {
  collect();
  collect();
  const usage = process.memoryUsage();
  return { rssMb: usage.rss / 1048576, heapMb: usage.heapUsed / 1048576 };
}
