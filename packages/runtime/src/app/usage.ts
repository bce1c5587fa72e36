import { AgentrtError, ErrorCode } from "@agentrt/core";
import type { TemplateRegistry } from "../registry.js";
import type { RunUsage, Store } from "../store.js";
import type { AgentUseCases } from "./agents.js";

/** Health and usage over the last hour: runs ended, errors, their rate, duration quantiles. */
export interface UsageStats extends RunUsage {
  /** `errors / runs`; 0 without runs. */
  errorRate: number;
}

export interface UsageUseCases {
  /** Per installed version of a template; TEMPLATE_NOT_FOUND when none is installed. */
  template(name: string): Promise<{ name: string; versions: (UsageStats & { version: string })[] }>;
  /** Of one agent (id or name), over all its revisions; AGENT_NOT_FOUND when there is none. */
  agent(idOrName: string): Promise<UsageStats & { agentId: string }>;
}

const WINDOW_MS = 60 * 60_000;

const withRate = (usage: RunUsage): UsageStats => ({
  ...usage,
  errorRate: usage.runs === 0 ? 0 : usage.errors / usage.runs,
});

/**
 * Statistics read from the store, not counted in this process: every node of a cluster answers the
 * same, and a restart loses nothing.
 */
export function createUsageUseCases(deps: {
  store: Store;
  registry: TemplateRegistry;
  agents: Pick<AgentUseCases, "get">;
}): UsageUseCases {
  const { store, registry, agents } = deps;
  const since = () => new Date(Date.now() - WINDOW_MS).toISOString();
  return {
    async template(name) {
      const installed = registry.versions(name);
      if (installed.length === 0)
        throw new AgentrtError(ErrorCode.TEMPLATE_NOT_FOUND, `no template named "${name}" is installed`);
      const usage = new Map<string, RunUsage>();
      for (const { templateVersion, ...counts } of await store.runs.usageByTemplateVersion(name, since()))
        usage.set(templateVersion, counts);
      const none: RunUsage = { runs: 0, errors: 0, p50Ms: null, p95Ms: null };
      return {
        name,
        versions: installed.map(({ template }) => ({
          version: template.version,
          ...withRate(usage.get(template.version) ?? none),
        })),
      };
    },
    async agent(idOrName) {
      const agent = await agents.get(idOrName);
      return { agentId: agent.id, ...withRate(await store.runs.agentUsage(agent.id, since())) };
    },
  };
}
