import type { DatabaseSync } from "node:sqlite";
import { AgentrtError, ErrorCode } from "@agentrt/core";
import {
  type AgentRow,
  type AgentStore,
  applyAgentPatch,
  newAgentSettings,
  nowIso,
  type RevisionRow,
  toAgent,
  toRevision,
} from "@agentrt/runtime";
import { prepareCheckpointDeletes } from "./checkpoint-cleanup.js";
import { transaction } from "./database.js";
import { createListQuery } from "./list-query.js";
import { decodeIntegerCursor, pageLimit, toPage } from "./pagination.js";
import { isUniqueViolation } from "./sqlite-errors.js";

function nameTaken(name: string, cause: unknown): AgentrtError {
  return new AgentrtError(ErrorCode.AGENT_NAME_TAKEN, `An agent named "${name}" already exists`, {
    details: { name },
    cause,
  });
}

export function createAgentStore(db: DatabaseSync): AgentStore {
  const insertAgent = db.prepare(`
    INSERT INTO agents (id, name, description, template_name, template_range, template_version, config,
                        revision, status, retention, limits, created_at, updated_at)
    VALUES ($id, $name, $description, $templateName, $templateRange, $templateVersion, $config,
            1, 'active', $retention, $limits, $now, $now)
    RETURNING *`);
  const insertRevision = db.prepare(`
    INSERT INTO agent_revisions (agent_id, revision, template_version, config, created_at)
    VALUES ($agentId, $revision, $templateVersion, $config, $createdAt)`);
  const selectById = db.prepare("SELECT * FROM agents WHERE id = ?");
  // One statement for an id or a name: the halves run in order and LIMIT stops at the first row, so
  // an id wins should a name equal another agent's id.
  const selectByIdOrName = db.prepare(
    "SELECT * FROM agents WHERE id = ?1 UNION ALL SELECT * FROM agents WHERE name = ?1 LIMIT 1",
  );
  const updateAgent = db.prepare(`
    UPDATE agents
    SET name = $name, description = $description, status = $status, template_range = $templateRange,
        template_version = $templateVersion, config = $config, revision = $revision, limits = $limits,
        updated_at = $updatedAt, retention = $retention
    WHERE id = $id
    RETURNING *`);
  const deleteAgent = db.prepare("DELETE FROM agents WHERE id = ?");
  const deleteThreadCheckpoints = prepareCheckpointDeletes(
    db,
    "thread_id IN (SELECT id FROM threads WHERE agent_id = ?)",
  );
  const selectRevisions = db.prepare(`
    SELECT * FROM agent_revisions
    WHERE agent_id = $agentId AND ($cursor IS NULL OR revision < $cursor)
    ORDER BY revision DESC LIMIT $limit`);
  const selectRevision = db.prepare("SELECT * FROM agent_revisions WHERE agent_id = ? AND revision = ?");
  const listAgents = createListQuery(db, "agents");

  return {
    async create(agent) {
      const config = JSON.stringify(agent.config);
      const settings = newAgentSettings(agent);
      return transaction(db, () => {
        let row: AgentRow;
        try {
          row = insertAgent.get({
            id: agent.id,
            name: agent.name,
            description: agent.description,
            templateName: agent.templateName,
            templateRange: agent.templateRange,
            templateVersion: agent.templateVersion,
            config,
            retention: settings.retention && JSON.stringify(settings.retention),
            limits: JSON.stringify(settings.limits),
            now: nowIso(),
          }) as unknown as AgentRow;
        } catch (error) {
          if (isUniqueViolation(error, "agents.name")) throw nameTaken(agent.name, error);
          throw error;
        }
        insertRevision.run({
          agentId: row.id,
          revision: 1,
          templateVersion: row.template_version,
          config,
          createdAt: row.created_at,
        });
        return toAgent(row);
      });
    },

    async get(idOrName) {
      const row = selectByIdOrName.get(idOrName);
      return row ? toAgent(row as unknown as AgentRow) : undefined;
    },

    async list(filter) {
      const rows = listAgents({ template_name: filter.templateName, status: filter.status }, filter);
      return toPage((rows as AgentRow[]).map(toAgent), pageLimit(filter.limit), (agent) => agent.id);
    },

    async update(id, patch) {
      return transaction(db, () => {
        const row = selectById.get(id) as AgentRow | undefined;
        if (!row)
          throw new AgentrtError(ErrorCode.AGENT_NOT_FOUND, `Agent ${id} not found`, { details: { id } });
        const current = toAgent(row);
        const { next, changed } = applyAgentPatch(current, patch);
        const revision = changed ? current.revision + 1 : current.revision;
        const updatedAt = nowIso();
        let updated: AgentRow;
        try {
          updated = updateAgent.get({
            id,
            name: next.name,
            description: next.description,
            status: next.status,
            templateRange: next.templateRange,
            templateVersion: next.templateVersion,
            config: changed ? JSON.stringify(next.config) : row.config,
            revision,
            limits: patch.limits ? JSON.stringify(next.limits) : row.limits,
            updatedAt,
            retention:
              patch.retention === undefined
                ? row.retention
                : next.retention && JSON.stringify(next.retention),
          }) as unknown as AgentRow;
        } catch (error) {
          if (isUniqueViolation(error, "agents.name")) throw nameTaken(next.name, error);
          throw error;
        }
        if (changed) {
          insertRevision.run({
            agentId: id,
            revision,
            templateVersion: next.templateVersion,
            config: updated.config,
            createdAt: updatedAt,
          });
        }
        return toAgent(updated);
      });
    },

    async delete(id) {
      return transaction(db, () => {
        // Runs, events, schedules, threads and revisions go by ON DELETE CASCADE; LangGraph state
        // of the agent's threads has no foreign key, so it is removed first, explicitly.
        deleteThreadCheckpoints(id);
        return deleteAgent.run(id).changes > 0;
      });
    },

    async revisions(agentId, page) {
      const limit = pageLimit(page.limit);
      const rows = selectRevisions.all({
        agentId,
        cursor: decodeIntegerCursor(page.cursor),
        limit: limit + 1,
      }) as unknown as RevisionRow[];
      return toPage(rows.map(toRevision), limit, (revision) => revision.revision);
    },

    async revision(agentId, revision) {
      const row = selectRevision.get(agentId, revision) as RevisionRow | undefined;
      return row ? toRevision(row) : undefined;
    },
  };
}
