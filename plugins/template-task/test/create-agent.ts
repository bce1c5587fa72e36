import { type AgentInstance, type TemplateContext, validateAgentConfig } from "@agentrt/core";
import { createTestTemplateContext } from "@agentrt/testing";
import type { TaskConfig } from "../src/config-schema.js";
import template from "../src/index.js";

/** Validates a config the way the server does, then creates the agent from the normalised result. */
export async function createAgent(
  config: unknown,
  env: Record<string, string | undefined> = {},
  services: TemplateContext["services"] = {},
): Promise<AgentInstance> {
  const ctx = createTestTemplateContext({ env, services });
  const normalised = await validateAgentConfig(template, config, { ...ctx, phase: "create" });
  return template.create(normalised as TaskConfig, ctx);
}
