import type { AgentDirectory, AgentInstance, SecretStore } from "@agentrt/core";
import { createTestTemplateContext, validateConfig } from "@agentrt/testing";
import type { TaskConfig } from "../src/config-schema.js";
import template from "../src/index.js";

/**
 * Validates a config the way the server does, then creates the agent from the normalised result.
 * `settings` are the operator's (`allowInternal` for servers on 127.0.0.1); default: none.
 */
export async function createAgent(
  config: unknown,
  env: Record<string, string | undefined> = {},
  services: { secrets?: SecretStore; agents?: AgentDirectory } = {},
  settings: Record<string, unknown> = {},
): Promise<AgentInstance> {
  const ctx = createTestTemplateContext({ env, services, settings });
  const normalised = await validateConfig(template, config, ctx);
  return template.create(normalised as TaskConfig, {
    ...ctx,
    services: { secrets: services.secrets, agents: services.agents },
  });
}
