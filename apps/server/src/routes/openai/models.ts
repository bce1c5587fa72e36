import type { ChatParamPolicy } from "@agentrt/core";
import type { AgentRecord } from "@agentrt/runtime";

export interface OpenAiModel {
  id: string;
  object: "model";
  created: number;
  owned_by: "agentrt";
  /** How the agent treats request fields (an extension OpenAI clients ignore). */
  agentrt: { template: string; params: string[]; unsupported_params: "ignore" | "refuse" };
}

/** An agent as an OpenAI model: its name (or the `name@revision` the caller asked for). */
export function toModel(agent: AgentRecord, policy: ChatParamPolicy, id: string = agent.name): OpenAiModel {
  return {
    id,
    object: "model",
    created: Math.floor(Date.parse(agent.createdAt) / 1000),
    owned_by: "agentrt",
    agentrt: {
      template: agent.templateName,
      params: [...policy.honoured],
      unsupported_params: policy.otherwise,
    },
  };
}
