import { AgentrtError, ErrorCode } from "@agentrt/core";
import { nowIso, type ScheduleRow, type ScheduleStore, toSchedule } from "@agentrt/runtime";
import type pg from "pg";
import { FOREIGN_KEY_VIOLATION, sqlState } from "./database.js";
import { listPage, pageLimit, toJson } from "./rows.js";

export function createScheduleStore(pool: pg.Pool): ScheduleStore {
  return {
    async create(schedule) {
      try {
        const { rows } = await pool.query<ScheduleRow>(
          `INSERT INTO schedules (id, agent_id, cron, timezone, input, webhook_url, enabled, next_run_at, created_at, overlap)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
           RETURNING *`,
          [
            schedule.id,
            schedule.agentId,
            schedule.cron,
            schedule.timezone,
            toJson(schedule.input),
            schedule.webhookUrl,
            schedule.enabled,
            schedule.nextRunAt,
            nowIso(),
            schedule.overlap,
          ],
        );
        return toSchedule(rows[0]!);
      } catch (error) {
        if (sqlState(error) === FOREIGN_KEY_VIOLATION) {
          throw new AgentrtError(ErrorCode.AGENT_NOT_FOUND, `Agent ${schedule.agentId} not found`, {
            details: { id: schedule.agentId },
            cause: error,
          });
        }
        throw error;
      }
    },

    async get(id) {
      const { rows } = await pool.query<ScheduleRow>("SELECT * FROM schedules WHERE id = $1", [id]);
      return rows[0] ? toSchedule(rows[0]) : undefined;
    },

    list: (filter) => listPage(pool, "schedules", { agent_id: filter.agentId }, filter, toSchedule),

    async delete(id) {
      return ((await pool.query("DELETE FROM schedules WHERE id = $1", [id])).rowCount ?? 0) > 0;
    },

    async update(id, patch) {
      const { rows } = await pool.query<ScheduleRow>(
        `UPDATE schedules SET
           cron = coalesce($2, cron),
           timezone = coalesce($3, timezone),
           input = CASE WHEN $4 THEN $5 ELSE input END,
           webhook_url = CASE WHEN $6 THEN $7 ELSE webhook_url END,
           enabled = coalesce($8, enabled),
           overlap = coalesce($9, overlap),
           next_run_at = CASE WHEN $10 THEN $11 ELSE next_run_at END
         WHERE id = $1 RETURNING *`,
        [
          id,
          patch.cron ?? null,
          patch.timezone ?? null,
          "input" in patch,
          "input" in patch ? toJson(patch.input) : null,
          patch.webhookUrl !== undefined,
          patch.webhookUrl ?? null,
          patch.enabled ?? null,
          patch.overlap ?? null,
          patch.nextRunAt !== undefined,
          patch.nextRunAt ?? null,
        ],
      );
      return rows[0] ? toSchedule(rows[0]) : undefined;
    },

    async due(now, limit) {
      // Written to match the partial index schedules_due.
      const { rows } = await pool.query<ScheduleRow>(
        `SELECT * FROM schedules
         WHERE enabled AND next_run_at IS NOT NULL AND next_run_at <= $1
         ORDER BY next_run_at LIMIT $2`,
        [now, pageLimit(limit)],
      );
      return rows.map(toSchedule);
    },

    async claim(id, expected, next, runId, at) {
      // The WHERE on the expected time makes this a compare-and-set: of any number of claimants on
      // any number of nodes, exactly one moves the tick forward (the row lock orders them).
      const { rowCount } = await pool.query(
        `UPDATE schedules SET next_run_at = $3, last_run_at = $5, last_run_id = $4
         WHERE id = $1 AND next_run_at = $2`,
        [id, expected, next, runId, at],
      );
      return rowCount === 1;
    },
  };
}
