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
import type pg from "pg";
import { deleteCheckpoints } from "./checkpoint-cleanup.js";
import { sqlState, transaction, UNIQUE_VIOLATION } from "./database.js";
import { decodeIntegerCursor, listPage, pageLimit, toPage } from "./rows.js";

function isNameTaken(error: unknown): boolean {
  return sqlState(error) === UNIQUE_VIOLATION && (error as pg.DatabaseError).constraint === "agents_name_key";
}

function nameTaken(name: string, cause: unknown): AgentrtError {
  return new AgentrtError(ErrorCode.AGENT_NAME_TAKEN, `An agent named "${name}" already exists`, {
    details: { name },
    cause,
  });
}

const INSERT_REVISION = `
  INSERT INTO agent_revisions (agent_id, revision, template_version, config, created_at)
  VALUES ($1, $2, $3, $4, $5)`;

export function createAgentStore(pool: pg.Pool): AgentStore {
  return {
    async create(agent) {
      const config = JSON.stringify(agent.config);
      const settings = newAgentSettings(agent);
      return transaction(pool, async (client) => {
        let row: AgentRow;
        try {
          row = (
            await client.query<AgentRow>(
              `INSERT INTO agents (id, name, description, template_name, template_range, template_version,
                                 config, revision, status, retention, limits, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, 1, 'active', $9, $10, $8, $8)
             RETURNING *`,
              [
                agent.id,
                agent.name,
                agent.description,
                agent.templateName,
                agent.templateRange,
                agent.templateVersion,
                config,
                nowIso(),
                settings.retention && JSON.stringify(settings.retention),
                JSON.stringify(settings.limits),
              ],
            )
          ).rows[0]!;
        } catch (error) {
          if (isNameTaken(error)) throw nameTaken(agent.name, error);
          throw error;
        }
        await client.query(INSERT_REVISION, [row.id, 1, row.template_version, config, row.created_at]);
        return toAgent(row);
      });
    },

    async get(idOrName) {
      // An id wins should a name equal another agent's id.
      const { rows } = await pool.query<AgentRow>(
        "SELECT * FROM agents WHERE id = $1 OR name = $1 ORDER BY (id = $1) DESC LIMIT 1",
        [idOrName],
      );
      return rows[0] ? toAgent(rows[0]) : undefined;
    },

    list(filter) {
      return listPage(
        pool,
        "agents",
        { template_name: filter.templateName, status: filter.status },
        filter,
        toAgent,
      );
    },

    async update(id, patch) {
      return transaction(pool, async (client) => {
        const { rows } = await client.query<AgentRow>("SELECT * FROM agents WHERE id = $1 FOR UPDATE", [id]);
        const row = rows[0];
        if (!row)
          throw new AgentrtError(ErrorCode.AGENT_NOT_FOUND, `Agent ${id} not found`, { details: { id } });
        const current = toAgent(row);
        const { next, changed } = applyAgentPatch(current, patch);
        const revision = changed ? current.revision + 1 : current.revision;
        const updatedAt = nowIso();
        let updated: AgentRow;
        try {
          updated = (
            await client.query<AgentRow>(
              `UPDATE agents
             SET name = $2, description = $3, status = $4, template_range = $5, template_version = $6,
                 config = $7, revision = $8, updated_at = $9, retention = $10, limits = $11
             WHERE id = $1
             RETURNING *`,
              [
                id,
                next.name,
                next.description,
                next.status,
                next.templateRange,
                next.templateVersion,
                changed ? JSON.stringify(next.config) : row.config,
                revision,
                updatedAt,
                patch.retention === undefined
                  ? row.retention
                  : next.retention && JSON.stringify(next.retention),
                patch.limits ? JSON.stringify(next.limits) : row.limits,
              ],
            )
          ).rows[0]!;
        } catch (error) {
          if (isNameTaken(error)) throw nameTaken(next.name, error);
          throw error;
        }
        if (changed) {
          await client.query(INSERT_REVISION, [
            id,
            revision,
            next.templateVersion,
            updated.config,
            updatedAt,
          ]);
        }
        return toAgent(updated);
      });
    },

    async delete(id) {
      return transaction(pool, async (client) => {
        // Runs, events, schedules, threads and revisions go by ON DELETE CASCADE; LangGraph state
        // of the agent's threads has no foreign key, so it is removed first, explicitly.
        await deleteCheckpoints(client, "thread_id IN (SELECT id FROM threads WHERE agent_id = $1)", [id]);
        const { rowCount } = await client.query("DELETE FROM agents WHERE id = $1", [id]);
        return (rowCount ?? 0) > 0;
      });
    },

    async revisions(agentId, page) {
      const limit = pageLimit(page.limit);
      const { rows } = await pool.query<RevisionRow>(
        `SELECT * FROM agent_revisions
         WHERE agent_id = $1 AND ($2::int IS NULL OR revision < $2::int)
         ORDER BY revision DESC LIMIT $3`,
        [agentId, decodeIntegerCursor(page.cursor), limit + 1],
      );
      return toPage(rows.map(toRevision), limit, (revision) => revision.revision);
    },

    async revision(agentId, revision) {
      const { rows } = await pool.query<RevisionRow>(
        "SELECT * FROM agent_revisions WHERE agent_id = $1 AND revision = $2",
        [agentId, revision],
      );
      return rows[0] ? toRevision(rows[0]) : undefined;
    },
  };
}
