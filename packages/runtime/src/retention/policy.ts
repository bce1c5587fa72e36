import { z } from "zod";

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const DURATION = /^(\d{1,9})(ms|s|m|h|d)$/;

/** Milliseconds of a duration such as `90s`, `12h` or `30d`; `undefined` when it isn't one. */
export function parseDuration(text: string): number | undefined {
  const match = DURATION.exec(text);
  if (!match) return undefined;
  return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
}

export const DurationSchema = z
  .string()
  .refine((text) => (parseDuration(text) ?? 0) > 0, "a positive duration such as 90s, 45m, 12h or 30d");

/**
 * An agent's retention settings where they differ from the server's: a field left out follows the
 * server, `null` turns that rule off for the agent.
 */
export const RetentionOverrideSchema = z.strictObject({
  /** Finished runs (with their events) older than this are removed. */
  runMaxAge: DurationSchema.nullable().optional(),
  /** Only the newest this many runs of the agent are kept (finished ones beyond are removed). */
  runMaxCount: z.number().int().min(1).nullable().optional(),
  /** Token deltas of runs finished this long ago are dropped; the run, its output and error stay. */
  compactEventsAfter: DurationSchema.nullable().optional(),
  /** Threads (and their checkpoints) not used for this long are deleted. */
  threadIdleTimeout: DurationSchema.nullable().optional(),
  /** Only the newest this many runs of each of the agent's schedules are kept. */
  scheduleRunMaxCount: z.number().int().min(1).nullable().optional(),
  /**
   * Keep stateless chat completions as runs, as if every request said `store: true` (default: not
   * kept, OpenAI's convention). Completions on a thread are always kept.
   */
  storeCompletions: z.boolean().optional(),
});
export type RetentionOverride = z.infer<typeof RetentionOverrideSchema>;

/** The rules in force, in milliseconds and counts; `null` means the rule is off. */
export interface RetentionPolicy {
  runMaxAgeMs: number | null;
  runMaxCount: number | null;
  compactEventsAfterMs: number | null;
  threadIdleMs: number | null;
  scheduleRunMaxCount: number | null;
}

export const NO_RETENTION: RetentionPolicy = {
  runMaxAgeMs: null,
  runMaxCount: null,
  compactEventsAfterMs: null,
  threadIdleMs: null,
  scheduleRunMaxCount: null,
};

function durationOr(value: string | null | undefined, fallback: number | null): number | null {
  if (value === undefined) return fallback;
  return value === null ? null : (parseDuration(value) ?? null);
}

/** The server's policy with an agent's override applied. */
export function effectivePolicy(
  server: RetentionPolicy,
  override: RetentionOverride | null,
): RetentionPolicy {
  if (!override) return server;
  return {
    runMaxAgeMs: durationOr(override.runMaxAge, server.runMaxAgeMs),
    runMaxCount: override.runMaxCount === undefined ? server.runMaxCount : override.runMaxCount,
    compactEventsAfterMs: durationOr(override.compactEventsAfter, server.compactEventsAfterMs),
    threadIdleMs: durationOr(override.threadIdleTimeout, server.threadIdleMs),
    scheduleRunMaxCount:
      override.scheduleRunMaxCount === undefined ? server.scheduleRunMaxCount : override.scheduleRunMaxCount,
  };
}

/** Token deltas: the bulk of a streamed run's events, and redundant once the run has its output. */
export const COMPACTED_EVENT_TYPES = ["output.delta"] as const;
