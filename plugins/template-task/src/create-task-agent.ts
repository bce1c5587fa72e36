import { type AgentInstance, AgentrtError, ErrorCode, type KeySource } from "@agentrt/core";
import type { TaskConfig } from "./config-schema.js";
import { runTask, type TaskPlan } from "./run-task.js";
import { analyzeSteps } from "./step-graph.js";

/** Turns a validated config into a plan once; every run reuses it. */
export function createTaskPlan(config: TaskConfig, keySource: KeySource): TaskPlan {
  // The schema already rejects bad graphs; this guards hosts that hand create() an unchecked config.
  const graph = analyzeSteps(config.steps);
  if (graph.issues.length > 0) {
    throw new AgentrtError(ErrorCode.CONFIG_INVALID, graph.issues[0]!.message, { issues: graph.issues });
  }
  return {
    steps: config.steps,
    dependencies: graph.dependencies,
    stepTimeoutMs: config.stepTimeout * 1000,
    retryCount: config.retryCount,
    retryBackoffMs: config.retryBackoffMs,
    parallel: config.parallelExecution,
    strict: config.strictMode,
    outputFormat: config.outputFormat,
    maxResponseBytes: config.maxResponseBytes,
    keySource,
  };
}

/** `ctx` is the template context: its env and declared `secrets` service are where keys are found. */
export function createTaskAgent(config: TaskConfig, ctx: KeySource): AgentInstance {
  const plan = createTaskPlan(config, ctx);
  return { run: (input, runCtx) => runTask(plan, input, runCtx) };
}
