import type { RunEnding, RunInfo, RunObserver } from "@agentrt/runtime";

/** Duration buckets: ×1.5 from 1 ms to about an hour; a quantile is read to within one bucket. */
const BOUNDS_MS = Array.from({ length: 38 }, (_, i) => 1.5 ** i);
const MINUTE_MS = 60_000;
const WINDOW_MINUTES = 60;

/** Runs of one minute for one key (a template version or an agent). */
interface Slot {
  minute: number;
  runs: number;
  errors: number;
  counts: Uint32Array;
}

export interface UsageStats {
  /** Runs that ended in the window. */
  runs: number;
  /** Runs that failed, timed out or were interrupted. */
  errors: number;
  errorRate: number;
  /** Duration quantiles (ms) of those runs; null without runs. */
  p50Ms: number | null;
  p95Ms: number | null;
}

/** Ended badly: what an operator counts as an error (a cancellation is the caller's choice). */
const isError = (ending: RunEnding) =>
  ending === "failed" || ending === "timed_out" || ending === "interrupted";

function bucketOf(ms: number): number {
  const i = BOUNDS_MS.findIndex((bound) => ms <= bound);
  return i === -1 ? BOUNDS_MS.length : i;
}

/** The upper bound of the bucket holding the q-quantile: an estimate no lower than the truth. */
function quantile(counts: Uint32Array, total: number, q: number): number | null {
  if (total === 0) return null;
  const rank = Math.ceil(q * total);
  let seen = 0;
  for (let i = 0; i < counts.length; i++) {
    seen += counts[i]!;
    if (seen >= rank) return Math.round(BOUNDS_MS[i] ?? BOUNDS_MS.at(-1)! * 1.5);
  }
  return null;
}

/**
 * Health and usage of the last hour per template version and per agent, from the runs this
 * process executed: counts per minute, durations in fixed buckets, so memory stays bounded by
 * keys × minutes whatever the run rate. Per node: a restart starts an empty window.
 */
export function createRunStats(now: () => number = Date.now) {
  const slots = new Map<string, Slot[]>();
  let sweptMinute = 0;

  /** Once a minute: forget slots out of the window, and keys (agents) without any left. */
  function sweep(minute: number): void {
    if (minute === sweptMinute) return;
    sweptMinute = minute;
    for (const [key, list] of slots) {
      while (list.length > 0 && list[0]!.minute <= minute - WINDOW_MINUTES) list.shift();
      if (list.length === 0) slots.delete(key);
    }
  }

  function record(key: string, ending: RunEnding, durationMs: number): void {
    const minute = Math.floor(now() / MINUTE_MS);
    sweep(minute);
    const list = slots.get(key) ?? [];
    slots.set(key, list);
    let slot = list.at(-1);
    if (slot?.minute !== minute) {
      slot = { minute, runs: 0, errors: 0, counts: new Uint32Array(BOUNDS_MS.length + 1) };
      list.push(slot);
    }
    slot.runs++;
    if (isError(ending)) slot.errors++;
    slot.counts[bucketOf(durationMs)]!++;
  }

  function read(key: string): UsageStats {
    const oldest = Math.floor(now() / MINUTE_MS) - WINDOW_MINUTES;
    const counts = new Uint32Array(BOUNDS_MS.length + 1);
    let runs = 0;
    let errors = 0;
    for (const slot of slots.get(key) ?? []) {
      if (slot.minute <= oldest) continue;
      runs += slot.runs;
      errors += slot.errors;
      for (let i = 0; i < counts.length; i++) counts[i]! += slot.counts[i]!;
    }
    return {
      runs,
      errors,
      errorRate: runs === 0 ? 0 : errors / runs,
      p50Ms: quantile(counts, runs, 0.5),
      p95Ms: quantile(counts, runs, 0.95),
    };
  }

  const templateKey = (name: string, version: string) => `t\0${name}\0${version}`;
  const agentKey = (agentId: string) => `a\0${agentId}`;

  const observer: RunObserver = {
    runFinished(run: RunInfo, ending, durationMs) {
      record(templateKey(run.template, run.templateVersion), ending, durationMs);
      record(agentKey(run.agentId), ending, durationMs);
    },
  };

  return {
    observer,
    template: (name: string, version: string) => read(templateKey(name, version)),
    agent: (agentId: string) => read(agentKey(agentId)),
  };
}
export type RunStats = ReturnType<typeof createRunStats>;
