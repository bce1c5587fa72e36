import { coreServices, defineTemplate, optionalService } from "@agentrt/core";
import { TaskConfigSchema } from "./config-schema.js";
import { TASK_ERRORS, TEMPLATE_NAME } from "./errors.js";

export type { ApiKeyRef, SecretStore } from "@agentrt/core";
export type { TaskConfig } from "./config-schema.js";
export type { TaskErrorCode } from "./errors.js";
export type { TaskSettings } from "./settings.js";
export type { Step, StepOf } from "./step-schema.js";

// The server imports every template at start; the run machinery loads with the first agent instead.
let agentModule: Promise<typeof import("./create-task-agent.js")> | undefined;
let validateModule: Promise<typeof import("./validate-config.js")> | undefined;
const loadAgentModule = () => (agentModule ??= import("./create-task-agent.js"));
const loadValidateModule = () => (validateModule ??= import("./validate-config.js"));

/**
 * The `task` template: a list (or DAG) of http, transform, llm, wait and agent steps. Its version and
 * the core API range it needs are read by the host from package.json.
 */
export default defineTemplate({
  name: TEMPLATE_NAME,
  description:
    "Ordered multi-step tasks (http, transform, llm, wait, agent) with timeouts, retries and a parallel DAG mode",
  configSchema: TaskConfigSchema,
  errors: TASK_ERRORS,
  // `llm` steps read `{ "secret": … }` keys from the host's secret store, when it has one; `agent`
  // steps' agents are checked to exist at create time on hosts that list their agents.
  services: {
    secrets: optionalService(coreServices.secrets),
    agents: optionalService(coreServices.agents),
  },
  validate: async (config, ctx) => (await loadValidateModule()).validateTaskConfig(config, ctx),
  create: async (config, ctx) => (await loadAgentModule()).createTaskAgent(config, ctx),
  // A step may have side effects (an http POST), so a crashed run must not be replayed.
  idempotent: false,
});
