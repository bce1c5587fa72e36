import { defineTemplate } from "@agentrt/core";
import manifest from "../package.json" with { type: "json" };
import { validateApiKeys } from "./api-key.js";
import { TaskConfigSchema } from "./config-schema.js";

export type { ApiKeyRef, SecretStore } from "@agentrt/core";
export type { Step, StepOf, TaskConfig } from "./config-schema.js";

// The server imports every template at start; the run machinery loads with the first agent instead.
let agentModule: Promise<typeof import("./create-task-agent.js")> | undefined;
const loadAgentModule = () => (agentModule ??= import("./create-task-agent.js"));

/** The `task` template: a list (or DAG) of http, transform, llm, wait and agent steps. */
export default defineTemplate({
  name: "task",
  version: manifest.version,
  coreApi: manifest.agentrt.coreApi,
  description:
    "Ordered multi-step tasks (http, transform, llm, wait, agent) with timeouts, retries and a parallel DAG mode",
  configSchema: TaskConfigSchema,
  validate: (config, ctx) => validateApiKeys(config, ctx),
  create: async (config, ctx) => (await loadAgentModule()).createTaskAgent(config, ctx),
  // A step may have side effects (an http POST), so a crashed run must not be replayed.
  idempotent: false,
});
