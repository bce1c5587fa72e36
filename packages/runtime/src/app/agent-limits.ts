import { AgentrtError, ErrorCode } from "@agentrt/core";
import type { UnstoredRun } from "../engine/run-engine.js";
import type { RateCounters } from "../rate-counters.js";
import { type AgentLimits, type AgentRecord, NO_AGENT_LIMITS, type Store } from "../store.js";

/** Limits as a request sets them: the fields given replace the agent's, the others stay. */
export type AgentLimitsChange = { [K in keyof AgentLimits]?: AgentLimits[K] | undefined };

export function applyLimits(current: AgentLimits, change: AgentLimitsChange): AgentLimits {
  const next = { ...NO_AGENT_LIMITS, ...current };
  for (const key of Object.keys(NO_AGENT_LIMITS) as (keyof AgentLimits)[]) {
    const value = change[key];
    if (value !== undefined) next[key] = value;
  }
  return next;
}

const hasLimits = (limits: AgentLimits) =>
  limits.maxConcurrentRuns !== null || limits.maxRunsPerMinute !== null || limits.maxTokensPerDay !== null;

function refused(agent: AgentRecord, what: string, retryAfterMs: number, details: Record<string, unknown>) {
  return new AgentrtError(ErrorCode.RATE_LIMITED, `agent "${agent.name}" ${what}; try again later`, {
    details: {
      agentId: agent.id,
      ...details,
      retryAfterSeconds: Math.max(1, Math.ceil(retryAfterMs / 1000)),
    },
  });
}

/** How long a refused concurrent run is asked to wait: runs end at no predictable time. */
const CONCURRENCY_RETRY_MS = 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

export interface AgentAdmission {
  /**
   * Submits through `submit` unless that would break one of the agent's limits (RATE_LIMITED with
   * `details.retryAfterSeconds`). Submissions of one agent with limits are admitted one at a time,
   * across all nodes on a shared store, so N parallel submissions against a limit of L let exactly
   * L through.
   */
  admit<T extends { created: boolean }>(agent: AgentRecord, submit: () => Promise<T>): Promise<T>;
  /**
   * The same for a run that is not stored: this process counts it as in flight until it is over
   * (the store holds no run); its tokens count from the store once its usage record is written,
   * and from `unrecordedTokens` until then.
   */
  admitUnstored(agent: AgentRecord, start: () => UnstoredRun): Promise<UnstoredRun>;
}

const dayStartOf = (now: number) => now - (now % DAY_MS);

export function createAgentAdmission(deps: {
  store: Store;
  counters: RateCounters;
  /** Tokens of ended unstored runs not in the store yet (`RunEngine.unrecordedTokens`). */
  unrecordedTokens?: (agentId: string, since: string) => number;
}): AgentAdmission {
  const { store, counters, unrecordedTokens = () => 0 } = deps;
  /** Per agent, the end of the admission queue. */
  const tails = new Map<string, Promise<unknown>>();
  /** Per agent, its unstored runs in flight in this process (agents with none are left out). */
  const unstored = new Map<string, number>();

  /** Counts an unstored run while it runs. */
  function track(agentId: string, run: UnstoredRun): UnstoredRun {
    unstored.set(agentId, (unstored.get(agentId) ?? 0) + 1);
    void run.done.then(() => {
      const left = (unstored.get(agentId) ?? 1) - 1;
      if (left === 0) unstored.delete(agentId);
      else unstored.set(agentId, left);
    });
    return run;
  }

  async function inFlight(agentId: string, atLeast: number): Promise<number> {
    let count = unstored.get(agentId) ?? 0;
    if (count >= atLeast) return count;
    // Queued first: a run that starts between the two reads is counted as queued, never missed.
    for (const status of ["queued", "running"] as const) {
      let cursor: string | undefined;
      do {
        const page = await store.runs.list({ agentId, status, limit: 100, cursor });
        count += page.items.length;
        cursor = page.nextCursor ?? undefined;
      } while (cursor && count < atLeast);
      if (count >= atLeast) break;
    }
    return count;
  }

  async function check<T>(agent: AgentRecord, submit: () => Promise<T>, isNew: (result: T) => boolean) {
    const { maxConcurrentRuns, maxRunsPerMinute, maxTokensPerDay } = agent.limits;
    if (maxConcurrentRuns !== null && (await inFlight(agent.id, maxConcurrentRuns)) >= maxConcurrentRuns) {
      throw refused(agent, `has ${maxConcurrentRuns} runs in flight, its limit`, CONCURRENCY_RETRY_MS, {
        limit: "maxConcurrentRuns",
        value: maxConcurrentRuns,
      });
    }
    if (maxTokensPerDay !== null) {
      const now = Date.now();
      const dayStartMs = dayStartOf(now);
      const dayStart = new Date(dayStartMs).toISOString();
      // Unrecorded first: a batch written meanwhile then counts twice, never not at all.
      const unrecorded = unrecordedTokens(agent.id, dayStart);
      const used = unrecorded + (await store.runs.tokensUsed(agent.id, dayStart));
      if (used >= maxTokensPerDay) {
        throw refused(
          agent,
          `used ${used} of its ${maxTokensPerDay} tokens today`,
          dayStartMs + DAY_MS - now,
          {
            limit: "maxTokensPerDay",
            value: maxTokensPerDay,
            used,
          },
        );
      }
    }
    const perMinute =
      maxRunsPerMinute === null
        ? undefined
        : counters({ name: "agent-runs", points: maxRunsPerMinute, windowSeconds: 60 });
    if (perMinute) {
      const decision = await perMinute.take(agent.id);
      if (!decision.allowed) {
        throw refused(agent, `accepts ${maxRunsPerMinute} runs per minute`, decision.resetMs, {
          limit: "maxRunsPerMinute",
          value: maxRunsPerMinute,
        });
      }
    }
    try {
      const result = await submit();
      // An idempotent repeat returns the earlier run: no new run, no point spent.
      if (!isNew(result)) await perMinute?.giveBack(agent.id);
      return result;
    } catch (error) {
      await perMinute?.giveBack(agent.id);
      throw error;
    }
  }

  function admit<T>(agent: AgentRecord, submit: () => Promise<T>, isNew: (result: T) => boolean) {
    if (!hasLimits(agent.limits)) return submit();
    const previous = tails.get(agent.id) ?? Promise.resolve();
    // Nodes sharing a store also take turns per agent, so the in-flight count they check is the
    // cluster's; within a node the queue above already orders them, one lock wait at a time.
    const result = previous.then(() =>
      store.exclusive
        ? store.exclusive(`agent-admission ${agent.id}`, () => check(agent, submit, isNew))
        : check(agent, submit, isNew),
    );
    const tail = result.catch(() => {});
    tails.set(agent.id, tail);
    void tail.then(() => {
      if (tails.get(agent.id) === tail) tails.delete(agent.id);
    });
    return result;
  }

  return {
    admit: (agent, submit) => admit(agent, submit, (result) => result.created),
    admitUnstored: (agent, start) =>
      admit(
        agent,
        async () => track(agent.id, start()),
        () => true,
      ),
  };
}
