import { randomUUID } from "node:crypto";
import type { RunContext, TemplateContext } from "@agentrt/core";
import { createNoopLogger } from "./logger.js";

export interface TestRunContext extends RunContext {
  /** Aborts `signal` (unless `overrides.signal` replaced it): cancel the run from the test. */
  controller: AbortController;
}

/**
 * A run context like the engine's: fresh ids, a noop logger, a signal driven by `controller`, and an
 * `invokeAgent` that throws, so a template that calls other agents fails loudly unless the test
 * provides one.
 */
export function createTestRunContext(overrides: Partial<RunContext> = {}): TestRunContext {
  const controller = new AbortController();
  return {
    runId: `run_${randomUUID()}`,
    agentId: `agt_${randomUUID()}`,
    agentName: "test-agent",
    threadId: undefined,
    signal: controller.signal,
    logger: createNoopLogger(),
    invokeAgent: (agent) =>
      Promise.reject(new Error(`invokeAgent(${JSON.stringify(agent)}) is not available in this test`)),
    ...overrides,
    controller,
  };
}

/** A template context with an empty env, settings and services, and a noop logger. */
export function createTestTemplateContext(overrides: Partial<TemplateContext> = {}): TemplateContext {
  return { env: {}, logger: createNoopLogger(), settings: {}, services: {}, ...overrides };
}
