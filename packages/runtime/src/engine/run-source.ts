import { AgentrtError, ErrorCode } from "@agentrt/core";
import type { InstalledTemplate } from "../installed-template.js";
import type { TemplateRegistry } from "../registry.js";
import type { AgentRecord, RunRecord, Store } from "../store.js";

/** Everything needed to build the agent instance a run executes on. */
export interface RunSource {
  agent: AgentRecord;
  template: InstalledTemplate;
  config: Record<string, unknown>;
  revision: number;
}

function templateFor(registry: TemplateRegistry, agent: AgentRecord, version: string): InstalledTemplate {
  const loaded = registry.get(agent.templateName, version);
  if (!loaded) {
    throw new AgentrtError(
      ErrorCode.TEMPLATE_VERSION_NOT_FOUND,
      `agent "${agent.name}" runs on ${agent.templateName}@${version}, which is not installed`,
      { details: { template: agent.templateName, version } },
    );
  }
  return loaded.template;
}

/** The source for a new run: the agent's current revision, as the caller passed it. */
export function sourceFromAgent(registry: TemplateRegistry, agent: AgentRecord): RunSource {
  return {
    agent,
    template: templateFor(registry, agent, agent.templateVersion),
    config: agent.config,
    revision: agent.revision,
  };
}

/**
 * The source for a stored run (re-queued after a restart): the revision the run was submitted
 * with, even if the agent changed since.
 */
export async function loadRunSource(
  store: Store,
  registry: TemplateRegistry,
  run: Pick<RunRecord, "agentId" | "agentRevision">,
): Promise<RunSource> {
  const agent = await store.agents.get(run.agentId);
  if (!agent) {
    throw new AgentrtError(ErrorCode.AGENT_NOT_FOUND, `agent ${run.agentId} no longer exists`, {
      details: { agentId: run.agentId },
    });
  }
  if (agent.revision === run.agentRevision) return sourceFromAgent(registry, agent);
  const revision = await store.agents.revision(agent.id, run.agentRevision);
  if (!revision) {
    throw new AgentrtError(
      ErrorCode.REVISION_NOT_FOUND,
      `agent "${agent.name}" has no revision ${run.agentRevision}`,
      { details: { agentId: agent.id, revision: run.agentRevision } },
    );
  }
  return {
    agent,
    template: templateFor(registry, agent, revision.templateVersion),
    config: revision.config,
    revision: revision.revision,
  };
}
