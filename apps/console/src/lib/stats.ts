import type { Run } from "@agentrt/client";

export interface RunStats {
  runs: number;
  finished: number;
  errorRate: number | null;
  p50: number | null;
  p95: number | null;
}

const FAILED = new Set(["failed", "timed_out"]);
const FINISHED = new Set(["succeeded", "failed", "cancelled", "timed_out"]);

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? null;
}

/** Error rate and run latency (start to finish) of a set of runs. */
export function runStats(runs: Run[]): RunStats {
  const finished = runs.filter((r) => FINISHED.has(r.status));
  const latencies = finished
    .filter((r) => r.startedAt && r.finishedAt)
    .map((r) => Date.parse(r.finishedAt!) - Date.parse(r.startedAt!))
    .sort((a, b) => a - b);
  return {
    runs: runs.length,
    finished: finished.length,
    errorRate: finished.length ? finished.filter((r) => FAILED.has(r.status)).length / finished.length : null,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
  };
}

/** Runs created per minute over the last `minutes`, oldest first: [minute start (s), count]. */
export function runsPerMinute(runs: Run[], now: number, minutes: number): [number[], number[]] {
  const end = Math.floor(now / 60_000) * 60_000;
  const starts = Array.from({ length: minutes }, (_, i) => end - (minutes - 1 - i) * 60_000);
  const counts = starts.map(() => 0);
  for (const r of runs) {
    const i = Math.floor((Date.parse(r.createdAt) - starts[0]!) / 60_000);
    if (i >= 0 && i < minutes) counts[i]! += 1;
  }
  return [starts.map((s) => s / 1000), counts];
}

/** Runs grouped by a key (agent, template). */
export function groupBy(runs: Run[], key: (r: Run) => string): Map<string, Run[]> {
  const groups = new Map<string, Run[]>();
  for (const r of runs) {
    const k = key(r);
    groups.set(k, [...(groups.get(k) ?? []), r]);
  }
  return groups;
}
