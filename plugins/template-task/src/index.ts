import { defineTemplate } from "@agentrt/core";
import manifest from "../package.json" with { type: "json" };
import { TaskConfigSchema } from "./config-schema.js";
import { createTaskAgent } from "./create-task-agent.js";
import { validateTaskEnv } from "./validate-env.js";

export type { Step, StepOf, TaskConfig } from "./config-schema.js";

/** The `task` template: a list (or DAG) of http, transform, llm, wait and agent steps. */
export default defineTemplate({
  name: "task",
  version: manifest.version,
  coreApi: manifest.agentrt.coreApi,
  description:
    "Ordered multi-step tasks (http, transform, llm, wait, agent) with timeouts, retries and a parallel DAG mode",
  configSchema: TaskConfigSchema,
  validate: (config, ctx) => validateTaskEnv(config, ctx.env),
  create: (config, ctx) => createTaskAgent(config, ctx),
  // A step may have side effects (an http POST), so a crashed run must not be replayed.
  idempotent: false,
});
