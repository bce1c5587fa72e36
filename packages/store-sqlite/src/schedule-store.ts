import type { DatabaseSync } from "node:sqlite";
import { AgentrtError, ErrorCode } from "@agentrt/core";
import {
  nowIso,
  type SchedulePatch,
  type ScheduleRow,
  type ScheduleStore,
  toSchedule,
} from "@agentrt/runtime";
import { toJson } from "./json.js";
import { createListQuery } from "./list-query.js";
import { pageLimit, toPage } from "./pagination.js";
import { isForeignKeyViolation } from "./sqlite-errors.js";

export function createScheduleStore(db: DatabaseSync): ScheduleStore {
  const insertSchedule = db.prepare(`
    INSERT INTO schedules (id, agent_id, cron, timezone, input, webhook_url, enabled, overlap, next_run_at, created_at)
    VALUES ($id, $agentId, $cron, $timezone, $input, $webhookUrl, $enabled, $overlap, $nextRunAt, $createdAt)
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
  // One statement for every patch: a field left out keeps its value (the `$has…` flags, since
  // input, webhookUrl and nextRunAt may be set to null on purpose).
  const updateSchedule = db.prepare(`
    UPDATE schedules SET
      cron = coalesce($cron, cron),
      timezone = coalesce($timezone, timezone),
      input = CASE WHEN $hasInput THEN $input ELSE input END,
      webhook_url = CASE WHEN $hasWebhookUrl THEN $webhookUrl ELSE webhook_url END,
      enabled = coalesce($enabled, enabled),
      overlap = coalesce($overlap, overlap),
      next_run_at = CASE WHEN $hasNextRunAt THEN $nextRunAt ELSE next_run_at END
    WHERE id = $id
    RETURNING *`);

  function updateParams(id: string, patch: SchedulePatch) {
    return {
      id,
      cron: patch.cron ?? null,
      timezone: patch.timezone ?? null,
      hasInput: "input" in patch ? 1 : 0,
      input: "input" in patch ? toJson(patch.input) : null,
      hasWebhookUrl: patch.webhookUrl !== undefined ? 1 : 0,
      webhookUrl: patch.webhookUrl ?? null,
      enabled: patch.enabled === undefined ? null : patch.enabled ? 1 : 0,
      overlap: patch.overlap ?? null,
      hasNextRunAt: patch.nextRunAt !== undefined ? 1 : 0,
      nextRunAt: patch.nextRunAt ?? null,
    };
  }

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
          overlap: schedule.overlap,
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

    async update(id, patch) {
      const row = updateSchedule.get(updateParams(id, patch)) as ScheduleRow | undefined;
      return row ? toSchedule(row) : undefined;
    },

    async due(now, limit) {
      return (selectDue.all(now, pageLimit(limit)) as unknown as ScheduleRow[]).map(toSchedule);
    },

    async claim(id, expected, next, runId, at) {
      return claimTick.run({ id, expected, next, runId, at }).changes === 1;
    },
  };
}
