import type { Logger } from "@agentrt/core";
import { createAgentAdmission } from "./app/agent-limits.js";
import { type AgentUseCases, createAgentUseCases } from "./app/agents.js";
import { type ChatUseCases, createChatUseCases } from "./app/chat.js";
import type { TemplateContexts } from "./app/contexts.js";
import { createRunUseCases, type RunUseCases } from "./app/runs.js";
import { createThreadLease } from "./app/thread-lease.js";
import { createThreadUseCases, type ThreadUseCases } from "./app/threads.js";
import { createRunEngine, type RunEngine, type RunEngineOptions } from "./engine/run-engine.js";
import { createScheduler, type Scheduler } from "./engine/scheduler.js";
import { createMemoryRateCounters, type RateCounters } from "./rate-counters.js";
import type { TemplateRegistry } from "./registry.js";
import type { Store } from "./store.js";

export interface RuntimeOptions extends Omit<RunEngineOptions, "store" | "registry" | "context" | "logger"> {
  store: Store;
  registry: TemplateRegistry;
  contexts: TemplateContexts;
  logger: Logger;
  /** Counters for agents' runs-per-minute limits; default: in this process's memory. */
  rateCounters?: RateCounters;
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
  readonly chat: ChatUseCases;
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
  const withThreadLease = createThreadLease(store);
  const admission = createAgentAdmission({
    store,
    counters: options.rateCounters ?? createMemoryRateCounters(),
  });
  const runs = createRunUseCases({ store, engine, admission, withThreadLease });
  return {
    store,
    registry,
    contexts,
    engine,
    scheduler,
    agents: createAgentUseCases({ store, registry, engine, contexts }),
    runs,
    threads: createThreadUseCases({ store, registry, contexts, runs, withThreadLease }),
    chat: createChatUseCases({ store, registry }),
    errorStatus: (code) => registry.errorStatus(code),
    async start() {
      await engine.start();
      await scheduler.start();
    },
    async stop() {
      await scheduler.stop();
      await engine.close();
    },
  };
}
