import { type AgentRecord, AgentrtError, ErrorCode } from "@agentrt/core";
import type { AppServices } from "../../lib/services.js";

export interface OpenAiModel {
  id: string;
  object: "model";
  created: number;
  owned_by: "agentrt";
}

export function toModel(agent: AgentRecord, id: string = agent.name): OpenAiModel {
  return {
    id,
    object: "model",
    created: Math.floor(Date.parse(agent.createdAt) / 1000),
    owned_by: "agentrt",
  };
}

/** `name@7` → agent `name`, revision 7. Agent names can't contain `@`, so the split is unambiguous. */
function parseModelId(model: string): { name: string; revision: number | undefined } {
  const match = /^(.+)@(\d{1,9})$/.exec(model);
  return match ? { name: match[1]!, revision: Number(match[2]) } : { name: model, revision: undefined };
}

export function modelNotFound(model: string, why: string): AgentrtError {
  return new AgentrtError(
    ErrorCode.AGENT_NOT_FOUND,
    `The model \`${model}\` does not exist or you do not have access to it (${why}).`,
    {
      details: { model },
    },
  );
}

/**
 * The agent a model id names, as a record pinned to the requested revision: the engine runs a
 * submitted agent record's config and pins the run to its revision.
 */
export async function resolveModel(services: AppServices, model: string): Promise<AgentRecord> {
  const { name, revision } = parseModelId(model);
  const agent = await services.store.agents.get(name);
  if (!agent) throw modelNotFound(model, `no agent named "${name}"`);
  if (revision === undefined || revision === agent.revision) return agent;
  const pinned = await services.store.agents.revision(agent.id, revision);
  if (!pinned) {
    throw new AgentrtError(
      ErrorCode.REVISION_NOT_FOUND,
      `The model \`${model}\` does not exist: agent "${name}" has no revision ${revision}.`,
      {
        details: { model },
      },
    );
  }
  return {
    ...agent,
    revision: pinned.revision,
    templateVersion: pinned.templateVersion,
    config: pinned.config,
  };
}

/** A model that can be invoked right now (active agent); paused agents are not listed as models. */
export async function getInvocableModel(services: AppServices, model: string): Promise<AgentRecord> {
  const agent = await resolveModel(services, model);
  if (agent.status !== "active") throw modelNotFound(model, `agent "${agent.name}" is paused`);
  return agent;
}

/** Every active agent, all pages. */
export async function listActiveAgents(services: AppServices): Promise<AgentRecord[]> {
  const agents: AgentRecord[] = [];
  let cursor: string | undefined;
  do {
    const page = await services.store.agents.list({ status: "active", limit: 200, cursor });
    agents.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return agents;
}
