import type { Logger } from "@agentrt/core";
import { type AgentCache, createAgentCache } from "./app/agent-cache.js";
import { createAgentAdmission } from "./app/agent-limits.js";
import { type AgentUseCases, createAgentUseCases } from "./app/agents.js";
import { type ChatUseCases, createChatUseCases } from "./app/chat.js";
import type { TemplateContexts } from "./app/contexts.js";
import { createRunUseCases, type RunUseCases } from "./app/runs.js";
import { createScheduleUseCases, type ScheduleUseCases } from "./app/schedules.js";
import { createThreadLease } from "./app/thread-lease.js";
import { createThreadUseCases, type ThreadUseCases } from "./app/threads.js";
import { createUsageUseCases, type UsageUseCases } from "./app/usage.js";
import { createInvalidations, type Invalidations } from "./engine/invalidations.js";
import { createRunEngine, type RunEngine, type RunEngineOptions } from "./engine/run-engine.js";
import { createScheduler, type Scheduler } from "./engine/scheduler.js";
import { createMemoryRateCounters, type RateCounters } from "./rate-counters.js";
import type { TemplateRegistry } from "./registry.js";
import { NO_RETENTION } from "./retention/policy.js";
import { createRetentionPruner, type RetentionOptions, type RetentionPruner } from "./retention/pruner.js";
import type { Store } from "./store.js";

export interface RuntimeOptions extends Omit<RunEngineOptions, "store" | "registry" | "context" | "logger"> {
  store: Store;
  registry: TemplateRegistry;
  contexts: TemplateContexts;
  logger: Logger;
  /** The retention policy; without it nothing is pruned and `start` runs no pruner. */
  retention?: RetentionOptions | undefined;
  /** Counters for agents' runs-per-minute limits; default: the store's shared ones, else in this process's memory. */
  rateCounters?: RateCounters;
  /**
   * On a store several nodes share: how long caches serve an entry before reading it again, the
   * bound on staleness when a change notification is lost (default `CACHE_MAX_AGE_MS`, 5 s).
   */
  cacheMaxAgeMs?: number | undefined;
}

/** agentrt without HTTP: the store, templates, engine and scheduler, and the use cases over them. */
export interface Runtime {
  readonly store: Store;
  readonly registry: TemplateRegistry;
  readonly contexts: TemplateContexts;
  readonly engine: RunEngine;
  readonly scheduler: Scheduler;
  readonly agents: AgentUseCases;
  readonly runs: RunUseCases;
  readonly threads: ThreadUseCases;
  readonly schedules: ScheduleUseCases;
  readonly chat: ChatUseCases;
  /**
   * Cache invalidation across nodes: writers publish `{ kind, id }` after the write committed;
   * caches subscribe once (`invalidations.subscribe("agent", ({ id }) => cache.delete(id))`) and
   * re-read entries older than `invalidations.maxAgeMs`.
   */
  readonly invalidations: Invalidations;
  /** Agents as last read, for the requests that name them; `invalidations` keeps it current. */
  readonly agentCache: AgentCache;
  /** Health and usage of the last hour per template version and per agent, from the store. */
  readonly usage: UsageUseCases;
  /** Background pruning by the retention policy, and its numbers (`retention.stats()`). */
  readonly retention: RetentionPruner;
  /** The HTTP status a template declared for one of its namespaced codes (`task.STEP_FAILED`). */
  errorStatus(code: string): number | undefined;
  /** Crash recovery and re-queueing, then the scheduler. */
  start(): Promise<void>;
  /** Stops the scheduler and the engine (running runs are interrupted); the store stays open. */
  stop(): Promise<void>;
}

export function createRuntime(options: RuntimeOptions): Runtime {
  const { store, registry, contexts, logger } = options;
  const engine = createRunEngine({ ...options, context: contexts.forTemplate });
  const scheduler = createScheduler({ store, engine, logger });
  const invalidations = createInvalidations({ bus: store.bus, logger, maxAgeMs: options.cacheMaxAgeMs });
  // A new revision builds new instances on every node; runs in progress finish on theirs.
  invalidations.subscribe("agent", ({ id, revision }) => {
    void engine.invalidateAgent(id, revision);
  });
  // A schedule changed here or elsewhere: its next tick may be sooner than this node knows.
  invalidations.subscribe("schedule", () => scheduler.wake());
  const withThreadLease = createThreadLease(store);
  const admission = createAgentAdmission({
    store,
    counters: options.rateCounters ?? store.rateCounters ?? createMemoryRateCounters(),
    unrecordedTokens: engine.unrecordedTokens,
  });
  const runs = createRunUseCases({ store, engine, admission, withThreadLease });
  const retention = createRetentionPruner(
    store,
    options.retention ?? {
      policy: NO_RETENTION,
      intervalMs: 60_000,
      batchSize: 200,
      pauseMs: 10,
      tombstoneTtlMs: 30 * 86_400_000,
      reclaimBytesPerPass: 0,
    },
    logger,
  );
  const agentCache = createAgentCache(store, { maxAgeMs: invalidations.maxAgeMs });
  invalidations.subscribe("agent", ({ id }) => agentCache.invalidateAgent(id));
  const agents = createAgentUseCases({ store, registry, invalidations, contexts, cache: agentCache });
  return {
    store,
    registry,
    contexts,
    engine,
    scheduler,
    agents,
    runs,
    threads: createThreadUseCases({ store, registry, contexts, runs, withThreadLease }),
    schedules: createScheduleUseCases({ store, registry, agents, engine, invalidations }),
    chat: createChatUseCases({ store, registry, runs, agentCache, engine }),
    usage: createUsageUseCases({ store, registry, agents }),
    invalidations,
    agentCache,
    retention,
    errorStatus: (code) => registry.errorStatus(code),
    async start() {
      await engine.start();
      await scheduler.start();
      if (options.retention) retention.start();
    },
    async stop() {
      await retention.stop();
      await scheduler.stop();
      invalidations.close();
      await engine.close();
    },
  };
}
