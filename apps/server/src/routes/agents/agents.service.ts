import {
  type AgentRecord,
  AgentrtError,
  createId,
  ErrorCode,
  migrateConfig,
  parseTemplateRef,
  validateAgentConfig,
} from "@agentrt/core";
import type { AppServices } from "../../lib/services.js";

export function toAgentResponse(agent: AgentRecord) {
  return {
    id: agent.id,
    name: agent.name,
    description: agent.description,
    template: { name: agent.templateName, version: agent.templateVersion, range: agent.templateRange },
    config: agent.config,
    revision: agent.revision,
    status: agent.status,
    createdAt: agent.createdAt,
    updatedAt: agent.updatedAt,
  };
}

export async function getAgentOrThrow(services: AppServices, idOrName: string): Promise<AgentRecord> {
  const agent = await services.store.agents.get(idOrName);
  if (!agent) throw new AgentrtError(ErrorCode.AGENT_NOT_FOUND, `no agent with id or name "${idOrName}"`);
  return agent;
}

/** Prefixes config issue paths so they address the request body (`config.steps.0.id`). */
function underConfig(error: unknown): never {
  if (error instanceof AgentrtError && error.code === ErrorCode.CONFIG_INVALID && error.issues) {
    throw new AgentrtError(error.code, error.message, {
      issues: error.issues.map((i) => ({ ...i, path: ["config", ...i.path] })),
    });
  }
  throw error;
}

export async function createAgent(
  services: AppServices,
  body: {
    name: string;
    description?: string | null | undefined;
    template: string;
    config?: Record<string, unknown> | undefined;
  },
): Promise<AgentRecord> {
  const ref = parseTemplateRef(body.template);
  const { template } = services.registry.resolve(ref.name, ref.range);
  const config = await validateAgentConfig(
    template,
    body.config ?? {},
    services.validateContext(template.name, "create"),
  ).catch(underConfig);
  return services.store.agents.create({
    id: createId("agt"),
    name: body.name,
    description: body.description ?? null,
    templateName: template.name,
    templateRange: ref.range,
    templateVersion: template.version,
    config,
  });
}

export async function updateAgent(
  services: AppServices,
  agent: AgentRecord,
  body: {
    name?: string | undefined;
    description?: string | null | undefined;
    config?: Record<string, unknown> | undefined;
  },
): Promise<AgentRecord> {
  let config: Record<string, unknown> | undefined;
  if (body.config !== undefined) {
    const loaded = services.registry.get(agent.templateName, agent.templateVersion);
    if (!loaded) {
      throw new AgentrtError(
        ErrorCode.TEMPLATE_VERSION_NOT_FOUND,
        `template ${agent.templateName}@${agent.templateVersion} is no longer installed; upgrade the agent first`,
      );
    }
    config = await validateAgentConfig(
      loaded.template,
      body.config,
      services.validateContext(agent.templateName, "update"),
    ).catch(underConfig);
  }
  const updated = await services.store.agents.update(agent.id, {
    ...(body.name !== undefined ? { name: body.name } : {}),
    ...(body.description !== undefined ? { description: body.description } : {}),
    ...(config !== undefined ? { config } : {}),
  });
  if (updated.revision !== agent.revision) await services.engine.invalidateAgent(agent.id);
  return updated;
}

export async function upgradeAgent(services: AppServices, agent: AgentRecord, to: string, dryRun: boolean) {
  const { template } = services.registry.resolve(agent.templateName, to);
  const migrated = migrateConfig(agent.config, agent.templateVersion, template);
  const result = {
    dryRun,
    from: agent.templateVersion,
    to: template.version,
    appliedMigrations: migrated.applied,
  };
  let config: Record<string, unknown>;
  try {
    config = await validateAgentConfig(
      template,
      migrated.config,
      services.validateContext(template.name, "update"),
    );
  } catch (error) {
    if (!(error instanceof AgentrtError) || error.code !== ErrorCode.CONFIG_INVALID) throw error;
    if (!dryRun) underConfig(error);
    return { ...result, config: migrated.config, valid: false, errors: error.issues ?? [] };
  }
  if (dryRun) return { ...result, config, valid: true };
  const updated = await services.store.agents.update(agent.id, { templateVersion: template.version, config });
  await services.engine.invalidateAgent(agent.id);
  return { ...result, config, valid: true, agent: toAgentResponse(updated) };
}
