import type { DatabaseSync } from "node:sqlite";
import { AgentrtError, ErrorCode } from "@agentrt/core";
import { nowIso, type ScheduleRecord, type ScheduleStore } from "@agentrt/runtime";
import { fromJson, toJson } from "./json.js";
import { createListQuery } from "./list-query.js";
import { pageLimit, toPage } from "./pagination.js";
import { isForeignKeyViolation } from "./sqlite-errors.js";

interface ScheduleRow {
  id: string;
  agent_id: string;
  cron: string;
  timezone: string;
  input: string | null;
  webhook_url: string | null;
  enabled: number;
  next_run_at: string | null;
  last_run_at: string | null;
  last_run_id: string | null;
  created_at: string;
}

function toSchedule(row: ScheduleRow): ScheduleRecord {
  return {
    id: row.id,
    agentId: row.agent_id,
    cron: row.cron,
    timezone: row.timezone,
    input: fromJson(row.input),
    webhookUrl: row.webhook_url,
    enabled: row.enabled === 1,
    nextRunAt: row.next_run_at,
    lastRunAt: row.last_run_at,
    lastRunId: row.last_run_id,
    createdAt: row.created_at,
  };
}

export function createScheduleStore(db: DatabaseSync): ScheduleStore {
  const insertSchedule = db.prepare(`
    INSERT INTO schedules (id, agent_id, cron, timezone, input, webhook_url, enabled, next_run_at, created_at)
    VALUES ($id, $agentId, $cron, $timezone, $input, $webhookUrl, $enabled, $nextRunAt, $createdAt)
    RETURNING *`);
  const selectSchedule = db.prepare("SELECT * FROM schedules WHERE id = ?");
  const deleteSchedule = db.prepare("DELETE FROM schedules WHERE id = ?");
  // Written to match the partial index schedules_due.
  const selectDue = db.prepare(`
    SELECT * FROM schedules
    WHERE enabled = 1 AND next_run_at IS NOT NULL AND next_run_at <= ?
    ORDER BY next_run_at LIMIT ?`);
  // The WHERE on the expected time makes this a compare-and-set: of any number of claimants (in
  // this process or another, before or after a restart) exactly one moves the tick forward.
  const claimTick = db.prepare(`
    UPDATE schedules SET next_run_at = $next, last_run_at = $at, last_run_id = $runId
    WHERE id = $id AND next_run_at = $expected`);
  const listSchedules = createListQuery(db, "schedules");

  return {
    async create(schedule) {
      try {
        const row = insertSchedule.get({
          id: schedule.id,
          agentId: schedule.agentId,
          cron: schedule.cron,
          timezone: schedule.timezone,
          input: toJson(schedule.input),
          webhookUrl: schedule.webhookUrl,
          enabled: schedule.enabled ? 1 : 0,
          nextRunAt: schedule.nextRunAt,
          createdAt: nowIso(),
        });
        return toSchedule(row as unknown as ScheduleRow);
      } catch (error) {
        if (isForeignKeyViolation(error)) {
          throw new AgentrtError(ErrorCode.AGENT_NOT_FOUND, `Agent ${schedule.agentId} not found`, {
            details: { id: schedule.agentId },
            cause: error,
          });
        }
        throw error;
      }
    },

    async get(id) {
      const row = selectSchedule.get(id) as ScheduleRow | undefined;
      return row ? toSchedule(row) : undefined;
    },

    async list(filter) {
      const rows = listSchedules({ agent_id: filter.agentId }, filter) as ScheduleRow[];
      return toPage(rows.map(toSchedule), pageLimit(filter.limit), (schedule) => schedule.id);
    },

    async delete(id) {
      return deleteSchedule.run(id).changes > 0;
    },

    async due(now, limit) {
      return (selectDue.all(now, pageLimit(limit)) as unknown as ScheduleRow[]).map(toSchedule);
    },

    async claim(id, expected, next, runId, at) {
      return claimTick.run({ id, expected, next, runId, at }).changes === 1;
    },
  };
}
