import type { DatabaseSync } from "node:sqlite";
import { AgentrtError, ErrorCode } from "@agentrt/core";
import {
  type EventRow,
  nowIso,
  type RunEventPayload,
  type RunPatch,
  type RunRecord,
  type RunRow,
  type RunStore,
  type StoredRunEvent,
  toEvent,
  toRun,
  toUsage,
  UNSTORED_RUNS_KEPT_MS,
  type UsageRow,
} from "@agentrt/runtime";
import type { GroupCommit } from "./group-commit.js";
import { toJson } from "./json.js";
import { createListQuery } from "./list-query.js";
import { pageLimit, toPage } from "./pagination.js";
import { isForeignKeyViolation } from "./sqlite-errors.js";

function runNotFound(id: string): AgentrtError {
  return new AgentrtError(ErrorCode.RUN_NOT_FOUND, `Run ${id} not found`, { details: { id } });
}

/** SQLite has no boolean binding; a flag tells the update statement whether a field was given. */
function flag(given: boolean): number {
  return given ? 1 : 0;
}

/** Parameters of the one-statement patch (`updateRun`). */
function patchParams(id: string, patch: RunPatch, events: number) {
  return {
    id,
    hasStatus: flag(patch.status !== undefined),
    status: patch.status ?? null,
    hasOutput: flag(patch.output !== undefined),
    output: toJson(patch.output),
    hasError: flag(patch.error !== undefined),
    error: toJson(patch.error),
    hasStartedAt: flag(patch.startedAt !== undefined),
    startedAt: patch.startedAt ?? null,
    hasFinishedAt: flag(patch.finishedAt !== undefined),
    finishedAt: patch.finishedAt ?? null,
    hasWebhookDeliveries: flag(patch.webhookDeliveries !== undefined),
    webhookDeliveries: toJson(patch.webhookDeliveries),
    events,
  };
}

/**
 * Counts and nearest-rank duration quantiles of the runs, stored (`runs r`) or not (`unstored_runs
 * r`), that started and finished since `$since`, per `key`: the smallest duration whose rank
 * reaches q of the group's runs. `from` joins and filters either table as `r`.
 */
function usageQuery(key: string, from: string): string {
  const ended = (table: string, started: string) => `
      SELECT ${key} AS key, r.status,
             (julianday(r.finished_at) - julianday(r.started_at)) * 86400000.0 AS ms
      FROM ${table} r ${from} AND r.finished_at >= $since${started}`;
  return `
    WITH ended AS (${ended("runs", " AND r.started_at IS NOT NULL")}
      UNION ALL ${ended("unstored_runs", "")}
    ), ranked AS (
      SELECT key, status, ms, row_number() OVER (PARTITION BY key ORDER BY ms) AS rn,
             count(*) OVER (PARTITION BY key) AS n
      FROM ended
    )
    SELECT key, count(*) AS runs, count(*) FILTER (WHERE status IN ('failed', 'timed_out')) AS errors,
           min(ms) FILTER (WHERE rn >= 0.5 * n) AS p50, min(ms) FILTER (WHERE rn >= 0.95 * n) AS p95
    FROM ranked GROUP BY key`;
}

/**
 * Runs are the hot write path (a run writes its row and events several times), so their writes go
 * through the group commit; reads wait only for writes still pending.
 */
