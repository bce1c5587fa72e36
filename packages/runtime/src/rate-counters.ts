import { type RateLimiterAbstract, RateLimiterMemory, RateLimiterRes } from "rate-limiter-flexible";

/** One counter's verdict on taking a point. */
export interface RateDecision {
  allowed: boolean;
  /** Points per window. */
  limit: number;
  /** Points left in the current window. */
  remaining: number;
  /** Milliseconds until the current window ends and the points are back. */
  resetMs: number;
}

/** Points per key per window: requests of an API key, runs of an agent. */
export interface RateCounter {
  take(key: string): Promise<RateDecision>;
  /** Gives a point back: what it was taken for did not happen. */
  giveBack(key: string): Promise<void>;
}

export interface RateCounterSpec {
  /** Keeps counters of different purposes apart (`key:invoke`, `agent:runs`). */
  name: string;
  points: number;
  windowSeconds: number;
}

/** Makes counters; the same spec gives the same counter. */
export type RateCounters = (spec: RateCounterSpec) => RateCounter;

/** How a backend builds one `rate-limiter-flexible` limiter (memory, PostgreSQL, Redis …). */
export type LimiterFactory = (options: {
  keyPrefix: string;
  points: number;
  duration: number;
}) => RateLimiterAbstract;

function toCounter(limiter: RateLimiterAbstract, points: number): RateCounter {
  const decision = (res: RateLimiterRes, allowed: boolean): RateDecision => ({
    allowed,
    limit: points,
    remaining: Math.max(0, res.remainingPoints),
    resetMs: Math.max(0, res.msBeforeNext),
  });
  return {
    async take(key) {
      try {
        return decision(await limiter.consume(key), true);
      } catch (refusal) {
        // The library rejects with its result when no point is left, and with an Error when the backend failed.
        if (refusal instanceof RateLimiterRes) return decision(refusal, false);
        throw refusal;
      }
    },
    async giveBack(key) {
      await limiter.reward(key, 1);
    },
  };
}

/**
 * Counters on a `rate-limiter-flexible` backend. Kept library rather than our own counting: the
 * same code runs on its PostgreSQL or Redis limiters, so several nodes can share the counts.
 */
export function createRateCounters(factory: LimiterFactory): RateCounters {
  const counters = new Map<string, RateCounter>();
  return (spec) => {
    const id = `${spec.name}|${spec.points}|${spec.windowSeconds}`;
    let counter = counters.get(id);
    if (!counter) {
      const keyPrefix = `agentrt:${spec.name}:${spec.points}:${spec.windowSeconds}`;
      counter = toCounter(
        factory({ keyPrefix, points: spec.points, duration: spec.windowSeconds }),
        spec.points,
      );
      counters.set(id, counter);
    }
    return counter;
  };
}

/** Counters in this process's memory: exact for one node. */
export function createMemoryRateCounters(): RateCounters {
  return createRateCounters((options) => new RateLimiterMemory(options));
}
