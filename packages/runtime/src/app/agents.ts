import { AgentrtError, ErrorCode, type FieldIssue, isAgentrtError } from "@agentrt/core";
import semver from "semver";
import { migrateConfig, validateAgentConfig } from "../config.js";
import { canonicalJson } from "../engine/canonical-json.js";
import type { Invalidations } from "../engine/invalidations.js";
import { createId } from "../ids.js";
import type { InstalledTemplate } from "../installed-template.js";
import { parseTemplateRef, type TemplateRegistry } from "../registry.js";
import type { RetentionOverride } from "../retention/policy.js";
import { type AgentRecord, type AgentStatus, NO_AGENT_LIMITS, type Store } from "../store.js";
import type { AgentCache } from "./agent-cache.js";
import { type AgentLimitsChange, applyLimits } from "./agent-limits.js";
import type { TemplateContexts } from "./contexts.js";

export interface NewAgentRequest {
  name: string;
  description?: string | null | undefined;
  /** `task`, `task@^2`, … */
  template: string;
  config?: Record<string, unknown> | undefined;
  retention?: RetentionOverride | null | undefined;
  limits?: AgentLimitsChange | undefined;
}

export interface AgentChanges {
  name?: string | undefined;
  description?: string | null | undefined;
  config?: Record<string, unknown> | undefined;
  /** Replaces the agent's retention override; `null` removes it. */
  retention?: RetentionOverride | null | undefined;
  /** The limits given replace the agent's; the others stay. */
  limits?: AgentLimitsChange | undefined;
}

export interface UpgradeResult {
  dryRun: boolean;
  from: string;
  to: string;
  appliedMigrations: string[];
  config: Record<string, unknown>;
  valid: boolean;
  errors?: FieldIssue[];
  /** The upgraded agent (not on a dry run). */
  agent?: AgentRecord;
}

export interface AgentUseCases {
  /** AGENT_NOT_FOUND when no agent has this id or name. */
  get(idOrName: string): Promise<AgentRecord>;
  create(request: NewAgentRequest): Promise<AgentRecord>;
  update(idOrName: string, changes: AgentChanges): Promise<AgentRecord>;
  setStatus(idOrName: string, status: AgentStatus): Promise<AgentRecord>;
  /**
   * Moves the agent to the highest installed version matching `to`, applying migrations; the
   * agent's stored range becomes `to`. A move to an older version is refused (DOWNGRADE_REFUSED)
   * when it would change or drop any of the agent's settings.
   */
  upgrade(idOrName: string, to: string, dryRun: boolean): Promise<UpgradeResult>;
  /** Restores a stored revision's template version and config as a new revision. */
  rollback(idOrName: string, revision: number): Promise<AgentRecord>;
  delete(idOrName: string): Promise<void>;
}

/** Config issues as the request addresses them: under `config`. */
function underConfig(error: unknown): never {
  if (isAgentrtError(error) && error.code === ErrorCode.CONFIG_INVALID && error.issues) {
    throw new AgentrtError(error.code, error.message, {
      issues: error.issues.map((i) => ({ ...i, path: ["config", ...i.path] })),
    });
  }
  throw error;
}

