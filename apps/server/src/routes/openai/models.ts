import type { AgentRecord } from "@agentrt/runtime";

export interface OpenAiModel {
  id: string;
  object: "model";
  created: number;
  owned_by: "agentrt";
}

/** An agent as an OpenAI model: its name (or the `name@revision` the caller asked for). */
export function toModel(agent: AgentRecord, id: string = agent.name): OpenAiModel {
  return {
    id,
    object: "model",
    created: Math.floor(Date.parse(agent.createdAt) / 1000),
    owned_by: "agentrt",
  };
}
