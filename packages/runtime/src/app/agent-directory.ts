import type { AgentDirectory } from "@agentrt/core";
import { inputJsonSchema } from "../config.js";
import type { TemplateRegistry } from "../registry.js";
import type { AgentCache } from "./agent-cache.js";

/**
 * The host's `agentrt.agents` service: templates look agents up by id or name, through the
 * runtime's agent cache (kept current by the cluster's invalidations) so an agent tool's call does
 * not read the store. Both are read per call (`agents()`, `registry()`), since hosts build the
 * service before the runtime and discovery exist.
 */
export function createAgentDirectory(
  agents: () => Pick<AgentCache, "get">,
  registry: () => Pick<TemplateRegistry, "get">,
): AgentDirectory {
  return {
    exists: async (idOrName) => (await agents().get(idOrName)) !== undefined,
    async describe(idOrName) {
      const agent = await agents().get(idOrName);
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
