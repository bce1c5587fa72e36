import type { AgentDirectory } from "@agentrt/core";
import { inputJsonSchema } from "../config.js";
import type { TemplateRegistry } from "../registry.js";
import type { Store } from "../store.js";

/**
 * The host's `agentrt.agents` service: templates look agents up by id or name. The registry is
 * read per call (`registry()`), since hosts build the service before discovery fills it.
 */
export function createAgentDirectory(
  store: Pick<Store, "agents">,
  registry: () => Pick<TemplateRegistry, "get">,
): AgentDirectory {
  return {
    exists: async (idOrName) => (await store.agents.get(idOrName)) !== undefined,
    async describe(idOrName) {
      const agent = await store.agents.get(idOrName);
      if (!agent) return undefined;
      const template = registry().get(agent.templateName, agent.templateVersion)?.template;
      return {
        id: agent.id,
        name: agent.name,
        description: agent.description ?? undefined,
        template: agent.templateName,
        inputSchema: template ? inputJsonSchema(template) : undefined,
      };
    },
  };
}
