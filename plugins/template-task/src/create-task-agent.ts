import {
  type AgentInstance,
  AgentrtError,
  ErrorCode,
  type KeySource,
  type TemplateContext,
} from "@agentrt/core";
import { createEgressPolicy, type EgressFetch } from "@agentrt/egress";
import type { TaskConfig } from "./config-schema.js";
import { runTask, type TaskPlan } from "./run-task.js";
import { parseTaskSettings } from "./settings.js";
import { analyzeSteps } from "./step-graph.js";

/** Turns a validated config into a plan once; every run reuses it. */
export function createTaskPlan(config: TaskConfig, keySource: KeySource, fetch: EgressFetch): TaskPlan {
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
    fetch,
  };
}

/**
 * `ctx` is the template context: its env and declared `secrets` service are where keys are found,
 * its settings say which internal destinations http and llm steps may reach.
 */
export function createTaskAgent(
  config: TaskConfig,
  ctx: KeySource & Pick<TemplateContext, "settings">,
): AgentInstance {
  const egress = createEgressPolicy({ allow: parseTaskSettings(ctx.settings).allowInternal });
  const plan = createTaskPlan(config, ctx, egress.fetch);
  return { run: (input, runCtx) => runTask(plan, input, runCtx), dispose: () => egress.close() };
}