export function createRunStore(db: DatabaseSync, group: GroupCommit): RunStore {
  const insertRun = db.prepare(`
    INSERT INTO runs (id, agent_id, agent_revision, thread_id, schedule_id, input, status, idempotency_key,
                      webhook_url, webhook_deliveries, timeout_ms, invoke_depth, trace_parent, trace_state,
                      request_id, created_at, last_seq)
    VALUES ($id, $agentId, $agentRevision, $threadId, $scheduleId, $input, 'queued', $idempotencyKey,
            $webhookUrl, '[]', $timeoutMs, $invokeDepth, $traceParent, $traceState, $requestId, $createdAt, $lastSeq)
    RETURNING *`);
  const selectIdempotent = db.prepare(`
    SELECT * FROM runs
    WHERE agent_id = ? AND idempotency_key = ? AND created_at >= ?
    ORDER BY created_at DESC, id DESC LIMIT 1`);
  const selectRun = db.prepare("SELECT * FROM runs WHERE id = ?");
  // One statement for any patch: each column keeps its value unless its flag says it was given,
  // so an update is a single atomic write without a read first.
  const updateRun = db.prepare(`
    UPDATE runs SET
      status = CASE WHEN $hasStatus THEN $status ELSE status END,
      output = CASE WHEN $hasOutput THEN $output ELSE output END,
      error = CASE WHEN $hasError THEN $error ELSE error END,
      started_at = CASE WHEN $hasStartedAt THEN $startedAt ELSE started_at END,
      finished_at = CASE WHEN $hasFinishedAt THEN $finishedAt ELSE finished_at END,
      webhook_deliveries = CASE WHEN $hasWebhookDeliveries THEN $webhookDeliveries ELSE webhook_deliveries END,
      last_seq = last_seq + $events
    WHERE id = $id
    RETURNING *`);
  // Most appends change no column but the counter: no CASE per column, two parameters to bind.
  const bumpSeq = db.prepare("UPDATE runs SET last_seq = last_seq + ? WHERE id = ? RETURNING *");
  const selectByStatus = db.prepare(`
    SELECT * FROM runs WHERE status IN (SELECT value FROM json_each(?)) ORDER BY id ASC LIMIT ?`);
  const insertEvent = db.prepare(`
    INSERT INTO run_events (run_id, seq, type, data, created_at) VALUES (?, ?, ?, ?, ?)`);
  // Runs still going or ended since the window opened: only they can hold usage recorded in it.
  const sumTokens = db.prepare(`
    SELECT (SELECT coalesce(sum(e.data ->> '$.promptTokens' + e.data ->> '$.completionTokens'), 0)
            FROM runs r JOIN run_events e ON e.run_id = r.id
            WHERE r.agent_id = $agentId AND (r.finished_at IS NULL OR r.finished_at >= $since)
              AND e.type = 'usage' AND e.created_at >= $since)
         + (SELECT coalesce(sum(tokens), 0) FROM unstored_runs
            WHERE agent_id = $agentId AND finished_at >= $since) AS tokens`);
  const insertUnstored = db.prepare(`
    INSERT INTO unstored_runs (agent_id, agent_revision, status, started_at, finished_at, tokens)
    VALUES (?, ?, ?, ?, ?, ?)`);
  const deleteOldUnstored = db.prepare("DELETE FROM unstored_runs WHERE finished_at < ?");
  const templateUsage = db.prepare(
    usageQuery(
      "rev.template_version",
      `JOIN agents a ON a.id = r.agent_id
       JOIN agent_revisions rev ON rev.agent_id = r.agent_id AND rev.revision = r.agent_revision
       WHERE a.template_name = $key`,
    ),
  );
  const agentUsage = db.prepare(usageQuery("''", "WHERE r.agent_id = $key"));
  const selectEvents = db.prepare(`
    SELECT * FROM run_events WHERE run_id = ? AND seq > ? ORDER BY seq LIMIT ?`);
  const listRuns = createListQuery(db, "runs");

  /** Applies a patch (fields not given keep their value) and reserves `events` seqs, in one statement. */
  function updateRow(id: string, patch: RunPatch, events: number): RunRow {
    const row = (
      Object.keys(patch).length === 0
        ? bumpSeq.get(events, id)
        : updateRun.get(patchParams(id, patch, events))
    ) as RunRow | undefined;
    if (!row) throw runNotFound(id);
    return row;
  }

  /** Called inside a group transaction (its savepoint makes the row update and inserts atomic). */
  function appendEvents(
    runId: string,
    payloads: RunEventPayload[],
    patch: RunPatch = {},
  ): { events: StoredRunEvent[]; run: RunRecord } {
    // The counter lives on the run row: bumping it takes the row's write lock, so concurrent
    // appends (even from other processes) get distinct, gap-free numbers.
    const row = updateRow(runId, patch, payloads.length);
    return { events: insertEvents(runId, row.last_seq - payloads.length, payloads), run: toRun(row) };
  }

  /** Inserts events numbered after `lastSeq` (already reserved on the run row). */
  function insertEvents(runId: string, lastSeq: number, payloads: RunEventPayload[]): StoredRunEvent[] {
    const createdAt = nowIso();
    let seq = lastSeq;
    return payloads.map((payload) => {
      const event: StoredRunEvent = { runId, seq: ++seq, type: payload.type, data: payload, createdAt };
      insertEvent.run(runId, event.seq, event.type, JSON.stringify(payload), createdAt);
      return event;
    });
  }

  /** Inserts a queued run with its first events: the row is born with their seqs reserved. */
  function insert(
    run: Parameters<RunStore["create"]>[0],
    payloads: RunEventPayload[],
  ): { run: RunRecord; created: true; events: StoredRunEvent[] } {
    try {
      const row = toRun(
        insertRun.get({
          id: run.id,
          agentId: run.agentId,
          agentRevision: run.agentRevision,
          threadId: run.threadId,
          scheduleId: run.scheduleId,
          input: toJson(run.input),
          idempotencyKey: run.idempotencyKey,
          webhookUrl: run.webhookUrl,
          timeoutMs: run.timeoutMs,
          invokeDepth: run.invokeDepth ?? 0,
          traceParent: run.traceParent ?? null,
          traceState: run.traceState ?? null,
          requestId: run.requestId ?? null,
          createdAt: nowIso(),
          lastSeq: payloads.length,
        }) as unknown as RunRow,
      );
      return { run: row, created: true, events: insertEvents(run.id, 0, payloads) };
    } catch (error) {
      if (isForeignKeyViolation(error)) {
        throw new AgentrtError(ErrorCode.AGENT_NOT_FOUND, `Agent ${run.agentId} not found`, {
          details: { id: run.agentId },
          cause: error,
        });
      }
      throw error;
    }
  }

  return {
    create(run, idempotentSince, events = []) {
      const key = run.idempotencyKey;
      // Look-up and insert share the write lock, so two requests with one key create one run. No
      // window, no de-duplication (as in core's in-memory store).
      return group.write(() => {
        if (key !== null && idempotentSince !== undefined) {
          const existing = selectIdempotent.get(run.agentId, key, idempotentSince) as RunRow | undefined;
          if (existing) return { run: toRun(existing), created: false, events: [] };
        }
        return insert(run, events);
      });
    },

    get(id) {
      return group.read(() => {
        const row = selectRun.get(id) as RunRow | undefined;
        return row ? toRun(row) : undefined;
      });
    },

    list(filter) {
      return group.read(() => {
        const rows = listRuns(
          { agent_id: filter.agentId, status: filter.status, thread_id: filter.threadId },
          filter,
        ) as RunRow[];
        return toPage(rows.map(toRun), pageLimit(filter.limit), (run) => run.id);
      });
    },

    update(id, patch) {
      return group.write(() => toRun(updateRow(id, patch, 0)));
    },

    listByStatus(statuses, limit) {
      return group.read(() => {
        const rows = selectByStatus.all(JSON.stringify(statuses), pageLimit(limit)) as unknown as RunRow[];
        return rows.map(toRun);
      });
    },

    appendEvent(runId, payload) {
      return group.write(() => appendEvents(runId, [payload]).events[0]!);
    },

    appendEvents(runId, payloads, patch) {
      return group.write(() => appendEvents(runId, payloads, patch));
    },

    events(runId, afterSeq, limit) {
      return group.read(() => {
        // A negative LIMIT means "no limit" in SQLite.
        const rows = selectEvents.all(
          runId,
          afterSeq,
          limit === undefined ? -1 : limit,
        ) as unknown as EventRow[];
        return rows.map(toEvent);
      });
    },

    tokensUsed(agentId, since) {
      return group.read(() => Number((sumTokens.get({ agentId, since }) as { tokens: number }).tokens));
    },
    usageByTemplateVersion(templateName, since) {
      return group.read(() =>
        (templateUsage.all({ key: templateName, since }) as unknown as UsageRow[]).map((row) => ({
          templateVersion: row.key,
          ...toUsage(row),
        })),
      );
    },
    agentUsage(agentId, since) {
      return group.read(() => toUsage(agentUsage.get({ key: agentId, since }) as UsageRow | undefined));
    },
    recordUnstored(records) {
      const kept = new Date(Date.now() - UNSTORED_RUNS_KEPT_MS).toISOString();
      return group.write(() => {
        for (const r of records)
          insertUnstored.run(r.agentId, r.agentRevision, r.status, r.startedAt, r.finishedAt, r.tokens);
        deleteOldUnstored.run(kept);
      });
    },
  };
}