export function createAgentUseCases(deps: {
  store: Store;
  registry: TemplateRegistry;
  /** Told of every write, after it committed: caches of the agent drop it on every node. */
  invalidations: Pick<Invalidations, "publish">;
  contexts: TemplateContexts;
  /** Where reads by id or name go: writes reach it through `invalidations`. */
  cache: AgentCache;
}): AgentUseCases {
  const { store, registry, invalidations, contexts, cache } = deps;

  async function changed(agent: AgentRecord): Promise<AgentRecord> {
    await invalidations.publish({ kind: "agent", id: agent.id, revision: agent.revision });
    return agent;
  }

  const validate = (template: InstalledTemplate, config: unknown, phase: "create" | "update") =>
    validateAgentConfig(template, config, contexts.forValidation(template, phase));

  async function get(idOrName: string): Promise<AgentRecord> {
    // Every write below invalidates it, so the cached record is the stored one.
    const agent = await cache.get(idOrName);
    if (!agent) throw new AgentrtError(ErrorCode.AGENT_NOT_FOUND, `no agent with id or name "${idOrName}"`);
    return agent;
  }

  return {
    get,

    async create(request) {
      const ref = parseTemplateRef(request.template);
      const { template } = registry.resolve(ref.name, ref.range);
      const config = await validate(template, request.config ?? {}, "create").catch(underConfig);
      return store.agents.create({
        id: createId("agt"),
        name: request.name,
        description: request.description ?? null,
        templateName: template.name,
        templateRange: ref.range,
        templateVersion: template.version,
        config,
        retention: request.retention ?? null,
        limits: applyLimits(NO_AGENT_LIMITS, request.limits ?? {}),
      });
    },

    async update(idOrName, changes) {
      const agent = await get(idOrName);
      let config: Record<string, unknown> | undefined;
      if (changes.config !== undefined) {
        const loaded = registry.get(agent.templateName, agent.templateVersion);
        if (!loaded) {
          throw new AgentrtError(
            ErrorCode.TEMPLATE_VERSION_NOT_FOUND,
            `template ${agent.templateName}@${agent.templateVersion} is no longer installed; upgrade the agent first`,
          );
        }
        config = await validate(loaded.template, changes.config, "update").catch(underConfig);
      }
      const updated = await store.agents.update(agent.id, {
        ...(changes.name !== undefined ? { name: changes.name } : {}),
        ...(changes.description !== undefined ? { description: changes.description } : {}),
        ...(config !== undefined ? { config } : {}),
        ...(changes.retention !== undefined ? { retention: changes.retention } : {}),
        ...(changes.limits !== undefined ? { limits: applyLimits(agent.limits, changes.limits) } : {}),
      });
      return changed(updated);
    },

    async setStatus(idOrName, status) {
      const agent = await get(idOrName);
      return changed(await store.agents.update(agent.id, { status }));
    },

    async upgrade(idOrName, to, dryRun) {
      // A malformed range would otherwise match no version and read as "not found".
      if (semver.validRange(to) === null) {
        throw new AgentrtError(ErrorCode.VALIDATION_FAILED, `"${to}" is not a semver version or range`, {
          issues: [{ path: ["to"], message: "expected a semver version or range like ^2 or 2.1.0" }],
        });
      }
      const agent = await get(idOrName);
      const { template } = registry.resolve(agent.templateName, to);
      const migrated = migrateConfig(agent.config, agent.templateVersion, template);
      const result = {
        dryRun,
        from: agent.templateVersion,
        to: template.version,
        appliedMigrations: migrated.applied,
      };
      let config: Record<string, unknown>;
      try {
        config = await validate(template, migrated.config, "update");
      } catch (error) {
        if (!isAgentrtError(error) || error.code !== ErrorCode.CONFIG_INVALID) throw error;
        if (!dryRun) underConfig(error);
        return { ...result, config: migrated.config, valid: false, errors: error.issues ?? [] };
      }
      // Migrations only lead forward: going back is safe only when the older schema keeps every setting.
      if (
        semver.lt(template.version, agent.templateVersion) &&
        canonicalJson(config) !== canonicalJson(agent.config)
      ) {
        throw new AgentrtError(
          ErrorCode.DOWNGRADE_REFUSED,
          `moving agent "${agent.name}" from ${agent.templateName}@${agent.templateVersion} back to ${template.version} would change its config (no migration leads back); roll back to an earlier revision instead`,
          { details: { from: agent.templateVersion, to: template.version } },
        );
      }
      if (dryRun) return { ...result, config, valid: true };
      const updated = await store.agents.update(agent.id, {
        templateVersion: template.version,
        templateRange: to,
        config,
      });
      return { ...result, config, valid: true, agent: await changed(updated) };
    },

    async rollback(idOrName, revision) {
      const agent = await get(idOrName);
      const stored = await store.agents.revision(agent.id, revision);
      if (!stored) {
        throw new AgentrtError(
          ErrorCode.REVISION_NOT_FOUND,
          `agent "${agent.name}" has no revision ${revision}`,
          {
            details: { agentId: agent.id, revision },
          },
        );
      }
      const loaded = registry.get(agent.templateName, stored.templateVersion);
      if (!loaded) {
        throw new AgentrtError(
          ErrorCode.TEMPLATE_VERSION_NOT_FOUND,
          `revision ${revision} runs on ${agent.templateName}@${stored.templateVersion}, which is not installed`,
          { details: { template: agent.templateName, version: stored.templateVersion } },
        );
      }
      // The stored config passed this version once; it is checked again against what the host has now.
      const config = await validate(loaded.template, stored.config, "update").catch(underConfig);
      const updated = await store.agents.update(agent.id, {
        templateVersion: stored.templateVersion,
        config,
      });
      return changed(updated);
    },

    async delete(idOrName) {
      const agent = await get(idOrName);
      await store.agents.delete(agent.id);
      await invalidations.publish({ kind: "agent", id: agent.id });
    },
  };
}
