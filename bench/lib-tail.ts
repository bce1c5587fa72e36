/**
 * Tail attribution for write-path benches: which slow requests coincided with a SQLite WAL reset
 * (a completed checkpoint) or a GC pause. Works on the in-process server the bench starts.
 */
import { closeSync, openSync, readSync, writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { PerformanceObserver } from "node:perf_hooks";
import { GCProfiler, getHeapStatistics, type HeapSpaceStatistics } from "node:v8";

/** A request as timed by the client: `performance.now()` at start and end. */
export interface Timed {
  start: number;
  end: number;
  /** The WAL header's checkpoint sequence and salt, read after the request. */
  wal: string;
}

/** Checkpoint sequence number and salts (bytes 12-23 of the WAL header): they change on every WAL reset. */
export function walStamp(walFile: string): string {
  let fd: number | undefined;
  try {
    fd = openSync(walFile, "r");
    const header = Buffer.alloc(12);
    readSync(fd, header, 0, 12, 12);
    return header.toString("hex");
  } catch {
    return "none";
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** A GC pause: start and duration (ms on the `performance.now()` clock); kind 1 minor, 4 major, 8 incremental. */
export interface GcPause {
  start: number;
  duration: number;
  kind: number;
}

/** Collects GC pauses while running. */
export function watchGc(): { pauses: GcPause[]; stop(): void } {
  const pauses: GcPause[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      // A `gc` entry's detail names its kind; PerformanceEntry's type does not declare it.
      const kind = (entry as { detail?: { kind?: number } | null }).detail?.kind ?? 0;
      pauses.push({ start: entry.startTime, duration: entry.duration, kind });
    }
  });
  observer.observe({ entryTypes: ["gc"] });
  return { pauses, stop: () => observer.disconnect() };
}

export interface Attribution {
  slow: number;
  /** Slow requests during which (or, for the committing request, just before the reset of which) the WAL was reset. */
  withCheckpoint: number;
  withGc: number;
  /** The same shares over all requests: what coincidence alone would give. */
  baseCheckpoint: number;
  baseGc: number;
}

/**
 * A checkpoint runs in the commit that crosses the auto-checkpoint threshold; the WAL is reset by
 * the next write. So request i "had a checkpoint" when the stamp changed by the end of request i + 1.
 */
export function attribute(
  requests: Timed[],
  threshold: number,
  gc: { start: number; duration: number }[],
): Attribution {
  const checkpointed = requests.map((r, i) => {
    const next = requests[i + 1];
    const previous = requests[i - 1];
    return (previous !== undefined && previous.wal !== r.wal) || (next !== undefined && next.wal !== r.wal);
  });
  const hadGc = requests.map((r) => gc.some((p) => p.start < r.end && p.start + p.duration > r.start));
  const slow = requests.map((r) => r.end - r.start > threshold);
  const count = (flags: boolean[], where: boolean[] = flags.map(() => true)) =>
    flags.filter((f, i) => f && where[i]).length;
  const n = requests.length;
  return {
    slow: count(slow),
    withCheckpoint: count(checkpointed, slow),
    withGc: count(hadGc, slow),
    baseCheckpoint: count(checkpointed) / n,
    baseGc: count(hadGc) / n,
  };
}

/** What the heap did while some requests ran: load-independent, unlike their times. */
export interface HeapUse {
  /** Bytes allocated (young and old generation). */
  allocated: number;
  /** Bytes that survived a scavenge into the old generation: a scavenge's pause grows with them. */
  promoted: number;
  /** The pause of each scavenge, ms. */
  scavengeMs: number[];
}

const oldSpace = (side: { heapSpaceStatistics: HeapSpaceStatistics[] }) =>
  side.heapSpaceStatistics.find((s) => s.spaceName === "old_space")?.spaceUsedSize ?? 0;

/**
 * Starts counting this process's heap use; the returned function stops and reports it. Allocation
 * is what the heap grew by between collections, from V8's own statistics before and after each.
 */
export function measureHeap(): () => HeapUse {
  const profiler = new GCProfiler();
  let previous = getHeapStatistics().used_heap_size;
  profiler.start();
  return () => {
    const { statistics } = profiler.stop()!;
    const use: HeapUse = { allocated: 0, promoted: 0, scavengeMs: [] };
    for (const gc of statistics) {
      use.allocated += gc.beforeGC.heapStatistics.usedHeapSize - previous;
      previous = gc.afterGC.heapStatistics.usedHeapSize;
      if (gc.gcType === "Scavenge") {
        use.scavengeMs.push(gc.cost / 1000);
        use.promoted += oldSpace(gc.afterGC) - oldSpace(gc.beforeGC);
      }
    }
    use.allocated += getHeapStatistics().used_heap_size - previous;
    return use;
  };
}

/**
 * Starts V8's sampling heap profiler, keeping objects the GC already freed, so the profile shows
 * where every allocated byte came from; the returned function stops it and writes a
 * `.heapprofile` (open it in Chrome DevTools, Memory tab). Sampling slows the process: for
 * evidence, not for timing.
 */
export async function startHeapSampling(): Promise<(file: string) => Promise<void>> {
  const session = new Session();
  session.connect();
  await session.post("HeapProfiler.startSampling", {
    samplingInterval: 1024,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });
  return async (file) => {
    const { profile } = await session.post("HeapProfiler.stopSampling");
    writeFileSync(file, JSON.stringify(profile));
    session.disconnect();
  };
}
